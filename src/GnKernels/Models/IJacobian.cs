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

    /// <summary>
    /// J applied to <paramref name="count"/> directions at once: <paramref name="directions"/> holds them one after
    /// another (count·P entries), <paramref name="results"/> receives J·direction for each likewise (count·N). An
    /// implementation that batches them reads J once for all (<see cref="TwoLayerSiluLinearization"/>: one GEMM where
    /// one direction needs a GEMV); this default applies <see cref="Multiply(ReadOnlySpan{double}, Span{double})"/> to each.
    /// </summary>
    void Multiply(ReadOnlySpan<double> directions, Span<double> results, int count)
    {
        JacobianChecks.Batch(this, directions, nameof(directions), Columns, results, Rows, count);
        for (int c = 0; c < count; c++) Multiply(directions.Slice(c * Columns, Columns), results.Slice(c * Rows, Rows));
    }

    /// <summary>
    /// Jᵀ applied to <paramref name="count"/> vectors at once: <paramref name="zs"/> holds them one after another
    /// (count·N entries), <paramref name="results"/> receives Jᵀ·z for each likewise (count·P). Batched as
    /// <see cref="Multiply(ReadOnlySpan{double}, Span{double}, int)"/> is; this default applies
    /// <see cref="MultiplyTransposed(ReadOnlySpan{double}, Span{double})"/> to each.
    /// </summary>
    void MultiplyTransposed(ReadOnlySpan<double> zs, Span<double> results, int count)
    {
        JacobianChecks.Batch(this, zs, nameof(zs), Rows, results, Columns, count);
        for (int c = 0; c < count; c++) MultiplyTransposed(zs.Slice(c * Rows, Rows), results.Slice(c * Columns, Columns));
    }

    /// <summary>Lower triangle of the neural tangent kernel A = J·Jᵀ (N×N).</summary>
    void Ntk(DenseMatrix<double> result);

    /// <summary>Lower triangle of J·diag(weights)·Jᵀ (N×N) for non-negative per-parameter weights (P).</summary>
    void WeightedNtk(ReadOnlySpan<double> weights, DenseMatrix<double> result);

    /// <summary>Lower triangle of Jᵀ·J (P×P), for the parameter-space form when P &lt; N.</summary>
    void ParameterGram(DenseMatrix<double> result);
}
