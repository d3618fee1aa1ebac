using GnKernels.Linalg;
using GnKernels.Tests.Models;
using MathNet.Numerics.LinearAlgebra;

namespace GnKernels.Tests.Linalg;

public class SymmetricPseudoInverseTests
{
    [Fact]
    public void Many_right_hand_sides_match_MathNet_on_a_rank_deficient_Gram()
    {
        var rng = new Random(61);
        using var f = ReversibleMlpTests.RandomMatrix(12, 7, rng);          // A = F·Fᵀ: 12×12 of rank 7
        using var a = new DenseMatrix<double>(12, 12);
        Blas.SyrkLower(1.0, f, Transpose.None, 0.0, a);
        using var b = ReversibleMlpTests.RandomMatrix(12, 3, rng);
        using var x = new DenseMatrix<double>(12, 3);
        var kept = SymmetricPseudoInverse.SolveColumns(a, b, x, 1e-10, 0);
        Assert.Equal(7, kept.Rank);

        var full = Matrix<double>.Build.DenseOfArray(f.ToArray());
        var expected = (full * full.Transpose()).PseudoInverse() * Matrix<double>.Build.DenseOfArray(b.ToArray());
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 3; j++) Assert.Equal(expected[i, j], x[i, j], 1e-9);

        var column = new double[12];
        var single = new double[12];
        for (int i = 0; i < 12; i++) column[i] = b[i, 1];
        SymmetricPseudoInverse.Solve(a, column, single, 1e-10, 0);
        for (int i = 0; i < 12; i++) Assert.Equal(single[i], x[i, 1], 1e-12);
    }

    [Fact]
    public void Bad_shapes_are_named()
    {
        using var a = new DenseMatrix<double>(3, 3);
        using var b = new DenseMatrix<double>(4, 2);
        using var x = new DenseMatrix<double>(3, 2);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => SymmetricPseudoInverse.SolveColumns(a, b, x, 0, 0)).ParamName);
        using var b3 = new DenseMatrix<double>(3, 1);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => SymmetricPseudoInverse.SolveColumns(a, b3, x, 0, 0)).ParamName);
    }
}
