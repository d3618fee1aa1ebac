using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;

namespace GnKernels.Benchmarks.Calibration;

/// <summary>
/// The machine's own limits, measured with each suite so every figure can be read as a fraction of them: the FMA peak
/// of one core and of all cores (independent chains of Vector512/256 FMAs, as wide as the JIT accelerates), the DGEMM
/// rate on one and on all threads, and the bandwidth of a copy far out of cache. `gnk bench-report` divides by these.
/// </summary>
[Config(typeof(BenchConfig))]
public class MachineCalibration
{
    private const int FmaSteps = 1 << 20, Chains = 12;
    private const int CopyElements = 32 << 20; // 256 MiB per array: far beyond any L3

    private double[] _from = null!, _to = null!;
    private DenseMatrix<double> _a = null!, _b = null!, _c = null!;

    [GlobalSetup]
    public void Setup()
    {
        _from = new double[CopyElements];
        _to = new double[CopyElements];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_from.AsSpan()));
        for (int i = 0; i < _from.Length; i++) if (!double.IsFinite(_from[i])) _from[i] = 0;
        _a = Seeded.Uniform(2000, 2000, 1);
        _b = Seeded.Uniform(2000, 2000, 2);
        _c = new DenseMatrix<double>(2000, 2000);
    }

    /// <summary>Flops per operation: an FMA is two; DGEMM 2n³.</summary>
    public static double FlopCount(string method, IReadOnlyDictionary<string, object> p) => method switch
    {
        nameof(FmaPeakOneCore) => 2.0 * FmaSteps * Chains * Lanes,
        nameof(FmaPeakAllCores) => 2.0 * FmaSteps * Chains * Lanes * Environment.ProcessorCount,
        nameof(DgemmOneThread) or nameof(DgemmAllThreads) => 2.0 * 2000 * 2000 * 2000,
        _ => 0,
    };

    /// <summary>Bytes a copy moves: read one array, write the other.</summary>
    public static double ByteCount(string method, IReadOnlyDictionary<string, object> p) => method == nameof(CopyBandwidth) ? 16.0 * CopyElements : 0;

    private static int Lanes => Vector512.IsHardwareAccelerated ? 8 : Vector256.IsHardwareAccelerated ? 4 : Vector128.IsHardwareAccelerated ? 2 : 1;

    [Benchmark(Description = "FMA peak, one core")]
    public double FmaPeakOneCore() => Fma(1.0);

    [Benchmark(Description = "FMA peak, all cores")]
    public double FmaPeakAllCores()
    {
        var sums = new double[Environment.ProcessorCount];
        Parallel.For(0, sums.Length, new ParallelOptions { MaxDegreeOfParallelism = sums.Length }, i => sums[i] = Fma(1.0 + i));
        return sums.Sum();
    }

    [Benchmark(Description = "DGEMM 2000³, one thread")]
    public double DgemmOneThread()
    {
        using (BlasThreads.SingleThreaded()) Blas.Gemm(1.0, _a, Transpose.None, _b, Transpose.None, 0.0, _c);
        return _c[0, 0];
    }

    [Benchmark(Description = "DGEMM 2000³, all threads")]
    public double DgemmAllThreads()
    {
        using (BlasThreads.WithCount(Environment.ProcessorCount)) Blas.Gemm(1.0, _a, Transpose.None, _b, Transpose.None, 0.0, _c);
        return _c[0, 0];
    }

    [Benchmark(Description = "copy, 256 MiB")]
    public double CopyBandwidth()
    {
        _from.AsSpan().CopyTo(_to);
        return _to[^1];
    }

    // Twelve independent chains hide the FMA latency (4 cycles × 2–3 pipes); the widest accelerated vector.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Fma(double seed)
    {
        if (Vector512.IsHardwareAccelerated) return Fma512(seed);
        if (Vector256.IsHardwareAccelerated) return Fma256(seed);
        return Fma128(seed);
    }

    private static double Fma512(double seed)
    {
        var m = Vector512.Create(0.999999);
        var c = Vector512.Create(1e-7);
        Vector512<double> a0 = Vector512.Create(seed), a1 = a0 + c, a2 = a1 + c, a3 = a2 + c, a4 = a3 + c, a5 = a4 + c;
        Vector512<double> a6 = a5 + c, a7 = a6 + c, a8 = a7 + c, a9 = a8 + c, a10 = a9 + c, a11 = a10 + c;
        for (int i = 0; i < FmaSteps; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c); a2 = Vector512.FusedMultiplyAdd(a2, m, c);
            a3 = Vector512.FusedMultiplyAdd(a3, m, c); a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c); a8 = Vector512.FusedMultiplyAdd(a8, m, c);
            a9 = Vector512.FusedMultiplyAdd(a9, m, c); a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    private static double Fma256(double seed)
    {
        var m = Vector256.Create(0.999999);
        var c = Vector256.Create(1e-7);
        Vector256<double> a0 = Vector256.Create(seed), a1 = a0 + c, a2 = a1 + c, a3 = a2 + c, a4 = a3 + c, a5 = a4 + c;
        Vector256<double> a6 = a5 + c, a7 = a6 + c, a8 = a7 + c, a9 = a8 + c, a10 = a9 + c, a11 = a10 + c;
        for (int i = 0; i < FmaSteps; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c); a2 = Vector256.FusedMultiplyAdd(a2, m, c);
            a3 = Vector256.FusedMultiplyAdd(a3, m, c); a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c); a8 = Vector256.FusedMultiplyAdd(a8, m, c);
            a9 = Vector256.FusedMultiplyAdd(a9, m, c); a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    private static double Fma128(double seed)
    {
        var m = Vector128.Create(0.999999);
        var c = Vector128.Create(1e-7);
        Vector128<double> a0 = Vector128.Create(seed), a1 = a0 + c, a2 = a1 + c, a3 = a2 + c, a4 = a3 + c, a5 = a4 + c;
        Vector128<double> a6 = a5 + c, a7 = a6 + c, a8 = a7 + c, a9 = a8 + c, a10 = a9 + c, a11 = a10 + c;
        for (int i = 0; i < FmaSteps; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(a0, m, c); a1 = Vector128.FusedMultiplyAdd(a1, m, c); a2 = Vector128.FusedMultiplyAdd(a2, m, c);
            a3 = Vector128.FusedMultiplyAdd(a3, m, c); a4 = Vector128.FusedMultiplyAdd(a4, m, c); a5 = Vector128.FusedMultiplyAdd(a5, m, c);
            a6 = Vector128.FusedMultiplyAdd(a6, m, c); a7 = Vector128.FusedMultiplyAdd(a7, m, c); a8 = Vector128.FusedMultiplyAdd(a8, m, c);
            a9 = Vector128.FusedMultiplyAdd(a9, m, c); a10 = Vector128.FusedMultiplyAdd(a10, m, c); a11 = Vector128.FusedMultiplyAdd(a11, m, c);
        }
        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose(); _b.Dispose(); _c.Dispose();
    }
}
