using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Benchmarks.Models;

/// <summary>
/// The structured NTK s²·[ΦΦᵀ + (GGᵀ)∘(XXᵀ)] against the explicit-Jacobian path (form J, N×P, then one DSYRK)
/// and against its own flops done by plain DSYRK (two N×M updates: the roofline yardstick), in one run.
/// </summary>
[Config(typeof(BenchConfig))]
public class NtkBenchmarks
{
    public const string Yardstick = nameof(DsyrkTwoNByM);

    private TwoLayerSiluLinearization _lin = null!;
    private DenseMatrix<double> _x = null!, _a = null!, _j = null!;

    [ParamsSource(nameof(Shapes))] public string Shape = "";
    public static IEnumerable<string> Shapes => Suite.Sizes(["500x5000x10"], ["500x5000x10", "2000x5000x10"]);
    [Params(1, 2)] public int Threads;

    private (int N, int M, int D) Size => Parse(Shape);

    private static (int N, int M, int D) Parse(string shape)
    {
        int[] p = shape.Split('x').Select(int.Parse).ToArray();
        return (p[0], p[1], p[2]);
    }

    public static double FlopCount(string method, IReadOnlyDictionary<string, object> p)
    {
        var (n, m, d) = Parse((string)p["Shape"]);
        double nn = (double)n * n;
        return method == nameof(ExplicitJacobianNtk) ? nn * m * (d + 1) : 2 * nn * m; // DSYRK: N²K
    }

    /// <summary>The least traffic: Φ and E read once (the explicit path: J, N×P), the lower half of A written.</summary>
    public static double ByteCount(string method, IReadOnlyDictionary<string, object> p)
    {
        var (n, m, d) = Parse((string)p["Shape"]);
        double nn = (double)n * n;
        return 8 * ((method == nameof(ExplicitJacobianNtk) ? (double)n * m * (d + 1) : 2.0 * n * m) + nn / 2);
    }

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        var (n, m, d) = Size;
        var model = new TwoLayerSilu(d, m);
        _x = Seeded.Uniform(n, d, 1);
        var rng = new Random(2);
        double[] w = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray(); // v ≠ 0: both terms
        _lin = model.CreateLinearization(n);
        _lin.Evaluate(_x, w);
        _a = new DenseMatrix<double>(n, n);
        _j = DenseMatrix<double>.CreateUninitialized(n, model.ParameterCount);
    }

    [Benchmark(Description = "structured NTK")]
    public double StructuredNtk()
    {
        _lin.Ntk(_a);
        return _a[0, 0];
    }

    [Benchmark(Description = "explicit J, then DSYRK N×P")]
    public double ExplicitJacobianNtk()
    {
        _lin.JacobianRows(0, _j);
        Blas.SyrkLower(1.0, _j, Transpose.None, 0.0, _a);
        return _a[0, 0];
    }

    [Benchmark(Description = "yardstick: 2 DSYRK N×M")]
    public double DsyrkTwoNByM() => Yardsticks.TwoDsyrks(_lin, _a);

    [GlobalCleanup]
    public void Cleanup()
    {
        _lin.Dispose();
        _x.Dispose();
        _a.Dispose();
        _j.Dispose();
    }
}
