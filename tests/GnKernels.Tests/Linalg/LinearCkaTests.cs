using GnKernels.Linalg;
using GnKernels.Tests.Models;
using Xunit;

namespace GnKernels.Tests.Linalg;

public class LinearCkaTests
{
    [Fact]
    public void Is_one_under_rotation_scaling_and_shift_and_small_for_unrelated_data()
    {
        var rng = new Random(4);
        using var x = ReversibleMlpTests.RandomMatrix(200, 3, rng);
        // y = 3·x·R + 5 with R a rotation in the first two coordinates.
        using var y = new DenseMatrix<double>(200, 3);
        double c = Math.Cos(0.7), s = Math.Sin(0.7);
        for (int i = 0; i < 200; i++)
        {
            y[i, 0] = 3 * (c * x[i, 0] - s * x[i, 1]) + 5;
            y[i, 1] = 3 * (s * x[i, 0] + c * x[i, 1]) + 5;
            y[i, 2] = 3 * x[i, 2] + 5;
        }
        Assert.Equal(1, LinearCka.Compute(x, y), 1e-12);
        using var z = ReversibleMlpTests.RandomMatrix(200, 3, rng);
        Assert.InRange(LinearCka.Compute(x, z), 0, 0.1);
    }

    [Fact]
    public void Matches_the_formula_on_a_small_case()
    {
        // Centered one-column representations: CKA = corr(x, y)².
        using var x = DenseMatrix<double>.FromRowMajor(4, 1, [1.0, 2, 3, 4]);
        using var y = DenseMatrix<double>.FromRowMajor(4, 1, [1.0, 3, 2, 5]);
        double mx = 2.5, my = 2.75, sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < 4; i++)
        {
            sxy += (x[i, 0] - mx) * (y[i, 0] - my);
            sxx += (x[i, 0] - mx) * (x[i, 0] - mx);
            syy += (y[i, 0] - my) * (y[i, 0] - my);
        }
        Assert.Equal(sxy * sxy / (sxx * syy), LinearCka.Compute(x, y), 1e-14);
    }

    [Fact]
    public void Different_samples_are_refused()
    {
        using var x = new DenseMatrix<double>(5, 2);
        using var y = new DenseMatrix<double>(4, 2);
        var ex = Assert.Throws<ArgumentException>(() => LinearCka.Compute(x, y));
        Assert.Equal("y", ex.ParamName);
        Assert.Contains("5×2", ex.Message);
    }
}
