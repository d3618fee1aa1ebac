using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
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
    private TrainingProblem _problem = null!;

    [ParamsSource(nameof(ThreadCounts))] public int Threads;
    public static IEnumerable<int> ThreadCounts => Suite.Sizes([1], [1, 2]);

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
        _problem = new TrainingProblem(500, 5000, tau0: 1, testCount: 2000);
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
        var options = new TrainingOptions { MaxIterations = 2000, GaussNewtonStep = rule, EstimateCondition = estimateCondition, LinearSolver = solver };
        var result = withTest ? _problem.TrainWithTest(options) : _problem.Train(options);
        if (result.Status != TrainingStatus.Converged) throw new InvalidOperationException($"training ended {result.Status}");
        return result.Iterations;
    }

    [GlobalCleanup]
    public void Cleanup() => _problem.Dispose();
}

/// <summary>For benchmarks of many seconds: one warm-up and three measured single invocations.</summary>
public sealed class SingleShotConfig : BenchConfig
{
    public SingleShotConfig() : base(Job.Dry.WithWarmupCount(1).WithIterationCount(3).WithId("single")) { }
}
