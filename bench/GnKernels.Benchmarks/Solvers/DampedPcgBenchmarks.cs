using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Solvers;

/// <summary>
/// GGN-SCORE and Levenberg-Marquardt at (N, M, d) = (500, 5000, 10), τ₀ = 1, 2 threads, with their damped solves exact
/// (assemble and factor every step) against pcg (CG from an earlier step's factor): a hundred GGN-SCORE iterations,
/// whose weighted kernel J·H⁻¹·Jᵀ has no Hadamard form and costs N²P flops to assemble, and LM to 10⁻⁶ of the initial
/// loss. Full suite only.
/// </summary>
[Config(typeof(SingleShotConfig))]
public class DampedPcgBenchmarks
{
    private TrainingProblem _problem = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    public static IEnumerable<int> Sizes => Suite.Sizes<int>([], [500]);
    [Params(2)] public int Threads;

    /// <summary>The "× ref time" column: each pcg run's time over the exact run's of its method.</summary>
    public static string? TimeReference(string method) => method switch
    {
        nameof(GgnScorePcg) => nameof(GgnScoreExact),
        nameof(LevenbergMarquardtPcg) => nameof(LevenbergMarquardtExact),
        _ => null,
    };

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _problem = new TrainingProblem(N, 5000, tau0: 1);
    }

    private double Run(TrainingMethod method, GaussNewtonSolver solver)
    {
        var options = new TrainingOptions
        {
            Method = method, LinearSolver = solver, EstimateCondition = false,
            MaxIterations = method == TrainingMethod.GgnScore ? 100 : 1000, RelativeTolerance = method == TrainingMethod.GgnScore ? 0 : 1e-6,
        };
        return _problem.Train(options).Final.TrainLoss;
    }

    [Benchmark(Description = "100 GGN-SCORE iterations, exact")]
    public double GgnScoreExact() => Run(TrainingMethod.GgnScore, GaussNewtonSolver.Exact);

    [Benchmark(Description = "100 GGN-SCORE iterations, PCG")]
    public double GgnScorePcg() => Run(TrainingMethod.GgnScore, GaussNewtonSolver.Pcg);

    [Benchmark(Description = "LM training to 1e-6, exact")]
    public double LevenbergMarquardtExact() => Run(TrainingMethod.LevenbergMarquardt, GaussNewtonSolver.Exact);

    [Benchmark(Description = "LM training to 1e-6, PCG")]
    public double LevenbergMarquardtPcg() => Run(TrainingMethod.LevenbergMarquardt, GaussNewtonSolver.Pcg);

    [GlobalCleanup]
    public void Cleanup() => _problem.Dispose();
}
