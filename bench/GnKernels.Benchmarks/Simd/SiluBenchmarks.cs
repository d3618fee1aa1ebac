using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Simd;

namespace GnKernels.Benchmarks.Simd;

/// <summary>SiLU throughput per path, against TensorPrimitives (Sigmoid then Multiply), a scalar Math.Exp loop and a copy.
/// Elements/ns = N / mean time in ns.</summary>
[Config(typeof(BenchConfig))]
public class SiluBenchmarks
{
    private double[] _x = null!, _y = null!, _dy = null!;
    private float[] _xf = null!, _yf = null!;

    [Params(4096, 4_194_304)] public int N;
    [Params(SimdPath.Scalar, SimdPath.V128, SimdPath.V256, SimdPath.V512)] public SimdPath Path;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(3);
        _x = Enumerable.Range(0, N).Select(_ => (rng.NextDouble() - 0.5) * 20).ToArray();
        _y = new double[N];
        _dy = new double[N];
        _xf = _x.Select(v => (float)v).ToArray();
        _yf = new float[N];
    }

    [Benchmark] public void SiluF64() => SiluKernels.Silu<double>(_x, _y, Path);
    [Benchmark] public void SiluWithDerivativeF64() => SiluKernels.SiluWithDerivative<double>(_x, _y, _dy, Path);
    [Benchmark] public void SiluF32() => SiluKernels.Silu<float>(_xf, _yf, Path);

    [Benchmark]
    public void TensorPrimitivesSigmoidTimesXF64()
    {
        if (Path != SimdPath.V512) return; // path-independent: measured once
        TensorPrimitives.Sigmoid(_x, _y);
        TensorPrimitives.Multiply(_x, _y, _y);
    }

    [Benchmark]
    public void ScalarMathExpF64()
    {
        if (Path != SimdPath.V512) return;
        for (int i = 0; i < _x.Length; i++) _y[i] = _x[i] / (1 + Math.Exp(-_x[i]));
    }

    [Benchmark]
    public void CopyF64()
    {
        if (Path != SimdPath.V512) return;
        _x.AsSpan().CopyTo(_y);
    }
}
