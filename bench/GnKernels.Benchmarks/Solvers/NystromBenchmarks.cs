using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Solvers;

/// <summary>
/// One GN step with Arbel's fixed step at (N, 2000, 10), τ₀ = 1, ε₀ = 1e-7, 2 threads, to a relative residual of 1e-6:
/// the exact step against Nyström-preconditioned CG (k = 512, no N×N matrix). The memory diagnoser's managed column
/// misses the native matrices; the peak working set is in docs/scaling.md (/usr/bin/time). Full suite only.
/// </summary>
[Config(typeof(SingleShotConfig))]
[MemoryDiagnoser]
public class NystromBenchmarks
{
    private TrainingProblem _problem = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    public static IEnumerable<int> Sizes => Suite.Sizes<int>([], [5000, 20000]);
    [Params(2)] public int Threads;

    /// <summary>The "× ref time" column: the Nyström step's time over the exact step's.</summary>
    public static string? TimeReference(string method) => method == nameof(Nystrom) ? nameof(Exact) : null;

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _problem = new TrainingProblem(N, 2000, tau0: 1);
    }

    private double Run(GaussNewtonSolver solver, int rank)
    {
        var options = new TrainingOptions
        {
            GaussNewtonStep = GaussNewtonStepRule.Fixed, LinearSolver = solver, NystromRank = rank, MaxIterations = 1, RelativeTolerance = 0,
            LinearTolerance = 1e-6, MaxLinearIterations = 5000, Form = StepForm.Kernel,
        };
        return _problem.Train(options).Final.TrainLoss;
    }

    [Benchmark(Description = "one GN step, exact (N×N Cholesky)")]
    public double Exact() => Run(GaussNewtonSolver.Exact, 0);

    [Benchmark(Description = "one GN step, Nyström CG (k = 512)")]
    public double Nystrom() => Run(GaussNewtonSolver.Nystrom, 512);

    [GlobalCleanup]
    public void Cleanup() => _problem.Dispose();
}
