using System.Numerics;
using System.Runtime.InteropServices;

namespace GnKernels.Simd;

/// <summary>Finds NaN or ±∞ in a span: x − x is 0 exactly for finite x and NaN otherwise.</summary>
internal static class NonFinite
{
    /// <summary>Index of the first NaN or ±∞ in <paramref name="x"/>, or −1 if every element is finite.</summary>
    public static int IndexOf<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            ReadOnlySpan<Vector<T>> vectors = MemoryMarshal.Cast<T, Vector<T>>(x);
            for (int k = 0; k < vectors.Length; k++)
            {
                Vector<T> v = vectors[k];
                if (!Vector.EqualsAll(v - v, Vector<T>.Zero)) { i = k * Vector<T>.Count; goto Scalar; }
            }
            i = vectors.Length * Vector<T>.Count;
        }
    Scalar:
        for (; i < x.Length; i++)
            if (!T.IsFinite(x[i])) return i;
        return -1;
    }
}
