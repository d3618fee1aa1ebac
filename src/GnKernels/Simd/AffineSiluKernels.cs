using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace GnKernels.Simd;

/// <summary>
/// One row of the forward pass in one loop: z = b + Σₖ x[k]·A[k, offset + j] (<see cref="AffineKernels"/>'s order, so
/// the same bits), then φ = silu(z) and e = silu'(z)·w by the fused kernel's formulas on the same lanes as
/// <see cref="SiluKernels"/>' path (the same bits again). z lives in registers only: it is never stored and read
/// back, and a whole row is one loop, where calling the affine and SiLU kernels on cache-sized chunks paid each
/// call's pipeline fill and drain.
/// </summary>
internal static class AffineSiluKernels
{
    /// <summary>
    /// Whether <see cref="Row"/> serves rows of <paramref name="length"/> units on <paramref name="path"/>: with
    /// AVX-512 (its 32 registers hold the affine sum beside the pipelined SiLU chain; with x86's 16 the loop ran 10%
    /// slower than the chunked kernels on one thread, and 40% slower unpipelined) on a vector path, at least one step long.
    /// </summary>
    public static bool Serves(SimdPath path, int length) => Avx512F.IsSupported && path switch
    {
        SimdPath.V512 => length >= Lanes512<double>.Count,
        SimdPath.V256 => length >= Lanes256<double>.Count,
        _ => false,
    };

    /// <summary>
    /// φ = silu(z), e = silu'(z)·w with z = b + xᵀ·A[:, offset … offset + φ.Length) (A row-major with
    /// <paramref name="stride"/>); <paramref name="bias"/> empty means b = 0. Callers check <see cref="Serves"/>.
    /// </summary>
    public static void Row(SimdPath path, ReadOnlySpan<double> x, ReadOnlySpan<double> a, int stride, int offset, ReadOnlySpan<double> bias,
        ReadOnlySpan<double> w, Span<double> phi, Span<double> e)
    {
        var rows = new AffineInput(x, a, stride, offset, bias);
        nuint n = (nuint)phi.Length;
        ref double wr = ref MemoryMarshal.GetReference(w);
        ref double pr = ref MemoryMarshal.GetReference(phi);
        ref double er = ref MemoryMarshal.GetReference(e);
        if (path == SimdPath.V512) Loop<Lanes512<double>>(rows, ref wr, ref pr, ref er, n);
        else Loop<Lanes256<double>>(rows, ref wr, ref pr, ref er, n);
    }

    /// <summary>The row's inputs: x (d values), A's first element, its stride and column offset, and b (or empty).</summary>
    private readonly ref struct AffineInput(ReadOnlySpan<double> x, ReadOnlySpan<double> a, int stride, int offset, ReadOnlySpan<double> bias)
    {
        public readonly ReadOnlySpan<double> X = x, Bias = bias;
        public readonly ref double A = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), offset);
        public readonly nint Stride = stride;
    }

    /// <summary>z for the step at <paramref name="at"/>: b (or 0), then one FMA per input in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Affine<TV>(in AffineInput rows, nuint at) where TV : struct, ILanes<TV, double>
    {
        TV z = rows.Bias.IsEmpty ? TV.Constant(0.0) : TV.Load(ref MemoryMarshal.GetReference(rows.Bias), at);
        ref double ak = ref rows.A;
        for (int k = 0; k < rows.X.Length; k++)
        {
            z = TV.FusedMultiplyAdd(TV.Constant(rows.X[k]), TV.Load(ref ak, at), z);
            ak = ref Unsafe.Add(ref ak, rows.Stride);
        }
        return z;
    }

    // Steps in order from 0, the last one ending at n (overlapping its neighbour: those elements are computed again,
    // to the same values), software-pipelined like ElementwiseDriver's loops: step k's affine sum and exp are issued
    // before step k − 1 is finished. Nothing is read that the loop writes, so no input is held back for in-place use.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Loop<TV>(in AffineInput rows, ref double w, ref double phi, ref double e, nuint n) where TV : struct, ILanes<TV, double>
    {
        nuint step = (nuint)TV.Count, last = n - step, steps = (n + step - 1) / step;
        TV held = default, heldStarted = default;
        nuint heldAt = 0;
        for (nuint k = 0; k <= steps; k++)
        {
            TV z = default, started = default;
            nuint at = Math.Min(k * step, last);
            if (k < steps)
            {
                z = Affine<TV>(rows, at);
                started = SiluMath.Start<TV, double>(z);
            }
            if (k > 0)
            {
                TV.Store(SiluMath.ValueAndDerivative<TV, double>(held, SiluMath.MinusA<TV, double>(held), heldStarted, out TV derivative), ref phi, heldAt);
                TV.Store(TV.Multiply(derivative, TV.Load(ref w, heldAt)), ref e, heldAt);
            }
            (held, heldStarted, heldAt) = (z, started, at);
        }
    }
}
