using GnKernels.Data;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Cli.Commands;

/// <summary>What `gnk train` and `gnk compare` were asked to do, validated before anything is allocated.</summary>
internal sealed record RunSettings(int N, int M, int D, double Tau0, bool Bias, int Seed, double Tol, int MaxIterations,
    double MaxTimeSeconds, int Threads, int TestCount, double? LearningRate, GaussNewtonStepRule GaussNewtonStep,
    GradientStepRule GradientDescentStep, bool GgnTextbookMetric, string OutputDirectory)
{
    /// <summary>Returns the first problem with the settings as one line, or null.</summary>
    public string? Validate()
    {
        if (N < 1) return $"--n must be a positive number of samples; got {N}.";
        if (M < 1) return $"--m must be a positive number of hidden units; got {M}.";
        if (D < 1) return $"--d must be a positive input dimension; got {D}.";
        if (!(Tau0 > 0)) return $"--tau0 must be > 0; got {Tau0}.";
        if (!(Tol > 0 && Tol < 1)) return $"--tol must lie in (0, 1); got {Tol}.";
        if (MaxIterations < 1) return $"--max-iter must be at least 1; got {MaxIterations}.";
        if (!(MaxTimeSeconds > 0)) return $"--max-time must be > 0 seconds; got {MaxTimeSeconds}.";
        if (Threads < 0) return $"--threads must be ≥ 0 (0 keeps OpenBLAS's default); got {Threads}.";
        if (TestCount < 0) return $"--test must be ≥ 0; got {TestCount}.";
        if (LearningRate is { } lr && !(lr > 0)) return $"--lr must be > 0; got {lr}.";
        long p = (long)M * (D + (Bias ? 2 : 1));
        if (p > Array.MaxLength) return $"--m {M} with --d {D} gives {p:N0} parameters; at most {Array.MaxLength:N0} fit in a span.";
        // Φ and D (N×M each), the NTK and its Cholesky scratch (N×N each), prediction blocks.
        double bytes = 8.0 * (2.0 * N * M + 2.0 * N * N + 256.0 * M + 3.0 * p);
        double available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && bytes > 0.8 * available)
            return $"N = {N}, M = {M} needs about {bytes / (1 << 30):F1} GiB (two N×M and two N×N matrices); this machine allows {available / (1 << 30):F1} GiB. Use a smaller --n or --m.";
        return null;
    }

    public TwoLayerSilu Model() => new(D, M, Bias);

    public SyntheticDataset Data() => TeacherStudent.Arbel(N, D, testCount: TestCount, seed: Seed);

    public TrainingOptions Options(TrainingMethod method, IterationCallback onIteration) => new()
    {
        Method = method,
        LearningRate = LearningRate,
        GaussNewtonStep = GaussNewtonStep,
        GradientDescentStep = GradientDescentStep,
        GgnTextbookMetric = GgnTextbookMetric,
        RelativeTolerance = Tol,
        MaxIterations = MaxIterations,
        MaxTime = TimeSpan.FromSeconds(MaxTimeSeconds),
        OnIteration = onIteration,
    };
}
