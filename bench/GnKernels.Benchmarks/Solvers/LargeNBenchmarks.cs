using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Solvers;

/// <summary>
/// One GN step with Arbel's fixed step at (N, M, d) = (100,000, 2000, 10), τ₀ = 1, 2 threads, to a relative residual of
/// 10⁻⁶ at the damping floor ε₀ = 10⁻³ (where the 100,000-point training run of docs/scaling.md trains): the
/// Nyström-preconditioned CG (k = 512) against plain CG, neither forming the 80 GB kernel. Peak resident memory is in
/// docs/scaling.md (/usr/bin/time; the diagnoser counts what a step allocates, not the peak held at once). Full suite
/// only: a run takes minutes.
/// </summary>
[Config(typeof(SingleShotConfig))]
public class LargeNBenchmarks
{
    private TrainingProblem _problem = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    public static IEnumerable<int> Sizes => Suite.Sizes<int>([], [100_000]);
    [Params(2)] public int Threads;

    /// <summary>The "× ref time" column: the Nyström step's time over plain CG's.</summary>
    public static string? TimeReference(string method) => method == nameof(Nystrom) ? nameof(PlainCg) : null;

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _problem = new TrainingProblem(N, 2000, tau0: 1);
    }

    private int Run(GaussNewtonSolver solver)
    {
        var options = new TrainingOptions
        {
            GaussNewtonStep = GaussNewtonStepRule.Fixed, LinearSolver = solver, NystromRank = 512, MaxIterations = 1, RelativeTolerance = 0,
            DampingFloor = 1e-3, LinearTolerance = 1e-6, MaxLinearIterations = 5000, EstimateCondition = false,
        };
        var result = _problem.Train(options);
        if (result.Status != TrainingStatus.MaxIterations) throw new InvalidOperationException($"the step ended {result.Status}: {result.Message}");
        return result.Records[^1].LinearIterations;
    }

    [Benchmark(Description = "one GN step, Nyström CG (k = 512)")]
    public int Nystrom() => Run(GaussNewtonSolver.Nystrom);

    [Benchmark(Description = "one GN step, plain CG")]
    public int PlainCg() => Run(GaussNewtonSolver.Cg);

    [GlobalCleanup]
    public void Cleanup() => _problem.Dispose();
}
