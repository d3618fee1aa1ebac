using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GnKernels.Simd;

/// <summary>
/// Loops and tails for element-wise kernels, one per shape (1→1, 1→2, 2→1), generic over the width.
/// One step is one lanes struct (two vectors of the width). The tail is one overlapping step ending at the last
/// element; its inputs are loaded before the main loop, so in-place calls (output starting at the input) still see
/// the original values. Inputs shorter than one step drop to the next narrower width, so the scalar loop handles
/// at most 2·Vector128.Count − 1 elements.
/// Arguments are validated by the public entry points.
/// </summary>
internal static class ElementwiseDriver
{
    public static void Run<T, TOp>(SimdPath path, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryOperator<T>
    {
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length;
        switch (Narrow(path, x.Length, Lanes512<T>.Count, Lanes256<T>.Count, Lanes128<T>.Count))
        {
            case SimdPath.V512: Unary<T, TOp, Lanes512<T>>(ref xr, ref yr, n); break;
            case SimdPath.V256: Unary<T, TOp, Lanes256<T>>(ref xr, ref yr, n); break;
            case SimdPath.V128: Unary<T, TOp, Lanes128<T>>(ref xr, ref yr, n); break;
            default: Unary<T, TOp, LanesScalar<T>>(ref xr, ref yr, n); break;
        }
    }

    public static void Run<T, TOp>(SimdPath path, ReadOnlySpan<T> x, Span<T> y1, Span<T> y2)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryTwoOutputOperator<T>
    {
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T ar = ref MemoryMarshal.GetReference(y1);
        ref T br = ref MemoryMarshal.GetReference(y2);
        nuint n = (nuint)x.Length;
        switch (Narrow(path, x.Length, Lanes512<T>.Count, Lanes256<T>.Count, Lanes128<T>.Count))
        {
            case SimdPath.V512: UnaryTwo<T, TOp, Lanes512<T>>(ref xr, ref ar, ref br, n); break;
            case SimdPath.V256: UnaryTwo<T, TOp, Lanes256<T>>(ref xr, ref ar, ref br, n); break;
            case SimdPath.V128: UnaryTwo<T, TOp, Lanes128<T>>(ref xr, ref ar, ref br, n); break;
            default: UnaryTwo<T, TOp, LanesScalar<T>>(ref xr, ref ar, ref br, n); break;
        }
    }

    public static void Run<T, TOp>(SimdPath path, ReadOnlySpan<T> x1, ReadOnlySpan<T> x2, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IBinaryOperator<T>
    {
        ref T ar = ref MemoryMarshal.GetReference(x1);
        ref T br = ref MemoryMarshal.GetReference(x2);
        ref T yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x1.Length;
        switch (Narrow(path, x1.Length, Lanes512<T>.Count, Lanes256<T>.Count, Lanes128<T>.Count))
        {
            case SimdPath.V512: Binary<T, TOp, Lanes512<T>>(ref ar, ref br, ref yr, n); break;
            case SimdPath.V256: Binary<T, TOp, Lanes256<T>>(ref ar, ref br, ref yr, n); break;
            case SimdPath.V128: Binary<T, TOp, Lanes128<T>>(ref ar, ref br, ref yr, n); break;
            default: Binary<T, TOp, LanesScalar<T>>(ref ar, ref br, ref yr, n); break;
        }
    }

    /// <summary>The requested path, or a narrower one when the input is shorter than one vector.</summary>
    internal static SimdPath Narrow(SimdPath path, int length, int count512, int count256, int count128)
    {
        if (path == SimdPath.V512 && length < count512) path = SimdPath.V256;
        if (path == SimdPath.V256 && length < count256) path = SimdPath.V128;
        if (path == SimdPath.V128 && length < count128) path = SimdPath.Scalar;
        return path;
    }

    // One call site per operator: every site inlines the whole operator, and the JIT's inline budget (set by the
    // small driver) runs out after one copy, leaving the lane helpers as calls. The tail is the last iteration.
    // NoInlining keeps each loop its own compilation root: inlined into a caller (BenchmarkDotNet's unrolled
    // loop did this), it would share that caller's budget and lose the inlining of the whole kernel (8× slower).

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Unary<T, TOp, TV>(ref T x, ref T y, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryOperator<T> where TV : struct, ILanes<TV, T>
    {
        if (n == 0) return;
        nuint last = n - (nuint)TV.Count;
        TV tail = TV.Load(ref x, last);
        for (nuint i = 0; ; i += (nuint)TV.Count)
        {
            TV v;
            if (i < last) v = TV.Load(ref x, i);
            else { v = tail; i = last; }
            TV.Store(TOp.Invoke(v), ref y, i);
            if (i == last) return;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void UnaryTwo<T, TOp, TV>(ref T x, ref T y1, ref T y2, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryTwoOutputOperator<T> where TV : struct, ILanes<TV, T>
    {
        if (n == 0) return;
        nuint last = n - (nuint)TV.Count;
        TV tail = TV.Load(ref x, last);
        for (nuint i = 0; ; i += (nuint)TV.Count)
        {
            TV v;
            if (i < last) v = TV.Load(ref x, i);
            else { v = tail; i = last; }
            TV.Store(TOp.Invoke(v, out TV second), ref y1, i);
            TV.Store(second, ref y2, i);
            if (i == last) return;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Binary<T, TOp, TV>(ref T x1, ref T x2, ref T y, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IBinaryOperator<T> where TV : struct, ILanes<TV, T>
    {
        if (n == 0) return;
        nuint last = n - (nuint)TV.Count;
        TV tail1 = TV.Load(ref x1, last), tail2 = TV.Load(ref x2, last);
        for (nuint i = 0; ; i += (nuint)TV.Count)
        {
            TV a, b;
            if (i < last) { a = TV.Load(ref x1, i); b = TV.Load(ref x2, i); }
            else { a = tail1; b = tail2; i = last; }
            TV.Store(TOp.Invoke(a, b), ref y, i);
            if (i == last) return;
        }
    }
}
