using System.Numerics.Tensors;

namespace GnKernels.Linalg;

/// <summary>
/// Linear centered kernel alignment (Kornblith et al. 2019) of two representations of the same n samples (rows):
/// ‖YᵀX‖²_F / (‖XᵀX‖_F·‖YᵀY‖_F) after centering each column. 1 when one is an orthogonal transform and scaling of the
/// other; invariant to isotropic scaling and rotations of either.
/// </summary>
public static class LinearCka
{
    /// <summary>CKA(X, Y) for X (n×p) and Y (n×q); n ≥ 2. Neither input is modified.</summary>
    public static double Compute(DenseMatrix<double> x, DenseMatrix<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rows != y.Rows || x.Rows < 2)
            Guard.ThrowArgument(nameof(y), $"x is {x.Shape} and y is {y.Shape}; both need the same samples as rows, at least 2.");
        using var cx = Centered(x);
        using var cy = Centered(y);
        using var xy = new DenseMatrix<double>(x.Cols, y.Cols);
        using var xx = new DenseMatrix<double>(x.Cols, x.Cols);
        using var yy = new DenseMatrix<double>(y.Cols, y.Cols);
        Blas.Gemm(1.0, cx, Transpose.Transposed, cy, Transpose.None, 0.0, xy);
        Blas.Gemm(1.0, cx, Transpose.Transposed, cx, Transpose.None, 0.0, xx);
        Blas.Gemm(1.0, cy, Transpose.Transposed, cy, Transpose.None, 0.0, yy);
        double cross = TensorPrimitives.Norm<double>(xy.AsSpan());
        double denominator = TensorPrimitives.Norm<double>(xx.AsSpan()) * TensorPrimitives.Norm<double>(yy.AsSpan());
        return denominator > 0 ? cross * cross / denominator : double.NaN;
    }

    private static DenseMatrix<double> Centered(DenseMatrix<double> m)
    {
        var c = DenseMatrix<double>.CreateUninitialized(m.Rows, m.Cols);
        c.CopyFrom(m);
        var mean = new double[m.Cols];
        for (nint i = 0; i < m.Rows; i++) TensorPrimitives.Add(mean, c.Row(i), mean);
        TensorPrimitives.Divide(mean, m.Rows, mean);
        for (nint i = 0; i < m.Rows; i++) TensorPrimitives.Subtract(c.Row(i), mean, c.Row(i));
        return c;
    }
}
