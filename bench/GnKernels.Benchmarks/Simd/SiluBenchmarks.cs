using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Simd;

namespace GnKernels.Benchmarks.Simd;

/// <summary>SiLU throughput per path (a parameter, so the ratios between paths come from one run).
/// The baselines to compare against are in <see cref="SiluBaselineBenchmarks"/>; run both with one filter.</summary>
[Config(typeof(BenchConfig))]
public class SiluBenchmarks
{
    private double[] _x = null!, _y = null!, _dy = null!;
    private float[] _xf = null!, _yf = null!, _dyf = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    // 4099 is no multiple of any vector width: the full suite measures the overlapping tail step too.
    public static IEnumerable<int> Sizes => Suite.Sizes([4096], [4096, 4099, 4_194_304]);
    [ParamsSource(nameof(Paths))] public SimdPath Path;
    public static IEnumerable<SimdPath> Paths => Suite.Paths([SimdPath.Scalar, SimdPath.V128, SimdPath.V256, SimdPath.V512]);

    public static double ElementCount(string method, IReadOnlyDictionary<string, object> p) => (int)p["N"];

    /// <summary>Bytes read and written: x and y (f64 16 B, f32 8 B per element), plus dy or upstream (24 B, 12 B).</summary>
    public static double ByteCount(string method, IReadOnlyDictionary<string, object> p) => (int)p["N"] * method switch
    {
        nameof(SiluF32) => 8,
        nameof(SiluWithDerivativeF32) => 12,
        nameof(SiluWithDerivativeF64) or nameof(SiluBackwardF64) => 24,
        _ => 16,
    };

    public const string CopyYardstick = nameof(SiluBaselineBenchmarks.CopyF64);

    /// <summary>
    /// The ratios the "× ref time" column reports: the fused kernel and the backward against the forward of their
    /// precision and path, the forward against TensorPrimitives' Sigmoid·x of its precision.
    /// </summary>
    public static string? TimeReference(string method) => method switch
    {
        nameof(SiluF64) or nameof(ExpStageF64) => nameof(SiluBaselineBenchmarks.TensorPrimitivesSigmoidTimesXF64),
        nameof(SiluF32) => nameof(SiluBaselineBenchmarks.TensorPrimitivesSigmoidTimesXF32),
        nameof(SiluWithDerivativeF64) or nameof(SiluBackwardF64) => nameof(SiluF64),
        nameof(SiluWithDerivativeF32) => nameof(SiluF32),
        _ => null,
    };

    [GlobalSetup]
    public void Setup()
    {
        _x = Inputs(N);
        // Written, not fresh: the backward reads _y as its upstream, and never-written pages all map the kernel's
        // shared zero page, 4 KiB at a time, which makes a large backward read faster than real memory.
        _y = Inputs(N);
        _dy = new double[N];
        _xf = _x.Select(v => (float)v).ToArray();
        _yf = new float[N];
        _dyf = new float[N];
    }

    [Benchmark] public double SiluF64() { SiluKernels.Silu<double>(_x, _y, Path); return _y[^1]; }
    [Benchmark] public double SiluWithDerivativeF64() { SiluKernels.SiluWithDerivative<double>(_x, _y, _dy, Path); return _dy[^1]; }
    [Benchmark] public double SiluBackwardF64() { SiluKernels.SiluBackward<double>(_x, _y, _dy, Path); return _dy[^1]; }
    [Benchmark] public float SiluF32() { SiluKernels.Silu<float>(_xf, _yf, Path); return _yf[^1]; }
    [Benchmark] public float SiluWithDerivativeF32() { SiluKernels.SiluWithDerivative<float>(_xf, _yf, _dyf, Path); return _dyf[^1]; }

    /// <summary>
    /// The floor under every double kernel of the path: the same loop with only the exp stage (e^{−|x|}·2^76 stored),
    /// no quotient, no corrections.
    /// </summary>
    [Benchmark] public double ExpStageF64() { ElementwiseDriver.Run<double, ExpStageOperator<double>>(Path, _x, _y); return _y[^1]; }

    /// <summary>What the kernels' first stage computes, stored as it is: the exp stage's cost in the kernels' own loops.</summary>
    private readonly struct ExpStageOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static bool WideSteps => true;
        public static TV Finish<TV>(TV x, TV minusA, TV started) where TV : struct, ILanes<TV, T> => started;
    }

    /// <summary>Seeded inputs uniform on [−10, 10]: both branches of the sigmoid, no overflow shortcuts.</summary>
    internal static double[] Inputs(int n)
    {
        var rng = new Random(3);
        return Enumerable.Range(0, n).Select(_ => (rng.NextDouble() - 0.5) * 20).ToArray();
    }
}

/// <summary>
/// What SiLU is compared against, at the same sizes and data as <see cref="SiluBenchmarks"/>: TensorPrimitives
/// (Sigmoid then Multiply), SiLU on the runtime's Vector512.Exp (the alternative to our inlined exp), a scalar
/// Math.Exp loop, and a copy of the same size (the bandwidth yardstick).
/// </summary>
[Config(typeof(BenchConfig))]
public class SiluBaselineBenchmarks
{
    private double[] _x = null!, _y = null!;
    private float[] _xf = null!, _yf = null!;

    [ParamsSource(nameof(Sizes))] public int N;
    public static IEnumerable<int> Sizes => SiluBenchmarks.Sizes;

    public static double ElementCount(string method, IReadOnlyDictionary<string, object> p) => (int)p["N"];

    /// <summary>Bytes read and written; the TensorPrimitives composition makes two passes (x → y, then x·y → y).</summary>
    public static double ByteCount(string method, IReadOnlyDictionary<string, object> p) => (int)p["N"] * method switch
    {
        nameof(TensorPrimitivesSigmoidTimesXF64) => 40,
        nameof(TensorPrimitivesSigmoidTimesXF32) => 20,
        _ => 16,
    };

    public const string CopyYardstick = nameof(CopyF64);

    [GlobalSetup]
    public void Setup()
    {
        _x = SiluBenchmarks.Inputs(N);
        _y = new double[N];
        _xf = _x.Select(v => (float)v).ToArray();
        _yf = new float[N];
        SetupCopy();
    }

    [Benchmark]
    public double TensorPrimitivesSigmoidTimesXF64()
    {
        TensorPrimitives.Sigmoid(_x, _y);
        TensorPrimitives.Multiply(_x, _y, _y);
        return _y[^1];
    }

    [Benchmark]
    public float TensorPrimitivesSigmoidTimesXF32()
    {
        TensorPrimitives.Sigmoid(_xf, _yf);
        TensorPrimitives.Multiply(_xf, _yf, _yf);
        return _yf[^1];
    }

    /// <summary>x / (1 + e^−x) with the runtime's Vector512.Exp: the alternative to our inlined exp polynomial.</summary>
    [Benchmark]
    public double RuntimeVectorExpSiluF64()
    {
        ReadOnlySpan<double> x = _x;
        Span<double> y = _y;
        int i = 0;
        for (; i <= x.Length - Vector512<double>.Count; i += Vector512<double>.Count)
        {
            var v = Vector512.Create(x.Slice(i, Vector512<double>.Count));
            (v / (Vector512<double>.One + Vector512.Exp(-v))).CopyTo(y.Slice(i, Vector512<double>.Count));
        }
        for (; i < x.Length; i++) y[i] = x[i] / (1 + Math.Exp(-x[i]));
        return y[^1];
    }

    [Benchmark]
    public double ScalarMathExpF64()
    {
        for (int i = 0; i < _x.Length; i++) _y[i] = _x[i] / (1 + Math.Exp(-_x[i]));
        return _y[^1];
    }

    /// <summary>
    /// The bandwidth yardstick: a copy whose destination sits 2 KiB from its source modulo 4 KiB, in pinned memory
    /// that cannot move. Two plain arrays of n = 4096 lie 32 KiB apart, the same offset modulo 4 KiB, where a copy's
    /// loads run into its own recent stores (4 KiB aliasing): on a Zen 3 that copy ran at 0.31 el/ns against 5 at
    /// n = 4099, which made the "of copy" column meaningless.
    /// </summary>
    [Benchmark]
    public double CopyF64()
    {
        CopySource.CopyTo(CopyDestination);
        return _copyMemory[_copySource + CopyApart + N - 1];
    }

    private ReadOnlySpan<double> CopySource => _copyMemory.AsSpan(_copySource, N);
    private Span<double> CopyDestination => _copyMemory.AsSpan(_copySource + CopyApart, N);
    private double[] _copyMemory = null!;
    private int _copySource;
    private int CopyApart => (N * sizeof(double) + 4095) / 4096 * 4096 / sizeof(double) + 2048 / sizeof(double);

    private void SetupCopy()
    {
        _copyMemory = GC.AllocateArray<double>(2 * N + 8192, pinned: true);
        long address = System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(_copyMemory, 0);
        _copySource = (int)((4096 - address % 4096) % 4096 / sizeof(double));
        _x.CopyTo(_copyMemory, _copySource);
    }
}
