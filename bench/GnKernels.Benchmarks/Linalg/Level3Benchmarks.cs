using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;

namespace GnKernels.Benchmarks.Linalg;

/// <summary>
/// The BLAS rates the compute-bound kernels are measured against (roofline yardsticks), in double and in float
/// (SGEMM/SSYRK run about twice as fast: the case for float32 factors as preconditioners).
/// </summary>
[Config(typeof(BenchConfig))]
public class Level3Benchmarks
{
    private DenseMatrix<double> _a = null!, _b = null!, _c = null!, _s = null!;
    private DenseMatrix<float> _af = null!, _bf = null!, _cf = null!, _sf = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    public static IEnumerable<int> Sizes => Suite.Sizes([1000], [1000, 2000]);
    [Params(1, 2)] public int Threads;

    public static double FlopCount(string method, IReadOnlyDictionary<string, object> p)
    {
        double n = (int)p["N"];
        return method is nameof(Dgemm) or nameof(Sgemm) ? 2 * n * n * n : n * n * n; // SYRK: N²K with K = N
    }

    /// <summary>The least traffic: A, B read and C written once (SYRK: A once, the lower half of C).</summary>
    public static double ByteCount(string method, IReadOnlyDictionary<string, object> p)
    {
        double n = (int)p["N"], size = method is nameof(Sgemm) or nameof(Ssyrk) ? 4 : 8;
        return method is nameof(Dgemm) or nameof(Sgemm) ? 3 * n * n * size : 1.5 * n * n * size;
    }

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _a = Seeded.Uniform(N, N, 1);
        _b = Seeded.Uniform(N, N, 2);
        _c = new DenseMatrix<double>(N, N);
        _s = new DenseMatrix<double>(N, N);
        _af = Single(_a);
        _bf = Single(_b);
        _cf = new DenseMatrix<float>(N, N);
        _sf = new DenseMatrix<float>(N, N);
    }

    private static DenseMatrix<float> Single(DenseMatrix<double> m)
    {
        var f = DenseMatrix<float>.CreateUninitialized(m.Rows, m.Cols);
        for (nint i = 0; i < m.Rows; i++)
        {
            Span<double> row = m.Row(i);
            Span<float> to = f.Row(i);
            for (int j = 0; j < row.Length; j++) to[j] = (float)row[j];
        }
        return f;
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

    [Benchmark(Description = "SGEMM N×N×N")]
    public float Sgemm()
    {
        Blas.Gemm(1f, _af, Transpose.None, _bf, Transpose.None, 0f, _cf);
        return _cf[0, 0];
    }

    [Benchmark(Description = "SSYRK N×N (K = N)")]
    public float Ssyrk()
    {
        Blas.SyrkLower(1f, _af, Transpose.None, 0f, _sf);
        return _sf[0, 0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var m in new IDisposable[] { _a, _b, _c, _s, _af, _bf, _cf, _sf }) m.Dispose();
    }
}
