using GnKernels.Linalg;
using GnKernels.Simd;

namespace GnKernels.Models;

/// <summary>
/// One pass of a Jacobian product over Φ or E by the <see cref="SkinnyGemm"/> kernels, split across the row workers:
/// the dot products by rows, the transposed product by columns (each thread its columns over every row). The kernels'
/// results do not depend on the split, so neither do the products'. Reused: a pass allocates nothing.
/// </summary>
internal sealed class SkinnyProductPass : IRowRangeWork
{
    // Columns per part of the transposed product: whole steps of either vector width.
    private const int ColumnStep = 16;

    private readonly SimdPath _path = SimdSelection.Selected;
    private DenseMatrix<double> _d = null!, _other = null!, _c = null!;
    private int _firstRow, _rows, _otherOffset, _terms, _cRow, _cCol;
    private bool _transposed;

    /// <summary>Whether the kernels run on this process's path (otherwise the products use BLAS).</summary>
    public static bool Available => SkinnyGemm.Accelerates(SimdSelection.Selected);

    /// <summary>C[cRow + t, cCol + r] = D[firstRow + r, :]·Q[qRow + t, :] for r &lt; rows, t &lt; terms.</summary>
    public void RowDots(DenseMatrix<double> d, int firstRow, int rows, DenseMatrix<double> q, int qRow, int terms, DenseMatrix<double> c, int cRow, int cCol)
    {
        (_d, _firstRow, _rows, _other, _otherOffset, _terms, _c, _cRow, _cCol, _transposed) = (d, firstRow, rows, q, qRow, terms, c, cRow, cCol, false);
        RowWorkers.Run(this, rows, (int)d.Cols * terms);
    }

    /// <summary>C[cRow + t, j] += Σᵣ S[firstRow + r, sCol + t]·D[firstRow + r, j] for r &lt; rows, t &lt; terms, every column j.</summary>
    public void AddTransposedProduct(DenseMatrix<double> d, int firstRow, int rows, DenseMatrix<double> s, int sCol, int terms, DenseMatrix<double> c, int cRow)
    {
        (_d, _firstRow, _rows, _other, _otherOffset, _terms, _c, _cRow, _cCol, _transposed) = (d, firstRow, rows, s, sCol, terms, c, cRow, 0, true);
        RowWorkers.Run(this, (int)((d.Cols + ColumnStep - 1) / ColumnStep), rows * ColumnStep * terms);
    }

    void IRowRangeWork.Run(int start, int end)
    {
        int cols = (int)_d.Cols;
        if (_transposed)
            SkinnyGemm.AddTransposedProduct(_path, ref _d.At(_firstRow, 0), cols, _rows, ref _other.At(_firstRow, _otherOffset), (nint)_other.Cols, _terms,
                ref _c.At(_cRow, 0), (nint)_c.Cols, start * ColumnStep, Math.Min(cols, end * ColumnStep));
        else
            SkinnyGemm.RowDots(_path, ref _d.At(_firstRow, 0), cols, start, end, cols, ref _other.At(_otherOffset, 0), (nint)_other.Cols, _terms,
                ref _c.At(_cRow, _cCol), 1, (nint)_c.Cols);
    }
}
