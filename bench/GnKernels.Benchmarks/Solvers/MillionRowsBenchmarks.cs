using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Solvers;

/// <summary>
/// One GN step with Arbel's fixed step at (N, M, d) = (1,000,000, 1000, 10), τ₀ = 1, 2 threads, to a relative residual of
/// 10⁻⁶ at ε₀ = 10⁻³: Nyström-preconditioned CG with k = 1024, the activations recomputed per product with 135,168 rows
/// held (what `gnk train --memory-budget 11` holds beside the N×k basis; all of Φ and E would take 14.9 GiB). The
/// process's peak resident memory (/proc, VmHWM) is printed at cleanup: the diagnoser counts the bytes a step
/// allocates (the 8.2 GB basis too, a pinned managed array), not what is resident at once.
/// Full suite only: a step takes over a minute.
/// </summary>
[Config(typeof(OneStepConfig))]
public class MillionRowsBenchmarks
{
    private TrainingProblem _problem = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    public static IEnumerable<int> Sizes => Suite.Sizes<int>([], [1_000_000]);

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = 2;
        _problem = new TrainingProblem(N, 1000, tau0: 1);
    }

    [Benchmark(Description = "one GN step, Nyström CG (k = 1024), activations recomputed")]
    public int Nystrom()
    {
        var options = new TrainingOptions
        {
            GaussNewtonStep = GaussNewtonStepRule.Fixed, LinearSolver = GaussNewtonSolver.Nystrom, NystromRank = 1024, MaxIterations = 1,
            RelativeTolerance = 0, DampingFloor = 1e-3, LinearTolerance = 1e-6, MaxLinearIterations = 500, EstimateCondition = false,
        };
        var result = _problem.TrainRecomputing(options, activationRows: 135_168);
        if (result.Status != TrainingStatus.MaxIterations) throw new InvalidOperationException($"the step ended {result.Status}: {result.Message}");
        return result.Records[^1].LinearIterations;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// peak resident memory of this process: {PeakResident.Describe()}");
        _problem.Dispose();
    }
}

/// <summary>One process, no warmup, two timed runs: for benchmarks whose single run takes minutes.</summary>
public sealed class OneStepConfig : BenchConfig
{
    public OneStepConfig() : base(Job.Dry.WithWarmupCount(0).WithIterationCount(2).WithId("one-step")) { }
}
