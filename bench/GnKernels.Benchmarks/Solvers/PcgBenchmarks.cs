using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Solvers;

/// <summary>
/// Thirty GN iterations with Arbel's fixed step at (N, M, d) = (2000, 5000, 10), τ₀ = 1, 2 threads: the exact step
/// (assemble and factor every step) against preconditioned conjugate gradients (an earlier step's factor as
/// preconditioner, refreshed by cost). Full suite only: each invocation takes tens of seconds.
/// </summary>
[Config(typeof(SingleShotConfig))]
public class PcgBenchmarks
{
    private SyntheticDataset _data = null!;
    private TwoLayerSilu _network = null!;
    private double[] _initial = null!, _w = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    public static IEnumerable<int> Sizes => Suite.Sizes<int>([], [2000]);
    [Params(2)] public int Threads;

    /// <summary>The "× ref time" column: PCG's time over the exact step's.</summary>
    public static string? TimeReference(string method) => method == nameof(Pcg) ? nameof(Exact) : null;

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _data = TeacherStudent.Arbel(N, testCount: 1, seed: 0);
        _network = new TwoLayerSilu(_data.InputDimension, 5000);
        _initial = TeacherStudent.InitialParameters(_network, tau0: 1, seed: 0);
        _w = new double[_initial.Length];
    }

    private double Run(GaussNewtonSolver solver)
    {
        _initial.CopyTo(_w, 0);
        var options = new TrainingOptions
        {
            GaussNewtonStep = GaussNewtonStepRule.Fixed, LinearSolver = solver, MaxIterations = 30, RelativeTolerance = 0, EstimateCondition = false,
        };
        return Trainer.Train(_network, _data.TrainX, _data.TrainY, null, default, _w, options).Final.TrainLoss;
    }

    [Benchmark(Description = "30 GN iterations, exact")]
    public double Exact() => Run(GaussNewtonSolver.Exact);

    [Benchmark(Description = "30 GN iterations, PCG")]
    public double Pcg() => Run(GaussNewtonSolver.Pcg);

    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();
}
