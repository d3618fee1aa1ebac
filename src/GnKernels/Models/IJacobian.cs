using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// The Jacobian J (N outputs × P parameters) of a model at one point, as the Gauss-Newton solvers need it: products
/// with vectors and its Gram matrices. Implemented without forming J by <see cref="TwoLayerSiluLinearization"/>
/// and for any caller-supplied matrix by <see cref="ExplicitJacobian"/>.
/// Gram results fill the lower triangle only (row-major); the strict upper triangle is not touched.
/// </summary>
public interface IJacobian
{
    /// <summary>N, the number of outputs (rows of J).</summary>
    int Rows { get; }

    /// <summary>P, the number of parameters (columns of J).</summary>
    int Columns { get; }

    /// <summary>result = J·direction (direction: P, result: N).</summary>
    void Multiply(ReadOnlySpan<double> direction, Span<double> result);

    /// <summary>result = Jᵀ·z (z: N, result: P).</summary>
    void MultiplyTransposed(ReadOnlySpan<double> z, Span<double> result);

    /// <summary>Lower triangle of the neural tangent kernel A = J·Jᵀ (N×N).</summary>
    void Ntk(DenseMatrix<double> result);

    /// <summary>Lower triangle of J·diag(weights)·Jᵀ (N×N) for non-negative per-parameter weights (P).</summary>
    void WeightedNtk(ReadOnlySpan<double> weights, DenseMatrix<double> result);

    /// <summary>Lower triangle of Jᵀ·J (P×P), for the parameter-space form when P &lt; N.</summary>
    void ParameterGram(DenseMatrix<double> result);
}
