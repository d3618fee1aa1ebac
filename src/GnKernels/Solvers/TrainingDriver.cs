using System.Diagnostics;
using System.Numerics.Tensors;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// The loop of one <see cref="Trainer"/> call: linearize, ask the method for a step, check the stopping rules, record,
/// call back. It talks to the model only through <see cref="ITrainableModel"/> and to the method through
/// <see cref="IStepMethod"/>; it owns the statuses, so every method ends the same way.
/// </summary>
internal sealed class TrainingDriver : IDisposable
{
    private readonly StepContext _context;
    private readonly IStepMethod _method;
    private readonly ITrainableModel? _test;
    private readonly RunMetrics _metrics;
    private readonly double[] _previous, _testResidual;
    private long _start;
    private double _testSeconds;

    public TrainingDriver(ITrainableModel model, ITrainableModel? test, double[] w, TrainingOptions options)
    {
        _context = new StepContext(model, options, w);
        _test = test;
        _previous = new double[model.ParameterCount];
        _testResidual = new double[test?.SampleCount ?? 0];
        _metrics = new RunMetrics(_context);
        _method = options.Method switch
        {
            TrainingMethod.GaussNewton => new GaussNewtonMethod(_context),
            TrainingMethod.LevenbergMarquardt => new LevenbergMarquardtMethod(_context),
            TrainingMethod.GradientDescent => new GradientDescentMethod(_context),
            TrainingMethod.RandomFeatures => new RandomFeaturesMethod(_context),
            TrainingMethod.GgnScore => new GgnScoreMethod(_context),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown training method."),
        };
    }

    public TrainingResult Execute()
    {
        var c = _context;
        var options = c.Options;
        _start = Stopwatch.GetTimestamp();
        var records = new List<IterationRecord>();
        double forward = Linearize();
        double initial = c.Loss;
        if (double.IsNaN(initial))
            throw new ArgumentException(
                $"The initial training loss is not finite: max |f(w) − y| = {MaxAbs(c.Residual):G3}. Check the targets y and the initial parameters w (their scale) before training.",
                "y");
        records.Add(_metrics.Measure(new IterationRecord { Iteration = 0, TrainLoss = initial, TestLoss = TestLoss(), ForwardSeconds = forward, ElapsedSeconds = Elapsed() },
            c, kernel: true));
        double target = options.RelativeTolerance * initial;

        for (int k = 1; ; k++)
        {
            if (c.Loss <= target) return Finish(records, TrainingStatus.Converged, $"loss ≤ {options.RelativeTolerance:G3} × initial loss.");
            if (k > options.MaxIterations) return Finish(records, TrainingStatus.MaxIterations, $"iteration limit {options.MaxIterations} reached.");
            if (Stopwatch.GetElapsedTime(_start) > options.MaxTime) return Finish(records, TrainingStatus.MaxTime, $"time limit {options.MaxTime} reached.");

            c.W.CopyTo(_previous, 0);
            StepOutcome outcome;
            try { outcome = _method.Step(c, k); }
            catch (NotSolvableException e) { return Restore(records, TrainingStatus.NotSolvable, e.Message, k); }
            if (outcome.End == StepEnd.Stalled) return Restore(records, TrainingStatus.Stalled, outcome.Message!, k);
            if (outcome.End == StepEnd.Exhausted) return Restore(records, TrainingStatus.MaxIterations, outcome.Message!, -1);

            double previousLoss = c.Loss;
            double stepForward = Linearize();
            if (double.IsNaN(c.Loss) || c.Loss > options.DivergenceRatio * initial)
            {
                string what = double.IsNaN(c.Loss) ? "became non-finite" : $"rose to {c.Loss:G3}, over {options.DivergenceRatio:G3} × its initial {initial:G3}";
                return Restore(records, TrainingStatus.Diverged,
                    $"iteration {k}: the training loss {what}; the weights are those before it. Use a smaller learning rate or the default step rule.", k);
            }
            var record = outcome.Record with
            {
                TrainLoss = c.Loss,
                TestLoss = TestDue(k) ? TestLoss() : double.NaN,
                ForwardSeconds = outcome.Record.ForwardSeconds + stepForward,
                ElapsedSeconds = Elapsed(),
            };
            record = _metrics.Measure(record, c, _metrics.KernelDue(k));
            records.Add(record);

            if (options.OnIteration is { } callback)
            {
                var decision = callback(record, c.W, _method.SolveVector);
                if (decision == IterationDecision.Stop) return Finish(records, TrainingStatus.Stopped, "stopped by the iteration callback.");
                if (decision == IterationDecision.Succeed) return Finish(records, TrainingStatus.Converged, "the iteration callback declared success.");
            }
            if (record.GradientNorm <= options.GradientTolerance)
                return Finish(records, TrainingStatus.Converged, $"‖∇L‖ = {record.GradientNorm:G3} ≤ {options.GradientTolerance:G3} at the start of iteration {k}.");
            if (Math.Abs(previousLoss - c.Loss) <= options.FunctionTolerance * previousLoss)
                return Finish(records, TrainingStatus.Converged, $"the loss changed by {Math.Abs(previousLoss - c.Loss) / previousLoss:G3} of itself ≤ {options.FunctionTolerance:G3}.");
            if (record.StepNorm <= options.StepTolerance * (TensorPrimitives.Norm<double>(c.W) + options.StepTolerance))
                return Finish(records, TrainingStatus.Converged, $"the step ‖Δw‖ = {record.StepNorm:G3} is below {options.StepTolerance:G3} × (‖w‖ + {options.StepTolerance:G3}).");
        }
    }

    public void Dispose()
    {
        _method.Dispose();
        _metrics.Dispose();
    }

    /// <summary>r and J at w, and L; returns the seconds it took.</summary>
    private double Linearize()
    {
        long t = Stopwatch.GetTimestamp();
        var c = _context;
        if (!TensorPrimitives.IsFiniteAll<double>(c.W)) { c.Loss = double.NaN; return 0; }
        c.Jacobian = c.Model.Linearize(c.W, c.Residual);
        c.Loss = StepContext.LossOf(c.Residual);
        return Stopwatch.GetElapsedTime(t).TotalSeconds;
    }

    private bool TestDue(int k) => _test is not null && (_context.Options.TestInterval > 0
        ? k % _context.Options.TestInterval == 0
        : _testSeconds <= _context.Options.TestTimeShare * Elapsed());

    private double TestLoss()
    {
        if (_test is null || !TensorPrimitives.IsFiniteAll<double>(_context.W)) return double.NaN;
        long t = Stopwatch.GetTimestamp();
        _test.Residual(_context.W, _testResidual);
        _testSeconds += Stopwatch.GetElapsedTime(t).TotalSeconds;
        return StepContext.LossOf(_testResidual);
    }

    /// <summary>Ends the run with the weights before iteration <paramref name="failed"/>'s step, linearized again.</summary>
    private TrainingResult Restore(List<IterationRecord> records, TrainingStatus status, string message, int failed)
    {
        _previous.CopyTo(_context.W, 0);
        Linearize();
        return Finish(records, status, message, failed);
    }

    private TrainingResult Finish(List<IterationRecord> records, TrainingStatus status, string message, int failed = -1)
    {
        if (records.Count > 1 && double.IsNaN(records[^1].TestLoss) && _test is not null)
            records[^1] = records[^1] with { TestLoss = TestLoss() };
        if (!_metrics.HasKernel(records[^1]) && TensorPrimitives.IsFiniteAll<double>(_context.W))
            records[^1] = _metrics.Measure(records[^1], _context, kernel: true);
        if (status is TrainingStatus.MaxIterations or TrainingStatus.MaxTime && records[^1].TrainLoss > records[0].TrainLoss)
        {
            message = $"{message} The loss rose from {records[0].TrainLoss:G3} to {records[^1].TrainLoss:G3}: use a smaller learning rate or the default step rule.";
            status = TrainingStatus.Diverged;
            failed = records.Count - 1;
        }
        return new TrainingResult(_context.Options.Method, status, records, failed, message);
    }

    private double Elapsed() => Stopwatch.GetElapsedTime(_start).TotalSeconds;

    private static double MaxAbs(ReadOnlySpan<double> x) => x.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(x));
}
