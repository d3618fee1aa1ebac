using System.Numerics;

namespace GnKernels.Linalg;

/// <summary>
/// Rows [Row, Row + Rows) × columns [Col, Col + Cols) of a <see cref="DenseMatrix{T}"/>, with its row stride: for the
/// BLAS calls that block a long matrix. A whole matrix converts to itself.
/// </summary>
internal readonly struct SubMatrix<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public SubMatrix(DenseMatrix<T> matrix, int row, int rows, int col, int cols)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (row < 0 || rows < 0 || row + (long)rows > matrix.Rows || col < 0 || cols < 0 || col + (long)cols > matrix.Cols)
            Guard.ThrowArgument(nameof(matrix), $"the block of rows {row}…{row + rows - 1} and columns {col}…{col + cols - 1} is outside the {matrix.Shape} matrix.");
        (Matrix, Row, Rows, Col, Cols) = (matrix, row, rows, col, cols);
    }

    public DenseMatrix<T> Matrix { get; }
    public int Row { get; }
    public int Rows { get; }
    public int Col { get; }
    public int Cols { get; }

    internal ref T Origin => ref Matrix.At(Row, Col);

    /// <summary>Rows [row, row + rows) of <paramref name="matrix"/>, all columns.</summary>
    public static SubMatrix<T> RowsOf(DenseMatrix<T> matrix, int row, int rows) => new(matrix, row, rows, 0, (int)matrix.Cols);

    public static implicit operator SubMatrix<T>(DenseMatrix<T> matrix) => new(matrix, 0, (int)matrix.Rows, 0, (int)matrix.Cols);
}
