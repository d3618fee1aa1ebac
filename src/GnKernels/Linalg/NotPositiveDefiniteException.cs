namespace GnKernels.Linalg;

/// <summary>
/// A Cholesky factorization found a leading minor that is not positive definite. The caller can act on it:
/// retry with a larger diagonal shift (damping).
/// </summary>
public sealed class NotPositiveDefiniteException : ArithmeticException
{
    /// <summary>Creates the exception for a failed factorization.</summary>
    public NotPositiveDefiniteException(nint order, nint minorOrder, double shift)
        : base($"The {order}×{order} matrix (with diagonal shift {shift:G6}) is not positive definite: the leading " +
               $"minor of order {minorOrder} is not. Increase the damping (diagonal shift) and factor again.")
    {
        Order = order;
        MinorOrder = minorOrder;
        Shift = shift;
    }

    /// <summary>Order N of the matrix.</summary>
    public nint Order { get; }

    /// <summary>1-based order of the first leading minor that is not positive definite (LAPACK's INFO).</summary>
    public nint MinorOrder { get; }

    /// <summary>The diagonal shift that was applied.</summary>
    public double Shift { get; }
}

/// <summary>LAPACK rejected an argument (INFO &lt; 0): a bug in GnKernels, never the caller's fault.</summary>
internal sealed class LapackArgumentException(string routine, int info)
    : InvalidOperationException($"Internal error in GnKernels: LAPACK {routine} rejected argument {-info} (INFO = {info}). " +
                                "This is a bug in GnKernels; please report it with the shapes involved.")
{
    public string Routine { get; } = routine;
    public int Info { get; } = info;

    public static void ThrowIfNegative(string routine, int info)
    {
        if (info < 0) throw new LapackArgumentException(routine, info);
    }
}
