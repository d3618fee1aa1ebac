namespace GnKernels.Linalg;

/// <summary>Whether a BLAS operand is used as stored or transposed.</summary>
public enum Transpose
{
    /// <summary>op(A) = A.</summary>
    None,
    /// <summary>op(A) = Aᵀ.</summary>
    Transposed,
}
