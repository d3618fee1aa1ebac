using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Simd;

namespace GnKernels.Benchmarks.Simd;

/// <summary>
/// Whether SiLU's speed depends on where its buffers land: x on a 4 KiB boundary, the outputs 64 KiB + Offset bytes
/// after it (and after each other), so Offset is their distance from x modulo 4 KiB. A load that matches an earlier
/// store in address bits 11:0 but not above may be held as if it depended on it (4 KiB aliasing); outputs a little
/// after the input (Offset 32–256) are where loads run into recent stores. n = 4096 doubles (32 KiB, in L1/L2).
/// Full suite only: a diagnosis of placement, not a kernel's speed.
/// </summary>
[Config(typeof(BenchConfig))]
public class SiluPlacementBenchmarks
{
    private const int N = 4096, Apart = 8192; // 64 KiB between the buffers, in doubles
    private double[] _memory = null!;
    private int _x, _y, _dy;

    [ParamsSource(nameof(Offsets))] public int Offset;
    public static IEnumerable<int> Offsets => Suite.Sizes<int>([], [0, 32, 64, 256, 2048, 4064]);
    [ParamsSource(nameof(Paths))] public SimdPath Path;
    public static IEnumerable<SimdPath> Paths => Suite.Paths([SimdPath.V256, SimdPath.V512]);

    public static double ElementCount(string method, IReadOnlyDictionary<string, object> p) => N;

    [GlobalSetup]
    public void Setup()
    {
        _memory = GC.AllocateArray<double>(4 * Apart + 1024, pinned: true);
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(_memory, 0);
        _x = (int)((4096 - address % 4096) % 4096 / sizeof(double));
        _y = _x + Apart + Offset / sizeof(double);
        _dy = _y + Apart + Offset / sizeof(double);
        SiluBenchmarks.Inputs(N).CopyTo(_memory, _x);
    }

    [Benchmark] public double SiluF64() { SiluKernels.Silu<double>(X, Y, Path); return _memory[_y]; }
    [Benchmark] public double SiluWithDerivativeF64() { SiluKernels.SiluWithDerivative<double>(X, Y, _memory.AsSpan(_dy, N), Path); return _memory[_dy]; }
    [Benchmark] public double CopyF64() { X.CopyTo(Y); return _memory[_y]; }

    private ReadOnlySpan<double> X => _memory.AsSpan(_x, N);
    private Span<double> Y => _memory.AsSpan(_y, N);
}
