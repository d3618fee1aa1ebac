using GnKernels.Native;

namespace GnKernels.Linalg;

/// <summary>
/// Selected eigenvalues and eigenvectors of a symmetric tridiagonal matrix (LAPACK <c>dstevr</c>), with all workspace
/// allocated once for orders up to <see cref="MaxOrder"/>: repeated calls, such as a Lanczos loop's Ritz checks,
/// allocate nothing. One instance must not be used by two threads at once (the workspace is shared).
/// </summary>
internal sealed class TridiagonalEigen
{
    private readonly double[] _diagonal, _offDiagonal, _values, _work;
    private readonly int[] _support, _integerWork;

    /// <summary>Workspace for orders 1 … <paramref name="maxOrder"/>.</summary>
    public TridiagonalEigen(int maxOrder)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOrder, 1);
        MaxOrder = maxOrder;
        _diagonal = new double[maxOrder];
        _offDiagonal = new double[maxOrder];
        _values = new double[maxOrder];
        _work = new double[20 * maxOrder];      // dstevr's documented minimum, 20n and 10n
        _integerWork = new int[10 * maxOrder];
        _support = new int[2 * maxOrder];
    }

    /// <summary>The largest order this instance holds workspace for.</summary>
    public int MaxOrder { get; }

    /// <summary>
    /// Eigenvalues number <paramref name="first"/> … first + values.Length − 1 (0-based, ascending) of the symmetric
    /// tridiagonal matrix with the given diagonal (its length is the order n) and off-diagonal (n − 1 values). The
    /// inputs are not modified. If <paramref name="vectors"/> is not empty, eigenvector k (unit norm) lands at
    /// [k·n, (k + 1)·n), so it must hold values.Length·n elements.
    /// </summary>
    public void Compute(ReadOnlySpan<double> diagonal, ReadOnlySpan<double> offDiagonal, int first, Span<double> values,
        Span<double> vectors = default)
    {
        int n = diagonal.Length, count = values.Length;
        if (n < 1 || n > MaxOrder)
            Guard.ThrowArgument(nameof(diagonal),
                $"diagonal has length {n}; this instance holds workspace for orders 1…{MaxOrder}. Create one with a larger maxOrder.");
        Guard.Length(offDiagonal.Length, n - 1, nameof(offDiagonal), $"one less than the diagonal's length");
        if (first < 0 || count < 1 || first + (long)count > n)
            throw new ArgumentOutOfRangeException(nameof(first),
                $"Eigenvalues {first}…{first + count - 1} were asked of an order-{n} matrix; indices must lie in 0…{n - 1} and at least one is needed.");
        if (!vectors.IsEmpty && vectors.Length != (long)count * n)
            Guard.ThrowArgument(nameof(vectors),
                $"vectors has length {vectors.Length}; it must be {count}×{n} = {(long)count * n} (one eigenvector per row), or empty for values only.");
        Guard.Finite(diagonal, nameof(diagonal));
        Guard.Finite(offDiagonal, nameof(offDiagonal));

        // dstevr may rescale its D and E in place: it gets copies.
        diagonal.CopyTo(_diagonal);
        offDiagonal.CopyTo(_offDiagonal);
        int info = LapackDispatch.StevrByIndex(n, _diagonal, _offDiagonal, first + 1, first + count, _values, !vectors.IsEmpty, vectors,
            _support, _work, _integerWork, out int found);
        LapackArgumentException.ThrowIfNegative("stevr", info);
        if (info > 0 || found != count)
            throw new ArithmeticException($"stevr failed (INFO = {info}, found {found} of {count} eigenvalues).");
        _values.AsSpan(0, count).CopyTo(values);
    }
}
