using System.Numerics;
using GnKernels.Native;

namespace GnKernels.Linalg;

/// <summary>Selected eigenvalues (and optionally eigenvectors) of a symmetric matrix by index range (LAPACK <c>syevr</c>).</summary>
public static class SymmetricEigen
{
    /// <summary>
    /// Eigenvalues number <paramref name="first"/> … first + values.Length − 1 (0-based, ascending) of the symmetric
    /// matrix whose lower triangle <paramref name="a"/> holds. <paramref name="a"/> is not modified.
    /// </summary>
    /// <param name="a">Symmetric matrix; only its lower triangle is read.</param>
    /// <param name="first">0-based index of the first eigenvalue wanted.</param>
    /// <param name="values">Receives the eigenvalues; its length is how many are computed.</param>
    /// <param name="vectors">If given, a values.Length×N matrix that receives eigenvector k as row k.</param>
    public static void Compute<T>(DenseMatrix<T> a, int first, Span<T> values, DenseMatrix<T>? vectors = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        Guard.Square(a, nameof(a));
        nint n = a.Rows;
        int count = values.Length;
        if (first < 0 || count < 1 || first + (long)count > n)
            throw new ArgumentOutOfRangeException(nameof(first),
                $"Eigenvalues {first}…{first + count - 1} were asked of a {a.Shape} matrix; indices must lie in 0…{n - 1} and at least one is needed.");
        if (vectors is not null && (vectors.Rows != count || vectors.Cols != n))
            Guard.ThrowArgument(nameof(vectors), $"vectors is {vectors.Shape}; it must be {count}×{n} (one eigenvector per row).");
        if (SymmetricStorage.FirstNonFiniteInLower(a) is { } at)
            Guard.ThrowNonFinite(nameof(a), $"a[{at.Row}, {at.Col}] = {a[at.Row, at.Col]}");

        using var work = DenseMatrix<T>.CreateUninitialized(n, n);
        ComputeValidated(a, first, values, vectors, work);
    }

    /// <summary><see cref="Compute"/> on checked arguments with a caller's N×N scratch (syevr destroys its input).</summary>
    internal static void ComputeValidated<T>(DenseMatrix<T> a, int first, Span<T> values, DenseMatrix<T>? vectors, DenseMatrix<T> work)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint n = a.Rows;
        int count = values.Length;
        for (nint i = 0; i < n; i++) a.Row(i)[..(int)(i + 1)].CopyTo(work.Row(i));
        T[] w = System.Buffers.ArrayPool<T>.Shared.Rent((int)n);
        try
        {
            T dummy = default;
            int info = LapackDispatch.SyevrLower((int)n, ref work.Origin, work.Ld, first + 1, first + count, w.AsSpan(0, (int)n),
                vectors is not null, ref vectors is null ? ref dummy : ref vectors.Origin, (int)n, out int found);
            LapackArgumentException.ThrowIfNegative("syevr", info);
            if (info > 0 || found != count)
                throw new ArithmeticException($"syevr failed to converge (INFO = {info}, found {found} of {count} eigenvalues).");
            w.AsSpan(0, count).CopyTo(values);
        }
        finally
        {
            System.Buffers.ArrayPool<T>.Shared.Return(w);
        }
    }

    /// <summary>The smallest eigenvalue λ_min (one <c>syevr</c> call, O(N³) reduction to tridiagonal form).</summary>
    public static T Smallest<T>(DenseMatrix<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> value = stackalloc T[1];
        Compute(a, 0, value);
        return value[0];
    }
}
