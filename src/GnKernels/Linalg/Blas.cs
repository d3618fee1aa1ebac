using System.Numerics;
using GnKernels.Native;

namespace GnKernels.Linalg;

/// <summary>Shape-checked BLAS products on <see cref="DenseMatrix{T}"/> (row-major). Threads: see <see cref="BlasThreads"/>.</summary>
public static class Blas
{
    /// <summary>C ← alpha·op(A)·op(B) + beta·C.</summary>
    public static void Gemm<T>(T alpha, DenseMatrix<T> a, Transpose opA, DenseMatrix<T> b, Transpose opB, T beta, DenseMatrix<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        bool ta = opA == Transpose.Transposed, tb = opB == Transpose.Transposed;
        nint m = ta ? a.Cols : a.Rows, k = ta ? a.Rows : a.Cols;
        nint kb = tb ? b.Cols : b.Rows, n = tb ? b.Rows : b.Cols;
        if (k != kb)
            Guard.ThrowArgument(nameof(b), $"Inner dimensions differ: op(a) is {m}×{k} (a is {a.Shape}, {opA}) but op(b) is {kb}×{n} (b is {b.Shape}, {opB}).");
        if (c.Rows != m || c.Cols != n)
            Guard.ThrowArgument(nameof(c), $"c is {c.Shape} but op(a)·op(b) is {m}×{n}.");
        Guard.Distinct(a, nameof(a), c, nameof(c));
        Guard.Distinct(b, nameof(b), c, nameof(c));
        if (m == 0 || n == 0) return;
        BlasDispatch.Gemm(ta, tb, (int)m, (int)n, (int)k, alpha, ref a.Origin, a.Ld, ref b.Origin, b.Ld, beta, ref c.Origin, c.Ld);
    }

    /// <summary>C ← alpha·op(A)·op(B) + beta·C on blocks of larger matrices (shapes checked as for whole ones).</summary>
    internal static void Gemm<T>(T alpha, SubMatrix<T> a, Transpose opA, SubMatrix<T> b, Transpose opB, T beta, SubMatrix<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool ta = opA == Transpose.Transposed, tb = opB == Transpose.Transposed;
        int m = ta ? a.Cols : a.Rows, k = ta ? a.Rows : a.Cols, kb = tb ? b.Cols : b.Rows, n = tb ? b.Rows : b.Cols;
        if (k != kb) Guard.ThrowArgument(nameof(b), $"Inner dimensions differ: op(a) is {m}×{k} but op(b) is {kb}×{n}.");
        if (c.Rows != m || c.Cols != n) Guard.ThrowArgument(nameof(c), $"c is {c.Rows}×{c.Cols} but op(a)·op(b) is {m}×{n}.");
        if (m == 0 || n == 0) return;
        BlasDispatch.Gemm(ta, tb, m, n, k, alpha, ref a.Origin, a.Matrix.Ld, ref b.Origin, b.Matrix.Ld, beta, ref c.Origin, c.Matrix.Ld);
    }

    /// <summary>y ← alpha·op(A)·x + beta·y on a block of a larger matrix.</summary>
    internal static void Gemv<T>(T alpha, SubMatrix<T> a, Transpose op, ReadOnlySpan<T> x, T beta, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool t = op == Transpose.Transposed;
        int rows = t ? a.Cols : a.Rows, cols = t ? a.Rows : a.Cols;
        Guard.Length(x.Length, cols, nameof(x), $"the columns of op(a), a block of {a.Rows}×{a.Cols}, {op}");
        Guard.Length(y.Length, rows, nameof(y), $"the rows of op(a), a block of {a.Rows}×{a.Cols}, {op}");
        if (x.Overlaps(y)) Guard.ThrowArgument(nameof(y), "x and y overlap; gemv needs them distinct.");
        if (rows == 0 || cols == 0) return;
        BlasDispatch.Gemv(t, a.Rows, a.Cols, alpha, ref a.Origin, a.Matrix.Ld,
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x), beta, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y));
    }

    /// <summary>
    /// Lower triangle of C ← alpha·A·Aᵀ + beta·C (<see cref="Transpose.None"/>, A is N×K) or
    /// alpha·Aᵀ·A + beta·C (<see cref="Transpose.Transposed"/>, A is K×N). The strict upper triangle of C is not touched.
    /// </summary>
    public static void SyrkLower<T>(T alpha, DenseMatrix<T> a, Transpose op, T beta, DenseMatrix<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(c);
        bool t = op == Transpose.Transposed;
        nint n = t ? a.Cols : a.Rows, k = t ? a.Rows : a.Cols;
        if (c.Rows != n || c.Cols != n)
            Guard.ThrowArgument(nameof(c), $"c is {c.Shape} but op(a)·op(a)ᵀ is {n}×{n} (a is {a.Shape}, {op}).");
        Guard.Distinct(a, nameof(a), c, nameof(c));
        if (n == 0) return;
        BlasDispatch.SyrkLower(t, (int)n, (int)k, alpha, ref a.Origin, a.Ld, beta, ref c.Origin, c.Ld);
    }

    /// <summary>y ← alpha·op(A)·x + beta·y.</summary>
    public static void Gemv<T>(T alpha, DenseMatrix<T> a, Transpose op, ReadOnlySpan<T> x, T beta, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        bool t = op == Transpose.Transposed;
        nint rows = t ? a.Cols : a.Rows, cols = t ? a.Rows : a.Cols;
        Guard.Length(x.Length, cols, nameof(x), $"the columns of op(a), a is {a.Shape}, {op}");
        Guard.Length(y.Length, rows, nameof(y), $"the rows of op(a), a is {a.Shape}, {op}");
        if (x.Overlaps(y)) Guard.ThrowArgument(nameof(y), "x and y overlap; gemv needs them distinct.");
        if (rows == 0) return;
        if (cols == 0) { System.Numerics.Tensors.TensorPrimitives.Multiply<T>(y, beta, y); return; }
        BlasDispatch.Gemv(t, (int)a.Rows, (int)a.Cols, alpha, ref a.Origin, a.Ld,
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x), beta, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y));
    }

    /// <summary>y ← alpha·A·x + beta·y for a symmetric A given by its lower triangle (the strict upper one is not read).</summary>
    public static void SymvLower<T>(T alpha, DenseMatrix<T> a, ReadOnlySpan<T> x, T beta, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        Guard.Square(a, nameof(a));
        Guard.Length(x.Length, a.Rows, nameof(x), $"the order of a, which is {a.Shape}");
        Guard.Length(y.Length, a.Rows, nameof(y), $"the order of a, which is {a.Shape}");
        if (x.Overlaps(y)) Guard.ThrowArgument(nameof(y), "x and y overlap; symv needs them distinct.");
        if (a.Rows == 0) return;
        BlasDispatch.SymvLower((int)a.Rows, alpha, ref a.Origin, a.Ld,
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x), beta, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y));
    }
}
