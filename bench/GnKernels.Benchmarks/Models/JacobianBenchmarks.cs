using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Benchmarks.Models;

/// <summary>
/// The two-layer network's Jacobian primitives a solver calls besides the NTK: J·δw and Jᵀz (memory-bound passes over
/// Φ and E, so GB/s is their yardstick), the weighted NTK J·diag(h)·Jᵀ of GGN-SCORE and the forward pass, at the
/// training shape; the weighted NTK against two DSYRKs of N×M (the plain NTK's floor) in the same run; and each
/// product with three vectors in one pass, timed against one product (three single products would be 3.0).
/// </summary>
[Config(typeof(BenchConfig))]
public class JacobianBenchmarks
{
    public const string Yardstick = nameof(DsyrkTwoNByM);
    private const int N = 500, M = 5000, D = 10;

    private TwoLayerSiluLinearization _lin = null!;
    private DenseMatrix<double> _x = null!, _a = null!, _unitsByInput = null!, _preActivations = null!;
    private double[] _w = null!, _direction = null!, _z = null!, _product = null!, _weights = null!;
    private double[] _directions = null!, _zs = null!, _products = null!, _outputs = null!; // three vectors each

    [Params(1, 2)] public int Threads;

    public static double FlopCount(string method, IReadOnlyDictionary<string, object> p) => method switch
    {
        nameof(Multiply) or nameof(MultiplyTransposed) => 2.0 * N * M * (D + 1), // GEMM of N×d×M plus Φ·δv
        nameof(MultiplyThree) or nameof(MultiplyTransposedThree) => 3 * 2.0 * N * M * (D + 1),
        nameof(WeightedNtk) or nameof(DsyrkTwoNByM) => 2.0 * N * N * M,
        nameof(GemmPreActivations) => 2.0 * N * M * D,
        _ => 0,
    };

    /// <summary>Bytes moved at least: the product passes read Φ and E (N×M doubles each), the forward pass writes them,
    /// the GEMM yardstick writes Z.</summary>
    public static double ByteCount(string method, IReadOnlyDictionary<string, object> p) => method switch
    {
        nameof(Multiply) or nameof(MultiplyTransposed) or nameof(MultiplyThree) or nameof(MultiplyTransposedThree) or nameof(Evaluate) => 16.0 * N * M,
        nameof(GemmPreActivations) => 8.0 * ((double)N * M + (double)N * D + (double)D * M), // Z written, X and Uᵀ read
        _ => 8 * (2.0 * N * M + (double)N * N / 2), // the NTKs: Φ and E read once, the lower half of A written
    };

    /// <summary>The "× ref time" column: a pass with three vectors over one product with one.</summary>
    public static string? TimeReference(string method) => method switch
    {
        nameof(MultiplyThree) => nameof(Multiply),
        nameof(MultiplyTransposedThree) => nameof(MultiplyTransposed),
        _ => null,
    };

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        var model = new TwoLayerSilu(D, M);
        _x = Seeded.Uniform(N, D, 1);
        var rng = new Random(2);
        _w = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
        _direction = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
        _weights = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() + 0.5).ToArray();
        _z = Enumerable.Range(0, N).Select(_ => rng.NextDouble() - 0.5).ToArray();
        _product = new double[model.ParameterCount];
        _directions = Enumerable.Range(0, 3 * model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
        _zs = Enumerable.Range(0, 3 * N).Select(_ => rng.NextDouble() - 0.5).ToArray();
        (_products, _outputs) = (new double[3 * model.ParameterCount], new double[3 * N]);
        _lin = model.CreateLinearization(N);
        _lin.Evaluate(_x, _w);
        _a = new DenseMatrix<double>(N, N);
        _unitsByInput = Seeded.Uniform(D, M, 3);
        _preActivations = new DenseMatrix<double>(N, M);
    }

    [Benchmark(Description = "forward pass (GEMM + fused SiLU + GEMV)")]
    public double Evaluate()
    {
        _lin.Evaluate(_x, _w);
        return _lin.Output[0];
    }

    [Benchmark(Description = "J·δw")]
    public double Multiply()
    {
        _lin.Multiply(_direction, _z);
        return _z[0];
    }

    [Benchmark(Description = "Jᵀz")]
    public double MultiplyTransposed()
    {
        _lin.MultiplyTransposed(_z, _product);
        return _product[0];
    }

    [Benchmark(Description = "J·δw, three directions in one pass")]
    public double MultiplyThree()
    {
        _lin.Multiply(_directions, _outputs, 3);
        return _outputs[0];
    }

    [Benchmark(Description = "Jᵀz, three vectors in one pass")]
    public double MultiplyTransposedThree()
    {
        _lin.MultiplyTransposed(_zs, _products, 3);
        return _products[0];
    }

    [Benchmark(Description = "weighted NTK J·diag(h)·Jᵀ")]
    public double WeightedNtk()
    {
        _lin.WeightedNtk(_weights, _a);
        return _a[0, 0];
    }

    /// <summary>Z = X·Uᵀ by one DGEMM of inner dimension d into an N×M matrix: the forward pass's affine part done the
    /// BLAS way, the yardstick its time is compared with (with the fused SiLU's rate over N·M elements).</summary>
    [Benchmark(Description = "yardstick: GEMM Z = X·Uᵀ (N×d×M)")]
    public double GemmPreActivations()
    {
        Blas.Gemm(1.0, _x, Transpose.None, _unitsByInput, Transpose.None, 0.0, _preActivations);
        return _preActivations[0, 0];
    }

    [Benchmark(Description = "yardstick: 2 DSYRK N×M")]
    public double DsyrkTwoNByM() => Yardsticks.TwoDsyrks(_lin, _a);

    [GlobalCleanup]
    public void Cleanup()
    {
        _lin.Dispose();
        _x.Dispose();
        _a.Dispose();
        _unitsByInput.Dispose();
        _preActivations.Dispose();
    }
}
