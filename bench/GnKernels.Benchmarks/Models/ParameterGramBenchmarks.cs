using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Benchmarks.Models;

/// <summary>
/// JᵀJ (P×P), the parameter-form matrix used when P &lt; N (the under-parameterized regime), against a DSYRK of the
/// same P×P result from an N-long inner dimension (its floor) in the same run.
/// </summary>
[Config(typeof(BenchConfig))]
public class ParameterGramBenchmarks
{
    public const string Yardstick = nameof(DsyrkPByN);
    private const int N = 4000, M = 100, D = 10;

    private TwoLayerSiluLinearization _lin = null!;
    private DenseMatrix<double> _x = null!, _gram = null!, _j = null!;

    [Params(1, 2)] public int Threads;

    public static double FlopCount(string method, IReadOnlyDictionary<string, object> p)
    {
        double parameters = (double)M * (D + 1);
        return parameters * parameters * N; // SYRK: P²·N
    }

    /// <summary>The least traffic: J (N×P) read once, the lower half of the P×P result written.</summary>
    public static double ByteCount(string method, IReadOnlyDictionary<string, object> p)
    {
        double parameters = (double)M * (D + 1);
        return 8 * (N * parameters + parameters * parameters / 2);
    }

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        var model = new TwoLayerSilu(D, M);
        _x = Seeded.Uniform(N, D, 1);
        var rng = new Random(2);
        double[] w = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
        _lin = model.CreateLinearization(N);
        _lin.Evaluate(_x, w);
        _gram = new DenseMatrix<double>(model.ParameterCount, model.ParameterCount);
        _j = Seeded.Uniform(N, model.ParameterCount, 3);
    }

    [Benchmark(Description = "parameter Gram JᵀJ")]
    public double ParameterGram()
    {
        _lin.ParameterGram(_gram);
        return _gram[0, 0];
    }

    [Benchmark(Description = "yardstick: DSYRK P×N")]
    public double DsyrkPByN()
    {
        Blas.SyrkLower(1.0, _j, Transpose.Transposed, 0.0, _gram);
        return _gram[0, 0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _lin.Dispose();
        _x.Dispose();
        _gram.Dispose();
        _j.Dispose();
    }
}
