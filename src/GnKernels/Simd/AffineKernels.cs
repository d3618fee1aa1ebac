using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GnKernels.Simd;

/// <summary>
/// z[j] = b[j] + Σₖ x[k]·A[k, j] for a short x (the input dimension d) and a row-major d×n matrix A: one row of
/// X·Uᵀ + 1·bᵀ from the transposed weights. The d products accumulate in registers, so z is written once; a GEMM
/// with inner dimension d does the same work but, called on a whole N×M matrix, writes Z to memory for the SiLU pass
/// to read back. Every element is b[j] (or 0) followed by d fused multiply-adds in order k = 0 … d − 1, on every
/// path, so the results are the same bits whatever the vector width or the split of the rows.
/// </summary>
internal static class AffineKernels
{
    /// <summary>z = b + xᵀ·A[:, offset … offset + z.Length); <paramref name="bias"/> empty means b = 0.</summary>
    public static void Row(ReadOnlySpan<double> x, ReadOnlySpan<double> a, int stride, int offset, ReadOnlySpan<double> bias, Span<double> z)
    {
        int n = z.Length, d = x.Length;
        ref double a0 = ref MemoryMarshal.GetReference(a);
        ref double zr = ref MemoryMarshal.GetReference(z);
        ref double br = ref MemoryMarshal.GetReference(bias);
        bool hasBias = !bias.IsEmpty;
        int j = 0;
        // The vector paths only with FMA in hardware (a software FMA per lane would be far slower than the scalar loop).
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported && n >= Vector512<double>.Count)
            j = Vector512Row(x, ref a0, stride, offset, ref br, hasBias, ref zr, n);
        else if (Vector256.IsHardwareAccelerated && Fma.IsSupported && n >= Vector256<double>.Count)
            j = Vector256Row(x, ref a0, stride, offset, ref br, hasBias, ref zr, n);
        for (; j < n; j++)
        {
            double sum = hasBias ? Unsafe.Add(ref br, j) : 0;
            for (int k = 0; k < d; k++) sum = Math.FusedMultiplyAdd(x[k], Unsafe.Add(ref a0, (nint)k * stride + offset + j), sum);
            Unsafe.Add(ref zr, j) = sum;
        }
    }

    /// <summary>
    /// <see cref="Row"/> for two rows x1, x2 at once: each vector of A, loaded once, feeds both, which halves the loads
    /// where A comes from L2 (a chunk of Uᵀ's d rows); the same operations per element, so the same bits as two calls.
    /// With AVX-512, whose loads are half as many per element, it is two calls.
    /// </summary>
    public static void TwoRows(ReadOnlySpan<double> x1, ReadOnlySpan<double> x2, ReadOnlySpan<double> a, int stride, int offset,
        ReadOnlySpan<double> bias, Span<double> z1, Span<double> z2)
    {
        int j = 0, n = z1.Length;
        if (!Avx512F.IsSupported && Vector256.IsHardwareAccelerated && Fma.IsSupported)
            j = Vector256TwoRows(x1, x2, ref MemoryMarshal.GetReference(a), stride, offset, ref MemoryMarshal.GetReference(bias), !bias.IsEmpty,
                ref MemoryMarshal.GetReference(z1), ref MemoryMarshal.GetReference(z2), n);
        if (j == n) return;
        ReadOnlySpan<double> rest = bias.IsEmpty ? bias : bias[j..];
        Row(x1, a, stride, offset + j, rest, z1[j..]);
        Row(x2, a, stride, offset + j, rest, z2[j..]);
    }

    // Four vectors per row and step, eight accumulators in all; returns where the whole steps end.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Vector256TwoRows(ReadOnlySpan<double> x1, ReadOnlySpan<double> x2, ref double a0, int stride, int offset, ref double br,
        bool hasBias, ref double z1, ref double z2, int n)
    {
        const int w = 4;
        int j = 0;
        for (; j <= n - 4 * w; j += 4 * w)
        {
            BiasOrZero(ref br, j, hasBias, out Vector256<double> s0, out Vector256<double> s1, out Vector256<double> s2, out Vector256<double> s3);
            Vector256<double> t0 = s0, t1 = s1, t2 = s2, t3 = s3;
            for (int k = 0; k < x1.Length; k++)
            {
                Vector256<double> xk1 = Vector256.Create(x1[k]), xk2 = Vector256.Create(x2[k]);
                ref double ak = ref Unsafe.Add(ref a0, (nint)k * stride + offset + j);
                Vector256<double> a = Vector256.LoadUnsafe(ref ak);
                s0 = Vector256.FusedMultiplyAdd(xk1, a, s0); t0 = Vector256.FusedMultiplyAdd(xk2, a, t0);
                a = Vector256.LoadUnsafe(ref ak, w);
                s1 = Vector256.FusedMultiplyAdd(xk1, a, s1); t1 = Vector256.FusedMultiplyAdd(xk2, a, t1);
                a = Vector256.LoadUnsafe(ref ak, 2 * w);
                s2 = Vector256.FusedMultiplyAdd(xk1, a, s2); t2 = Vector256.FusedMultiplyAdd(xk2, a, t2);
                a = Vector256.LoadUnsafe(ref ak, 3 * w);
                s3 = Vector256.FusedMultiplyAdd(xk1, a, s3); t3 = Vector256.FusedMultiplyAdd(xk2, a, t3);
            }
            s0.StoreUnsafe(ref z1, (nuint)j); s1.StoreUnsafe(ref z1, (nuint)(j + w));
            s2.StoreUnsafe(ref z1, (nuint)(j + 2 * w)); s3.StoreUnsafe(ref z1, (nuint)(j + 3 * w));
            t0.StoreUnsafe(ref z2, (nuint)j); t1.StoreUnsafe(ref z2, (nuint)(j + w));
            t2.StoreUnsafe(ref z2, (nuint)(j + 2 * w)); t3.StoreUnsafe(ref z2, (nuint)(j + 3 * w));
        }
        return j;
    }

    // Four independent vectors per step hide the FMA latency (a chain of d dependent FMAs each); then whole vectors,
    // then one more ending at n (overlapping: each element is recomputed to the same value). Returns n.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Vector512Row(ReadOnlySpan<double> x, ref double a0, int stride, int offset, ref double br, bool hasBias, ref double zr, int n)
    {
        const int w = 8;
        int j = 0;
        for (; j <= n - 4 * w; j += 4 * w)
        {
            Vector512<double> s0, s1, s2, s3;
            if (hasBias)
            {
                s0 = Vector512.LoadUnsafe(ref br, (nuint)j); s1 = Vector512.LoadUnsafe(ref br, (nuint)(j + w));
                s2 = Vector512.LoadUnsafe(ref br, (nuint)(j + 2 * w)); s3 = Vector512.LoadUnsafe(ref br, (nuint)(j + 3 * w));
            }
            else s0 = s1 = s2 = s3 = Vector512<double>.Zero;
            for (int k = 0; k < x.Length; k++)
            {
                var xk = Vector512.Create(x[k]);
                ref double ak = ref Unsafe.Add(ref a0, (nint)k * stride + offset + j);
                s0 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref ak), s0);
                s1 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref ak, w), s1);
                s2 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref ak, 2 * w), s2);
                s3 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref ak, 3 * w), s3);
            }
            s0.StoreUnsafe(ref zr, (nuint)j); s1.StoreUnsafe(ref zr, (nuint)(j + w));
            s2.StoreUnsafe(ref zr, (nuint)(j + 2 * w)); s3.StoreUnsafe(ref zr, (nuint)(j + 3 * w));
        }
        for (; j < n; j += w)
        {
            if (j > n - w) j = n - w;
            var sum = hasBias ? Vector512.LoadUnsafe(ref br, (nuint)j) : Vector512<double>.Zero;
            for (int k = 0; k < x.Length; k++)
                sum = Vector512.FusedMultiplyAdd(Vector512.Create(x[k]), Vector512.LoadUnsafe(ref a0, (nuint)((nint)k * stride + offset + j)), sum);
            sum.StoreUnsafe(ref zr, (nuint)j);
        }
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Vector256Row(ReadOnlySpan<double> x, ref double a0, int stride, int offset, ref double br, bool hasBias, ref double zr, int n)
    {
        const int w = 4;
        int j = 0;
        for (; j <= n - 4 * w; j += 4 * w)
        {
            BiasOrZero(ref br, j, hasBias, out Vector256<double> s0, out Vector256<double> s1, out Vector256<double> s2, out Vector256<double> s3);
            for (int k = 0; k < x.Length; k++)
            {
                var xk = Vector256.Create(x[k]);
                ref double ak = ref Unsafe.Add(ref a0, (nint)k * stride + offset + j);
                s0 = Vector256.FusedMultiplyAdd(xk, Vector256.LoadUnsafe(ref ak), s0);
                s1 = Vector256.FusedMultiplyAdd(xk, Vector256.LoadUnsafe(ref ak, w), s1);
                s2 = Vector256.FusedMultiplyAdd(xk, Vector256.LoadUnsafe(ref ak, 2 * w), s2);
                s3 = Vector256.FusedMultiplyAdd(xk, Vector256.LoadUnsafe(ref ak, 3 * w), s3);
            }
            s0.StoreUnsafe(ref zr, (nuint)j); s1.StoreUnsafe(ref zr, (nuint)(j + w));
            s2.StoreUnsafe(ref zr, (nuint)(j + 2 * w)); s3.StoreUnsafe(ref zr, (nuint)(j + 3 * w));
        }
        for (; j < n; j += w)
        {
            if (j > n - w) j = n - w;
            var sum = hasBias ? Vector256.LoadUnsafe(ref br, (nuint)j) : Vector256<double>.Zero;
            for (int k = 0; k < x.Length; k++)
                sum = Vector256.FusedMultiplyAdd(Vector256.Create(x[k]), Vector256.LoadUnsafe(ref a0, (nuint)((nint)k * stride + offset + j)), sum);
            sum.StoreUnsafe(ref zr, (nuint)j);
        }
        return n;
    }

    /// <summary>Four vectors of b from <paramref name="j"/> on, or zeros: where the Vector256 sums start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BiasOrZero(ref double br, int j, bool hasBias, out Vector256<double> s0, out Vector256<double> s1, out Vector256<double> s2, out Vector256<double> s3)
    {
        const int w = 4;
        if (hasBias)
        {
            s0 = Vector256.LoadUnsafe(ref br, (nuint)j); s1 = Vector256.LoadUnsafe(ref br, (nuint)(j + w));
            s2 = Vector256.LoadUnsafe(ref br, (nuint)(j + 2 * w)); s3 = Vector256.LoadUnsafe(ref br, (nuint)(j + 3 * w));
        }
        else s0 = s1 = s2 = s3 = Vector256<double>.Zero;
    }
}
