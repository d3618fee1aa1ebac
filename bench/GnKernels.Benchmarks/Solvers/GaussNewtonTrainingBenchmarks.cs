using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using GnKernels.Data;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Solvers;

/// <summary>
/// The main job as a benchmark: GN at N = 500, M = 5000, d = 10, from τ₀ = 1 to a training loss of 1e-6 of the
/// initial one, with Arbel's fixed step (λ = 10 on g = (f − y)/N, ε = max(ε₀, λ_min)) and with the default
/// backtracking line search; no test-set evaluation inside the timed run. The diagnostics' cost (a 2000-point
/// test loss under the default time share, and the condition estimate) is the last two cases' ratio; the fixed-step
/// run with pcg (CG from an earlier step's factor) is timed against the exact one.
/// </summary>
[Config(typeof(SingleShotConfig))]
public class GaussNewtonTrainingBenchmarks
{
    private const int N = 500, M = 5000;
    private SyntheticDataset _data = null!;
    private TwoLayerSilu _model = null!;
    private double[] _initial = null!, _w = null!;

    [Params(2)] public int Threads;

    /// <summary>The "× ref time" column: the diagnostics' cost as the ratio of the run with them to the bare run.</summary>
    public static string? TimeReference(string method) => method switch
    {
        nameof(TrainWithDiagnostics) => nameof(TrainBare),
        nameof(TrainPcg) => nameof(Train),
        _ => null,
    };

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _data = TeacherStudent.Arbel(N, testCount: 2000, seed: 0);
        _model = new TwoLayerSilu(_data.InputDimension, M);
        _initial = TeacherStudent.InitialParameters(_model, tau0: 1, seed: 0);
        _w = new double[_initial.Length];
    }

    [Benchmark(Description = "GN training to 1e-6 (N = 500, M = 5000)")]
    public int Train() => Run(GaussNewtonStepRule.Fixed);

    [Benchmark(Description = "GN training to 1e-6, PCG")]
    public int TrainPcg() => Run(GaussNewtonStepRule.Fixed, solver: GaussNewtonSolver.Pcg);

    [Benchmark(Description = "GN training to 1e-6, default line search")]
    public int TrainBacktracking() => Run(GaussNewtonStepRule.Backtracking);

    [Benchmark(Description = "GN training, no diagnostics")]
    public int TrainBare() => Run(GaussNewtonStepRule.Fixed, estimateCondition: false);

    [Benchmark(Description = "GN training, test loss and condition estimate")]
    public int TrainWithDiagnostics() => Run(GaussNewtonStepRule.Fixed, withTest: true);

    private int Run(GaussNewtonStepRule rule, bool estimateCondition = true, bool withTest = false, GaussNewtonSolver solver = GaussNewtonSolver.Exact)
    {
        _initial.CopyTo(_w, 0);
        var options = new TrainingOptions { MaxIterations = 2000, GaussNewtonStep = rule, EstimateCondition = estimateCondition, LinearSolver = solver };
        var result = withTest
            ? Trainer.Train(_model, _data, _w, options)
            : Trainer.Train(_model, _data.TrainX, _data.TrainY, null, default, _w, options);
        if (result.Status != TrainingStatus.Converged) throw new InvalidOperationException($"training ended {result.Status}");
        return result.Iterations;
    }

    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();
}

/// <summary>For benchmarks of many seconds: one warm-up and three measured single invocations.</summary>
public sealed class SingleShotConfig : BenchConfig
{
    public SingleShotConfig() : base(Job.Dry.WithWarmupCount(1).WithIterationCount(3).WithId("single")) { }
}
