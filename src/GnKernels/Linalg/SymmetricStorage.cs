using System.Numerics;

namespace GnKernels.Linalg;

/// <summary>Copies between the two triangles of a square row-major matrix, in cache-sized tiles.</summary>
internal static class SymmetricStorage
{
    private const int Tile = 64;

    /// <summary>Makes the matrix symmetric by copying its lower triangle onto the strict upper triangle.</summary>
    public static void MirrorLowerToUpper<T>(DenseMatrix<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        Guard.Square(a, nameof(a));
        Copy(a, lowerToUpper: true);
    }

    /// <summary>Copies the strict upper triangle onto the strict lower triangle (the diagonal is left alone).</summary>
    public static void MirrorUpperToLower<T>(DenseMatrix<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        Guard.Square(a, nameof(a));
        Copy(a, lowerToUpper: false);
    }

    private static void Copy<T>(DenseMatrix<T> a, bool lowerToUpper) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint n = a.Rows;
        for (nint ib = 0; ib < n; ib += Tile)
        {
            nint iEnd = Math.Min(ib + Tile, n);
            for (nint jb = 0; jb <= ib; jb += Tile)
            {
                for (nint i = ib; i < iEnd; i++)
                {
                    nint jEnd = Math.Min(Math.Min(jb + Tile, n), i);
                    for (nint j = jb; j < jEnd; j++)
                    {
                        if (lowerToUpper) a.At(j, i) = a.At(i, j);
                        else a.At(i, j) = a.At(j, i);
                    }
                }
            }
        }
    }

    /// <summary>Position of the first non-finite element of the lower triangle (row-major order), if any.</summary>
    internal static (nint Row, int Col)? FirstNonFiniteInLower<T>(DenseMatrix<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (nint i = 0; i < a.Rows; i++)
        {
            int j = Simd.NonFinite.IndexOf<T>(a.Row(i)[..(int)(i + 1)]);
            if (j >= 0) return (i, j);
        }
        return null;
    }
}
