using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Solvers;

/// <summary>
/// One GN step with Arbel's fixed step at (N, M, d) = (100,000, 2000, 10), τ₀ = 1, 2 threads, to a relative residual of
/// 10⁻⁶ at the damping floor ε₀ = 10⁻³ (where the 100,000-point training run of docs/scaling.md trains): the
/// Nyström-preconditioned CG (k = 512) against plain CG, neither forming the 80 GB kernel. Peak resident memory is in
/// docs/scaling.md (/usr/bin/time; the diagnoser misses native memory). Full suite only: a run takes minutes.
/// </summary>
[Config(typeof(SingleShotConfig))]
public class LargeNBenchmarks
{
    private SyntheticDataset _data = null!;
    private TwoLayerSilu _network = null!;
    private double[] _initial = null!, _w = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    public static IEnumerable<int> Sizes => Suite.Sizes<int>([], [100_000]);
    [Params(2)] public int Threads;

    /// <summary>The "× ref time" column: the Nyström step's time over plain CG's.</summary>
    public static string? TimeReference(string method) => method == nameof(Nystrom) ? nameof(PlainCg) : null;

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _data = TeacherStudent.Arbel(N, testCount: 1, seed: 0);
        _network = new TwoLayerSilu(_data.InputDimension, 2000);
        _initial = TeacherStudent.InitialParameters(_network, tau0: 1, seed: 0);
        _w = new double[_initial.Length];
    }

    private int Run(GaussNewtonSolver solver)
    {
        _initial.CopyTo(_w, 0);
        var options = new TrainingOptions
        {
            GaussNewtonStep = GaussNewtonStepRule.Fixed, LinearSolver = solver, NystromRank = 512, MaxIterations = 1, RelativeTolerance = 0,
            DampingFloor = 1e-3, LinearTolerance = 1e-6, MaxLinearIterations = 5000, EstimateCondition = false,
        };
        var result = Trainer.Train(_network, _data.TrainX, _data.TrainY, null, default, _w, options);
        if (result.Status != TrainingStatus.MaxIterations) throw new InvalidOperationException($"the step ended {result.Status}: {result.Message}");
        return result.Records[^1].LinearIterations;
    }

    [Benchmark(Description = "one GN step, Nyström CG (k = 512)")]
    public int Nystrom() => Run(GaussNewtonSolver.Nystrom);

    [Benchmark(Description = "one GN step, plain CG")]
    public int PlainCg() => Run(GaussNewtonSolver.Cg);

    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();
}
