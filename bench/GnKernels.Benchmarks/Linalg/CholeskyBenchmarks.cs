using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Native;
using MathNetMatrix = MathNet.Numerics.LinearAlgebra.Matrix<double>;
using MathNetVector = MathNet.Numerics.LinearAlgebra.Vector<double>;

namespace GnKernels.Benchmarks.Linalg;

/// <summary>Cholesky factor + one solve: the safe API against the raw LAPACK call and MathNet's managed peer.</summary>
[Config(typeof(BenchConfig))]
public unsafe class CholeskyBenchmarks
{
    private DenseMatrix<double> _source = null!, _work = null!;
    private double[] _rhs = null!, _x = null!;
    private MathNetMatrix _mathNet = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    public static IEnumerable<int> Sizes => Suite.Sizes([1000], [500, 1000, 2000]);
    [Params(1, 2)] public int Threads;

    public static double FlopCount(string method, IReadOnlyDictionary<string, object> p)
    {
        double n = (int)p["N"];
        return n * n * n / 3 + 2 * n * n;
    }

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _source = Seeded.Spd(N, seed: 42);
        _work = DenseMatrix<double>.CreateUninitialized(N, N);
        _rhs = Enumerable.Range(0, N).Select(i => Math.Sin(i)).ToArray();
        _x = new double[N];
        _mathNet = MathNetMatrix.Build.DenseOfArray(_source.ToArray());
    }

    [IterationSetup]
    public void CopyInput()
    {
        _work.CopyFrom(_source);
        _rhs.CopyTo(_x, 0);
    }

    [Benchmark(Baseline = true, Description = "raw dpotrf+dpotrs")]
    public double Raw()
    {
        byte uplo = (byte)'U';
        int n = N, lda = N, nrhs = 1, info;
        fixed (double* a = _work.Row(0)) fixed (double* b = _x)
        {
            Lapack.Dpotrf(&uplo, &n, a, &lda, &info, 1);
            Lapack.Dpotrs(&uplo, &n, &nrhs, a, &lda, b, &n, &info, 1);
        }
        return _x[0];
    }

    [Benchmark(Description = "Cholesky<double> Factor+Solve")]
    public double SafeApi()
    {
        var chol = new Cholesky<double>(_work);
        chol.Factor();
        chol.Solve(_x);
        return _x[0];
    }

    [Benchmark(Description = "MathNet managed Cholesky+Solve")]
    public double ManagedMathNet()
    {
        var x = _mathNet.Cholesky().Solve(MathNetVector.Build.Dense(_rhs));
        return x[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source.Dispose();
        _work.Dispose();
    }
}
