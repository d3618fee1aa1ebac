using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Solvers;

/// <summary>
/// A hundred GN iterations with Arbel's fixed step at (N, M, d) = (2000, 5000, 10), τ₀ = 1 (feature regime) and 10
/// (kernel regime), 1 and 2 threads: the exact step (assemble and factor every step) against preconditioned conjugate
/// gradients (an earlier step's factor as preconditioner, refreshed by cost) and the mixed-precision step (this step's
/// float32 factor, CG in double). Full suite only: each invocation takes up to a minute.
/// </summary>
[Config(typeof(SingleShotConfig))]
public class PcgBenchmarks
{
    private TrainingProblem _problem = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    public static IEnumerable<int> Sizes => Suite.Sizes<int>([], [2000]);
    [Params(1, 2)] public int Threads;
    [Params(1.0, 10.0)] public double Tau0;

    /// <summary>The "× ref time" column: PCG's and the mixed step's time over the exact step's.</summary>
    public static string? TimeReference(string method) => method is nameof(Pcg) or nameof(Mixed) ? nameof(Exact) : null;

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _problem = new TrainingProblem(N, 5000, Tau0);
    }

    private double Run(GaussNewtonSolver solver)
    {
        var options = new TrainingOptions
        {
            GaussNewtonStep = GaussNewtonStepRule.Fixed, LinearSolver = solver, MaxIterations = 100, RelativeTolerance = 0, EstimateCondition = false,
        };
        return _problem.Train(options).Final.TrainLoss;
    }

    [Benchmark(Description = "100 GN iterations, exact")]
    public double Exact() => Run(GaussNewtonSolver.Exact);

    [Benchmark(Description = "100 GN iterations, PCG")]
    public double Pcg() => Run(GaussNewtonSolver.Pcg);

    [Benchmark(Description = "100 GN iterations, mixed")]
    public double Mixed() => Run(GaussNewtonSolver.Mixed);

    [GlobalCleanup]
    public void Cleanup() => _problem.Dispose();
}
