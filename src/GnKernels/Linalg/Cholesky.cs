using System.Numerics;
using GnKernels.Native;

namespace GnKernels.Linalg;

/// <summary>
/// Cholesky factorization A + shift·I = L·Lᵀ of a symmetric positive-definite matrix, in place on the
/// lower triangle of a row-major <see cref="DenseMatrix{T}"/> (LAPACK <c>potrf</c>), with solves against the
/// stored factor (<c>potrs</c>/<c>trsm</c>) and a reciprocal condition estimate (<c>pocon</c>).
/// </summary>
/// <remarks>
/// Only the lower triangle of the input is read. With <c>keepInput</c> the unfactored matrix stays available
/// for a retry with a larger shift at no extra N×N memory: the lower triangle is mirrored onto the strict upper
/// triangle (which <c>potrf</c> never touches) and the diagonal is kept in an N-vector.
/// Non-finite input is reported, not factored: NaN or ±∞ in the lower triangle either stops the
/// factorization or leaves a non-finite pivot, and both are checked (at O(N) cost on success).
/// </remarks>
public sealed class Cholesky<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DenseMatrix<T> _a;
    private readonly T[]? _keptDiagonal;
    private readonly bool _estimateCondition;
    private bool _inputSaved, _overwritten;
    private T _norm;
    private T[]? _conditionWork;
    private int[]? _conditionIWork;

    /// <summary>Binds to <paramref name="matrix"/>, which is factored in place by <see cref="Factor"/>.</summary>
    /// <param name="matrix">Square, symmetric, lower triangle filled (e.g. by <see cref="Blas.SyrkLower{T}"/>).</param>
    /// <param name="keepInput">Keep the unfactored matrix so <see cref="Factor"/> can be called again with another shift.</param>
    /// <param name="estimateCondition">Compute ‖A + shift·I‖₁ before factoring (O(N²)) so <see cref="ReciprocalCondition"/> works.</param>
    public Cholesky(DenseMatrix<T> matrix, bool keepInput = false, bool estimateCondition = false)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        Guard.Square(matrix, nameof(matrix));
        _a = matrix;
        _estimateCondition = estimateCondition;
        if (keepInput) _keptDiagonal = new T[checked((int)matrix.Rows)];
    }

    /// <summary>Order N.</summary>
    public nint Order => _a.Rows;

    /// <summary>True after a successful <see cref="Factor"/>: the lower triangle holds L.</summary>
    public bool IsFactored { get; private set; }

    /// <summary>The diagonal shift of the last successful factorization.</summary>
    public T Shift { get; private set; }

    /// <summary>The matrix the factor lives in.</summary>
    public DenseMatrix<T> Matrix => _a;

    /// <summary>Factors A + shift·I; throws <see cref="NotPositiveDefiniteException"/> if it is not positive definite.</summary>
    public void Factor(T shift = default)
    {
        if (!TryFactor(shift, out nint minor))
            throw new NotPositiveDefiniteException(Order, minor, double.CreateTruncating(shift));
    }

    /// <summary>Factors A + shift·I; returns false with the failing leading-minor order if it is not positive definite.</summary>
    /// <exception cref="ArgumentException">The matrix or the shift holds NaN or ±∞.</exception>
    public bool TryFactor(T shift, out nint failedMinor)
    {
        if (!T.IsFinite(shift)) Guard.ThrowArgument(nameof(shift), $"shift must be finite; it is {shift}.");
        PrepareInput();
        nint n = Order;
        if (shift != T.Zero)
            for (nint i = 0; i < n; i++) _a.At(i, i) += shift;
        if (_estimateCondition && n > 0)
            _norm = LapackDispatch.LansyOneNormLower(checked((int)n), ref _a.Origin, _a.Ld, ConditionWork());

        _overwritten = true;
        IsFactored = false;
        int info = n == 0 ? 0 : LapackDispatch.PotrfLower((int)n, ref _a.Origin, _a.Ld);
        LapackArgumentException.ThrowIfNegative("potrf", info);
        if (info > 0)
        {
            if (_inputSaved) RestoreInput();
            ThrowIfNonFinite();
            failedMinor = info;
            return false;
        }
        for (nint i = 0; i < n; i++)
        {
            if (!T.IsFinite(_a.At(i, i)))
            {
                if (_inputSaved) RestoreInput();
                ThrowIfNonFinite();
            }
        }
        IsFactored = true;
        Shift = shift;
        failedMinor = 0;
        return true;
    }

    /// <summary>Solves (A + shift·I)·x = b in place for one right-hand side.</summary>
    public void Solve(Span<T> b)
    {
        ThrowIfNotFactored();
        Guard.Length(b.Length, Order, nameof(b), $"the order of the factored {_a.Shape} matrix");
        Guard.Finite<T>(b, nameof(b));
        if (Order == 0) return;
        int info = LapackDispatch.PotrsLower((int)Order, ref _a.Origin, _a.Ld, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b));
        LapackArgumentException.ThrowIfNegative("potrs", info);
    }

    /// <summary>Solves (A + shift·I)·X = B in place; B is N×k, one right-hand side per column.</summary>
    public void Solve(DenseMatrix<T> b)
    {
        ArgumentNullException.ThrowIfNull(b);
        ThrowIfNotFactored();
        if (b.Rows != Order)
            Guard.ThrowArgument(nameof(b), $"b is {b.Shape}; it needs {Order} rows to match the factored {_a.Shape} matrix.");
        Guard.Distinct(_a, "the factored matrix", b, nameof(b));
        Guard.Finite(b, nameof(b));
        if (Order == 0 || b.Cols == 0) return;
        BlasDispatch.TrsmLowerLeft(false, (int)Order, (int)b.Cols, ref _a.Origin, _a.Ld, ref b.Origin, b.Ld);
        BlasDispatch.TrsmLowerLeft(true, (int)Order, (int)b.Cols, ref _a.Origin, _a.Ld, ref b.Origin, b.Ld);
    }

    /// <summary>LAPACK's estimate of 1/κ₁(A + shift·I) from the factor; needs <c>estimateCondition</c>.</summary>
    public T ReciprocalCondition()
    {
        ThrowIfNotFactored();
        if (!_estimateCondition)
            throw new InvalidOperationException("Construct the Cholesky with estimateCondition: true to estimate the condition number.");
        if (Order == 0) return T.One;
        _conditionIWork ??= new int[Order];
        int info = LapackDispatch.PoconLower((int)Order, ref _a.Origin, _a.Ld, _norm, out T rcond, ConditionWork(), _conditionIWork);
        LapackArgumentException.ThrowIfNegative("pocon", info);
        return rcond;
    }

    /// <summary>log det(A + shift·I) = 2·Σ log Lᵢᵢ.</summary>
    public T LogDeterminant()
    {
        ThrowIfNotFactored();
        T sum = T.Zero;
        for (nint i = 0; i < Order; i++) sum += T.Log(_a.At(i, i));
        return sum + sum;
    }

    /// <summary>
    /// Declares that new contents were written into <see cref="Matrix"/> (lower triangle): forgets the kept input
    /// and the factor, so the next <see cref="Factor"/> works on the new matrix. The buffers are reused.
    /// </summary>
    public void Reset()
    {
        _inputSaved = false;
        _overwritten = false;
        IsFactored = false;
    }

    /// <summary>
    /// Puts the unfactored matrix back into the lower triangle (the factor is forgotten); needs <c>keepInput</c> once
    /// a factorization has overwritten it.
    /// </summary>
    internal void RestoreUnfactored()
    {
        if (!_overwritten) return;
        PrepareInput();
        IsFactored = false;
    }

    private void PrepareInput()
    {
        if (_keptDiagonal is null)
        {
            if (_overwritten)
                throw new InvalidOperationException(
                    "The matrix was overwritten by an earlier factorization. Construct the Cholesky with keepInput: true to factor again with another shift.");
            return;
        }
        if (!_inputSaved)
        {
            SymmetricStorage.MirrorLowerToUpper(_a);
            for (nint i = 0; i < Order; i++) _keptDiagonal[i] = _a.At(i, i);
            _inputSaved = true;
        }
        else if (_overwritten)
        {
            RestoreInput();
        }
    }

    private void RestoreInput()
    {
        SymmetricStorage.MirrorUpperToLower(_a);
        for (nint i = 0; i < Order; i++) _a.At(i, i) = _keptDiagonal![i];
        _overwritten = false;
    }

    // NaN/±∞ in A either stops potrf or survives into a pivot; name the first one, in row-major order.
    private void ThrowIfNonFinite()
    {
        if (SymmetricStorage.FirstNonFiniteInLower(_a) is { } at)
            Guard.ThrowNonFinite("matrix", $"matrix[{at.Row}, {at.Col}] = {_a.At(at.Row, at.Col)}" +
                (_inputSaved ? "" : " (position in the partially factored matrix)"));
    }

    private T[] ConditionWork() => _conditionWork ??= new T[3 * Order];

    private void ThrowIfNotFactored()
    {
        if (!IsFactored) throw new InvalidOperationException("Call Factor (successfully) before solving.");
    }
}
