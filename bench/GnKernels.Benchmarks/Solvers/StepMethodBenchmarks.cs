using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Solvers;

/// <summary>
/// One step of each Trainer method from the same linearized point at (N, M, d) = (500, 5000, 10), 2 threads: what an
/// iteration costs besides the forward pass. Each invocation starts a fresh method (its N×N buffer included), so
/// adaptive state such as LM's μ starts the same every time.
/// </summary>
[Config(typeof(BenchConfig))]
public class StepMethodBenchmarks
{
    private const int N = 500, M = 5000;
    private SyntheticDataset _data = null!;
    private TwoLayerSiluRegression _model = null!;
    private StepContext _context = null!;
    private double[] _start = null!;

    [Params(2)] public int Threads;

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _data = TeacherStudent.Arbel(N, testCount: 1, seed: 0);
        var network = new TwoLayerSilu(_data.InputDimension, M);
        _model = new TwoLayerSiluRegression(network, _data.TrainX, _data.TrainY);
        _start = TeacherStudent.InitialParameters(network, tau0: 1, seed: 0);
        _context = new StepContext(_model, new TrainingOptions(), (double[])_start.Clone());
        _context.Jacobian = _model.Linearize(_start, _context.Residual);
        _context.Loss = StepContext.LossOf(_context.Residual);
    }

    private double Run(IStepMethod method)
    {
        using (method)
        {
            _start.CopyTo(_context.W, 0);
            return method.Step(_context, 1).Record.StepNorm;
        }
    }

    [Benchmark(Description = "GN step, line search")]
    public double GaussNewton() => Run(new GaussNewtonMethod(_context));

    [Benchmark(Description = "LM step (Nielsen)")]
    public double LevenbergMarquardt() => Run(new LevenbergMarquardtMethod(_context));

    [Benchmark(Description = "GGN-SCORE step")]
    public double GgnScore() => Run(new GgnScoreMethod(_context));

    [Benchmark(Description = "GD step (with the step size's power iteration)")]
    public double GradientDescent() => Run(new GradientDescentMethod(_context));

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _data.Dispose();
    }
}
