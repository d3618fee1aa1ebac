using GnKernels.Linalg;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Linalg;

public class BlasTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Gemm_matches_the_managed_product(bool ta, bool tb)
    {
        var rng = new Random(17);
        double[,] a = Reference.Random(13, 7, rng), b = Reference.Random(7, 9, rng), c0 = Reference.Random(13, 9, rng);
        double[,] aStored = ta ? Reference.Transpose(a) : a, bStored = tb ? Reference.Transpose(b) : b;
        using var ma = Reference.ToMatrix(aStored);
        using var mb = Reference.ToMatrix(bStored);
        using var mc = Reference.ToMatrix(c0);
        Blas.Gemm(2.0, ma, ta ? Transpose.Transposed : Transpose.None, mb, tb ? Transpose.Transposed : Transpose.None, 0.5, mc);
        double[,] expected = Reference.Multiply(a, b);
        for (int i = 0; i < 13; i++)
            for (int j = 0; j < 9; j++) expected[i, j] = 2 * expected[i, j] + 0.5 * c0[i, j];
        Assert.True(Reference.MaxRelativeDifference(mc.ToArray(), expected) < 1e-15);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Syrk_fills_the_lower_triangle_only(bool trans)
    {
        var rng = new Random(23);
        double[,] a = Reference.Random(11, 5, rng);
        using var ma = Reference.ToMatrix(trans ? Reference.Transpose(a) : a);
        using var c = new DenseMatrix<double>(11, 11);
        c.Fill(-7);
        Blas.SyrkLower(1.0, ma, trans ? Transpose.Transposed : Transpose.None, 0.0, c);
        double[,] expected = Reference.Multiply(a, a, transB: true);
        for (int i = 0; i < 11; i++)
            for (int j = 0; j < 11; j++)
                Assert.Equal(j <= i ? expected[i, j] : -7, c[i, j], 13);
    }

    [Fact]
    public void Gemv_matches_the_managed_product()
    {
        var rng = new Random(29);
        double[,] a = Reference.Random(6, 4, rng);
        using var ma = Reference.ToMatrix(a);
        double[] x = [1, -2, 3, 0.5], y = new double[6];
        Blas.Gemv(1.0, ma, Transpose.None, x, 0.0, y);
        for (int i = 0; i < 6; i++) Assert.Equal(Enumerable.Range(0, 4).Sum(j => a[i, j] * x[j]), y[i], 14);
        double[] z = new double[4];
        Blas.Gemv(1.0, ma, Transpose.Transposed, y, 0.0, z);
        for (int j = 0; j < 4; j++) Assert.Equal(Enumerable.Range(0, 6).Sum(i => a[i, j] * y[i]), z[j], 13);
    }

    [Fact]
    public void Symv_reads_only_the_lower_triangle()
    {
        var rng = new Random(31);
        double[,] b = Reference.Random(7, 7, rng), a = Reference.Multiply(b, b, transB: true);
        using var ma = Reference.ToMatrix(a);
        for (int i = 0; i < 7; i++)
            for (int j = i + 1; j < 7; j++) ma[i, j] = double.NaN; // a read of the upper triangle would show
        double[] x = [1, -2, 3, 0.5, 0, -1, 2], y = [1, 1, 1, 1, 1, 1, 1];
        Blas.SymvLower(2.0, ma, x, -1.0, y);
        for (int i = 0; i < 7; i++) Assert.Equal(2 * Enumerable.Range(0, 7).Sum(j => a[i, j] * x[j]) - 1, y[i], 12);

        var e = Assert.Throws<ArgumentException>(() => Blas.SymvLower(1.0, ma, new double[6], 0.0, y));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("7×7", e.Message);

        e = Assert.Throws<ArgumentException>(() => Blas.SymvLower(1.0, ma, y, 0.0, y)); // symv cannot work in place
        Assert.Equal("y", e.ParamName);
        Assert.Contains("overlap", e.Message);
    }

    // The products on row blocks of long matrices (SubMatrix): the same as on copies of the blocks, and a block
    // outside its matrix or with mismatched shapes is refused with the shapes named.
    [Fact]
    public void Blocks_multiply_as_their_copies_and_bad_blocks_are_refused()
    {
        var rng = new Random(23);
        using var a = new DenseMatrix<double>(7, 5);
        using var b = new DenseMatrix<double>(9, 5);
        using var c = new DenseMatrix<double>(4, 6);
        for (int i = 0; i < 7; i++) for (int j = 0; j < 5; j++) a[i, j] = rng.NextDouble() - 0.5;
        for (int i = 0; i < 9; i++) for (int j = 0; j < 5; j++) b[i, j] = rng.NextDouble() - 0.5;
        // c[1..4, 2..5] = a[2..5, :] · b[4..7, :]ᵀ
        Blas.Gemm(1.0, SubMatrix<double>.RowsOf(a, 2, 3), Transpose.None, SubMatrix<double>.RowsOf(b, 4, 3), Transpose.Transposed,
            0.0, new SubMatrix<double>(c, 1, 3, 2, 3));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double expected = 0;
                for (int k = 0; k < 5; k++) expected += a[2 + i, k] * b[4 + j, k];
                Assert.Equal(expected, c[1 + i, 2 + j], 12);
            }
        Assert.Equal(0, c[0, 0]); // outside the block: untouched
        Assert.Equal(0, c[1, 5]);

        var y = new double[3];
        Blas.Gemv(1.0, SubMatrix<double>.RowsOf(a, 4, 3), Transpose.None, [1.0, 2, 3, 4, 5], 0.0, y);
        for (int i = 0; i < 3; i++) Assert.Equal(Enumerable.Range(0, 5).Sum(k => a[4 + i, k] * (k + 1)), y[i], 12);

        var e = Assert.Throws<ArgumentException>(() => SubMatrix<double>.RowsOf(a, 5, 3));
        Assert.Contains("outside the 7×5 matrix", e.Message);
        e = Assert.Throws<ArgumentException>(() => Blas.Gemm(1.0, SubMatrix<double>.RowsOf(a, 0, 3), Transpose.None,
            SubMatrix<double>.RowsOf(b, 0, 4), Transpose.None, 0.0, new SubMatrix<double>(c, 0, 3, 0, 5)));
        Assert.Contains("3×5", e.Message);
        Assert.Contains("4×5", e.Message);
        e = Assert.Throws<ArgumentException>(() => Blas.Gemv(1.0, SubMatrix<double>.RowsOf(a, 0, 3), Transpose.None, new double[4], 0.0, y));
        Assert.Equal("x", e.ParamName);
    }

    [Fact]
    public void Shape_mismatches_name_both_shapes()
    {
        using var a = new DenseMatrix<double>(3, 4);
        using var b = new DenseMatrix<double>(5, 2);
        using var c = new DenseMatrix<double>(3, 2);
        var e = Assert.Throws<ArgumentException>(() => Blas.Gemm(1.0, a, Transpose.None, b, Transpose.None, 0.0, c));
        Assert.Contains("3×4", e.Message);
        Assert.Contains("5×2", e.Message);

        using var sq = new DenseMatrix<double>(4, 4);
        e = Assert.Throws<ArgumentException>(() => Blas.SyrkLower(1.0, a, Transpose.None, 0.0, sq));
        Assert.Equal("c", e.ParamName);
        Assert.Contains("3×3", e.Message);

        e = Assert.Throws<ArgumentException>(() => Blas.Gemv(1.0, a, Transpose.None, new double[3], 0.0, new double[3]));
        Assert.Equal("x", e.ParamName);

        e = Assert.Throws<ArgumentException>(() => Blas.Gemm(1.0, sq, Transpose.None, sq, Transpose.None, 0.0, sq));
        Assert.Contains("same matrix", e.Message);
    }
}
