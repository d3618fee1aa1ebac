using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;

namespace GnKernels.Benchmarks.Linalg;

/// <summary>The BLAS rates the compute-bound kernels are measured against (roofline yardsticks).</summary>
[Config(typeof(BenchConfig))]
public class Level3Benchmarks
{
    private DenseMatrix<double> _a = null!, _b = null!, _c = null!, _s = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    public static IEnumerable<int> Sizes => Suite.Sizes([1000], [1000, 2000]);
    [Params(1, 2)] public int Threads;

    public static double FlopCount(string method, IReadOnlyDictionary<string, object> p)
    {
        double n = (int)p["N"];
        return method == nameof(Dgemm) ? 2 * n * n * n : n * n * n; // DSYRK: N²K with K = N
    }

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _a = Seeded.Uniform(N, N, 1);
        _b = Seeded.Uniform(N, N, 2);
        _c = new DenseMatrix<double>(N, N);
        _s = new DenseMatrix<double>(N, N);
    }

    [Benchmark(Description = "DGEMM N×N×N")]
    public double Dgemm()
    {
        Blas.Gemm(1.0, _a, Transpose.None, _b, Transpose.None, 0.0, _c);
        return _c[0, 0];
    }

    [Benchmark(Description = "DSYRK N×N (K = N)")]
    public double Dsyrk()
    {
        Blas.SyrkLower(1.0, _a, Transpose.None, 0.0, _s);
        return _s[0, 0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose(); _b.Dispose(); _c.Dispose(); _s.Dispose();
    }
}
