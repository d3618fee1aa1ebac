using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Solvers;

/// <summary>
/// One Gauss-Newton step with Arbel's rule at (N, M, d) = (2000, 5000, 10): forward, structured NTK, Cholesky at
/// ε₀, Lanczos λ_min, refactor at ε, solve, Jᵀz; and the λ_min estimate against dsyevr on the same matrix.
/// The step is the second of a run (at w₁, one GN step from w₀), so Lanczos starts, as in training, from the Ritz
/// vector of the previous iterate's NTK; the cold start (seeded random vector) is measured separately. The mixed
/// step does the same with the NTK assembled and factored in float32 and CG in double refining z to 1e-10; the setup
/// checks that its z is the double step's to 1e-9 relative. The float32 NTK and one CG product are timed alone, the
/// parts a mixed step cannot do without.
/// </summary>
[Config(typeof(BenchConfig))]
public class GaussNewtonStepBenchmarks
{
    private const int N = 2000, M = 5000, D = 10;
    private TwoLayerSiluLinearization _lin = null!;
    private GaussNewtonSystem _system = null!;
    private SmallestEigenvalue _eigen = null!;
    private DenseMatrix<double> _x = null!, _ntk = null!, _copy = null!, _factored = null!;
    private Cholesky<double> _factor = null!;
    private double[] _w = null!, _g = null!, _step = null!, _previousRitz = null!, _z = null!, _product = null!;
    private SinglePrecisionFactor _single = null!;
    private ConjugateGradient _cg = null!;

    [ParamsSource(nameof(ThreadCounts))] public int Threads;
    public static IEnumerable<int> ThreadCounts => Suite.Sizes([2], [1, 2]);

    /// <summary>The "× ref time" column: the mixed step's time over the double step's.</summary>
    public static string? TimeReference(string method) => method == nameof(MixedStep) ? nameof(Step) : null;

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        var model = new TwoLayerSilu(D, M);
        _x = Seeded.Uniform(N, D, 1);
        var rng = new Random(2);
        _w = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
        _g = Enumerable.Range(0, N).Select(_ => (rng.NextDouble() - 0.5) / N).ToArray();
        _step = new double[model.ParameterCount];
        _lin = model.CreateLinearization(N);
        _system = new GaussNewtonSystem(N, model.ParameterCount, StepForm.Kernel);
        _eigen = new SmallestEigenvalue(N);
        _copy = new DenseMatrix<double>(N, N);

        // w₀ → w₁ by one GN step (λ = 10), keeping the Ritz vector of NTK(w₀) as the warm start.
        Step();
        _previousRitz = _eigen.RitzVector.ToArray();
        for (int i = 0; i < _w.Length; i++) _w[i] += 10 * _step[i];

        // The yardsticks work on the NTK at w₁, kept apart from the step's own buffers.
        _lin.Evaluate(_x, _w);
        _ntk = new DenseMatrix<double>(N, N);
        _lin.Ntk(_ntk);
        _factored = new DenseMatrix<double>(N, N);
        _factored.CopyFrom(_ntk);
        _factor = new Cholesky<double>(_factored);
        _factor.Factor(ArbelDamping.DefaultFloor);

        _single = new SinglePrecisionFactor(N);
        _cg = new ConjugateGradient(N, model.ParameterCount);
        _z = new double[N];
        _product = new double[N];
        Step();
        double[] exact = _system.SolveVector.ToArray();
        MixedStep();
        double relative = System.Numerics.Tensors.TensorPrimitives.Distance<double>(_z, exact) / System.Numerics.Tensors.TensorPrimitives.Norm<double>(exact);
        Console.WriteLine($"// mixed step: {_cg.Iterations} CG iterations, z relative to the double step's {relative:E2}");
        if (!(relative <= 1e-9)) throw new InvalidOperationException($"The mixed step's z differs from the double step's by {relative:E2} (relative).");
    }

    [Benchmark(Description = "GN step (Arbel rule, λ_min included)")]
    public double Step()
    {
        _lin.Evaluate(_x, _w);
        _system.Assemble(_lin);
        _system.Factorization.Factor(ArbelDamping.DefaultFloor);
        if (_previousRitz is not null) _eigen.StartFrom(_previousRitz);
        double epsilon = ArbelDamping.Choose(_eigen.Estimate(_system.Factorization, enoughBelow: ArbelDamping.DefaultFloor));
        _system.TrySolve(epsilon, _g, _step, out var d);
        return d.StepNormSquared;
    }

    [Benchmark(Description = "GN step, mixed precision (float32 factor, CG to 1e-10)")]
    public double MixedStep()
    {
        _lin.Evaluate(_x, _w);
        _single.Assemble(_lin);
        _single.StartLanczosFrom(_previousRitz);
        double epsilon = _single.ChooseArbelDamping(ArbelDamping.DefaultFloor, 1e-3, out _);
        _single.TryFactor(epsilon);
        _cg.Solve(_lin, epsilon, _single, _g, _z, 1e-10, 50, transposedZ: _step);
        return _step[0];
    }

    [Benchmark(Description = "float32 NTK: two SSYRKs (yardstick)")]
    public double SingleNtk()
    {
        _single.Assemble(_lin);
        return _single.MaxDiagonal;
    }

    [Benchmark(Description = "J·(Jᵀp), one CG product (yardstick)")]
    public double KernelProduct()
    {
        _lin.MultiplyTransposed(_g, _step);
        _lin.Multiply(_step, _product);
        return _product[0];
    }

    [Benchmark(Description = "Cholesky N = 2000 (yardstick)")]
    public double Cholesky()
    {
        _copy.CopyFrom(_ntk);
        new Cholesky<double>(_copy).Factor(ArbelDamping.DefaultFloor);
        return _copy[0, 0];
    }

    [Benchmark(Description = "λ_min by Lanczos, warm start (previous iterate)")]
    public double LanczosWarm()
    {
        _eigen.StartFrom(_previousRitz);
        return _eigen.Estimate(_factor);
    }

    [Benchmark(Description = "λ_min for Arbel's rule (warm, stops once below ε₀)")]
    public double LanczosForArbel()
    {
        _eigen.StartFrom(_previousRitz);
        return _eigen.Estimate(_factor, enoughBelow: ArbelDamping.DefaultFloor);
    }

    [Benchmark(Description = "λ_min by Lanczos, cold start")]
    public double LanczosCold()
    {
        _eigen.Reset();
        return _eigen.Estimate(_factor);
    }

    [Benchmark(Description = "λ_min by dsyevr")]
    public double DsyevrSmallest() => SymmetricEigen.Smallest(_ntk);

    [GlobalCleanup]
    public void Cleanup()
    {
        _lin.Dispose();
        _system.Dispose();
        _x.Dispose();
        _copy.Dispose();
        _ntk.Dispose();
        _factored.Dispose();
        _single.Dispose();
    }
}
