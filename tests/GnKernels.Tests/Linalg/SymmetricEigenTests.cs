using GnKernels.Linalg;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Linalg;

public class SymmetricEigenTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(64)]
    public void Recovers_known_eigenvalues(int n)
    {
        int seed = 300 + n;
        var rng = new Random(seed);
        double[] lambda = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 20 - 5).Order().ToArray();
        using var m = Reference.ToMatrix(Reference.WithEigenvalues(lambda, rng, out _));
        var values = new double[n];
        SymmetricEigen.Compute(m, 0, values);
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(values[i] - lambda[i]) < 1e-12 * 20, $"seed {seed}, λ[{i}]: {values[i]} vs {lambda[i]}");
        Assert.Equal(lambda[0], SymmetricEigen.Smallest(m), 11);
    }

    [Fact]
    public void Index_range_with_vectors_satisfies_the_eigen_equation()
    {
        const int n = 40, first = 10, count = 5, seed = 9;
        double[] lambda = Enumerable.Range(0, n).Select(i => 1.0 + i * i).ToArray();
        double[,] a = Reference.WithEigenvalues(lambda, new Random(seed), out _);
        using var m = Reference.ToMatrix(a);
        var values = new double[count];
        using var vectors = new DenseMatrix<double>(count, n);
        SymmetricEigen.Compute(m, first, values, vectors);
        for (int k = 0; k < count; k++)
        {
            Assert.Equal(lambda[first + k], values[k], 9);
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int j = 0; j < n; j++) av += a[i, j] * vectors[k, j];
                Assert.True(Math.Abs(av - values[k] * vectors[k, i]) < 1e-10 * lambda[^1], $"seed {seed}, vector {k}, row {i}");
            }
        }
        Assert.Equal(a[3, 1], m[3, 1]); // input untouched
    }

    [Fact]
    public void Single_precision_twin()
    {
        double[] lambda = [1, 2, 4, 8, 16, 32];
        using var m = Reference.ToMatrixSingle(Reference.WithEigenvalues(lambda, new Random(4), out _));
        Assert.Equal(1f, SymmetricEigen.Smallest(m), 4);
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        using var m = new DenseMatrix<double>(5, 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => SymmetricEigen.Compute(m, 3, new double[3]));
        using var wrong = new DenseMatrix<double>(2, 4);
        var e = Assert.Throws<ArgumentException>(() => SymmetricEigen.Compute(m, 0, new double[2], wrong));
        Assert.Contains("2×5", e.Message);
        m[4, 2] = double.PositiveInfinity;
        e = Assert.Throws<ArgumentException>(() => SymmetricEigen.Smallest(m));
        Assert.Contains("[4, 2]", e.Message);
    }
}
