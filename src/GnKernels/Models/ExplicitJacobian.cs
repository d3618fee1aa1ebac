using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// A caller-supplied Jacobian matrix J (N×P, row-major), for models other than <see cref="TwoLayerSilu"/>: its
/// NTK is one DSYRK. The matrix is referenced, not copied; keep it alive and unchanged while this is in use.
/// </summary>
public sealed class ExplicitJacobian : IJacobian, IDisposable
{
    private readonly DenseMatrix<double> _j;
    private DenseMatrix<double>? _panel;

    /// <summary>Wraps <paramref name="jacobian"/>; checks it for NaN/Inf once.</summary>
    public ExplicitJacobian(DenseMatrix<double> jacobian)
    {
        ArgumentNullException.ThrowIfNull(jacobian);
        Guard.Finite(jacobian, nameof(jacobian));
        _j = jacobian;
    }

    /// <inheritdoc/>
    public int Rows => (int)_j.Rows;

    /// <inheritdoc/>
    public int Columns => (int)_j.Cols;

    /// <inheritdoc/>
    public void Multiply(ReadOnlySpan<double> direction, Span<double> result)
    {
        JacobianChecks.Multiply(this, direction, result);
        Blas.Gemv(1.0, _j, Transpose.None, direction, 0.0, result);
    }

    /// <inheritdoc/>
    public void MultiplyTransposed(ReadOnlySpan<double> z, Span<double> result)
    {
        JacobianChecks.MultiplyTransposed(this, z, result);
        Blas.Gemv(1.0, _j, Transpose.Transposed, z, 0.0, result);
    }

    /// <inheritdoc/>
    public void Ntk(DenseMatrix<double> result)
    {
        JacobianChecks.Square(result, Rows, "J·Jᵀ");
        Blas.SyrkLower(1.0, _j, Transpose.None, 0.0, result);
    }

    /// <inheritdoc/>
    /// <remarks>By column panels of J scaled by √weights, so the extra memory is N × 256, not N×P.</remarks>
    public void WeightedNtk(ReadOnlySpan<double> weights, DenseMatrix<double> result)
    {
        JacobianChecks.Weights(this, weights);
        JacobianChecks.Square(result, Rows, "J·diag(w)·Jᵀ");
        int width = Math.Min(Columns, TwoLayerSiluLinearization.DefaultBlockSize);
        if (width == 0) { result.Fill(0); return; }
        var panel = _panel ??= DenseMatrix<double>.CreateUninitialized(Rows, width);
        Span<double> root = stackalloc double[width];
        for (int c0 = 0; c0 < Columns; c0 += width)
        {
            int count = Math.Min(width, Columns - c0);
            System.Numerics.Tensors.TensorPrimitives.Sqrt(weights.Slice(c0, count), root[..count]);
            for (int n = 0; n < Rows; n++)
            {
                Span<double> pRow = panel.Row(n);
                System.Numerics.Tensors.TensorPrimitives.Multiply(_j.Row(n).Slice(c0, count), root[..count], pRow[..count]);
                pRow[count..].Clear(); // zero columns add nothing to the product
            }
            Blas.SyrkLower(1.0, panel, Transpose.None, c0 == 0 ? 0.0 : 1.0, result);
        }
    }

    /// <inheritdoc/>
    public void ParameterGram(DenseMatrix<double> result)
    {
        JacobianChecks.Square(result, Columns, "Jᵀ·J");
        Blas.SyrkLower(1.0, _j, Transpose.Transposed, 0.0, result);
    }

    /// <summary>Frees the scratch panel (not the wrapped matrix).</summary>
    public void Dispose() => _panel?.Dispose();
}
