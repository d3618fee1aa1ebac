using System.Globalization;
using System.Text;

namespace GnKernels.Solvers;

/// <summary>The outcome of <see cref="Trainer"/>: status, per-iteration records and a report.</summary>
public sealed class TrainingResult(TrainingMethod method, TrainingStatus status, IReadOnlyList<IterationRecord> records, int failedIteration, string message)
{
    /// <summary>The method that ran.</summary>
    public TrainingMethod Method { get; } = method;
    /// <summary>Why the run stopped.</summary>
    public TrainingStatus Status { get; } = status;
    /// <summary>Iteration 0 (the start) and every iteration after it.</summary>
    public IReadOnlyList<IterationRecord> Records { get; } = records;
    /// <summary>For <see cref="TrainingStatus.Diverged"/> and <see cref="TrainingStatus.NotSolvable"/>: the failing iteration; otherwise −1.</summary>
    public int FailedIteration { get; } = failedIteration;
    /// <summary>A one-line explanation of the status.</summary>
    public string Message { get; } = message;
    /// <summary>Iterations performed (excluding the start).</summary>
    public int Iterations => Records.Count - 1;
    /// <summary>The last record.</summary>
    public IterationRecord Final => Records[^1];

    /// <summary>A multi-line summary: status, losses, and where the time went.</summary>
    public string Report()
    {
        var inv = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(inv, $"{Method}: {Status} after {Iterations} iterations, {Final.ElapsedSeconds:F2} s. {Message}");
        s.Append(inv, $"  train loss {Records[0].TrainLoss:E3} → {Final.TrainLoss:E3}");
        s.AppendLine(double.IsNaN(Records[0].TestLoss) ? "" : string.Create(inv, $"; test loss {Records[0].TestLoss:E3} → {LastTestLoss():E3}"));
        double forward = Records.Sum(r => r.ForwardSeconds), ntk = Records.Sum(r => r.NtkSeconds), factor = Records.Sum(r => r.FactorSeconds);
        double solve = Records.Sum(r => r.SolveSeconds), update = Records.Sum(r => r.UpdateSeconds);
        s.AppendLine(inv, $"  time: forward {forward:F2} s, NTK {ntk:F2} s, factor+λ_min {factor:F2} s, solve {solve:F2} s, update {update:F2} s");
        int iterative = Records.Count(r => r.LinearIterations > 0);
        if (iterative > 0)
            s.AppendLine(inv, $"  conjugate gradients: {Records.Sum(r => r.LinearIterations)} iterations in {iterative} steps ({Records.Sum(r => r.LinearIterations) / (double)iterative:F1} per step), " +
                $"{Records.Count(r => r.PreconditionerRefreshed)} preconditioner builds, {Records.Sum(r => r.Retries)} retries (fallbacks to the exact step included)");
        return s.ToString();
    }

    /// <summary>The most recent test loss that was evaluated (NaN without a test set).</summary>
    public double LastTestLoss() => Records.LastOrDefault(r => !double.IsNaN(r.TestLoss))?.TestLoss ?? double.NaN;
}
