using GnKernels.Linalg;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Linalg;

public class CholeskyTests
{
    public static TheoryData<int> Sizes => [1, 7, 8, 33, 100, 257];

    [Theory, MemberData(nameof(Sizes))]
    public void Factor_reconstructs_the_matrix(int n)
    {
        int seed = 1000 + n;
        double[,] a = Reference.Spd(n, new Random(seed));
        using var m = Reference.ToMatrix(a);
        new Cholesky<double>(m).Factor();
        double[,] l = Reference.Lower(m);
        double error = Reference.MaxRelativeDifference(Reference.Multiply(l, l, transB: true), a);
        Assert.True(error < 1e-14 * n, $"seed {seed}: ‖LLᵀ−A‖/‖A‖ = {error:E2}");
    }

    [Theory, MemberData(nameof(Sizes))]
    public void Solve_has_a_small_backward_error(int n)
    {
        int seed = 2000 + n;
        var rng = new Random(seed);
        double[,] a = Reference.Spd(n, rng);
        double[] b = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        using var m = Reference.ToMatrix(a);
        var chol = new Cholesky<double>(m);
        chol.Factor();
        double[] x = (double[])b.Clone();
        chol.Solve(x);
        Assert.True(Residual(a, x, b) < 1e-15 * n, $"seed {seed}: relative residual {Residual(a, x, b):E2}");
    }

    [Fact]
    public void Solve_many_right_hand_sides_matches_each_single_solve()
    {
        const int n = 45, k = 6, seed = 31;
        var rng = new Random(seed);
        double[,] a = Reference.Spd(n, rng);
        double[,] bs = Reference.Random(n, k, rng);
        using var m = Reference.ToMatrix(a);
        using var rhs = Reference.ToMatrix(bs);
        var chol = new Cholesky<double>(m);
        chol.Factor();
        chol.Solve(rhs);
        for (int c = 0; c < k; c++)
        {
            double[] x = Enumerable.Range(0, n).Select(i => rhs[i, c]).ToArray();
            double[] b = Enumerable.Range(0, n).Select(i => bs[i, c]).ToArray();
            Assert.True(Residual(a, x, b) < 1e-14, $"seed {seed}, column {c}: residual {Residual(a, x, b):E2}");
        }
    }

    [Fact]
    public void Shifted_factor_equals_factor_of_the_shifted_matrix()
    {
        const int n = 50, seed = 5;
        const double shift = 0.75;
        double[,] a = Reference.Spd(n, new Random(seed));
        double[,] shifted = (double[,])a.Clone();
        for (int i = 0; i < n; i++) shifted[i, i] += shift;
        using var m1 = Reference.ToMatrix(a);
        using var m2 = Reference.ToMatrix(shifted);
        new Cholesky<double>(m1).Factor(shift);
        new Cholesky<double>(m2).Factor();
        Assert.True(Reference.MaxRelativeDifference(Reference.Lower(m1), Reference.Lower(m2)) < 1e-15);
    }

    [Theory]
    [InlineData(4, 3)]
    [InlineData(40, 17)]
    [InlineData(300, 123)]
    public void Not_positive_definite_names_the_failing_minor(int n, int badRow)
    {
        // diag(1, …, 1, −1 at badRow, 1, …): the leading minor of order badRow + 1 is the first that fails.
        using var m = new DenseMatrix<double>(n, n);
        for (int i = 0; i < n; i++) m[i, i] = i == badRow ? -1 : 1;
        var e = Assert.Throws<NotPositiveDefiniteException>(() => new Cholesky<double>(m).Factor());
        Assert.Equal(badRow + 1, e.MinorOrder);
        Assert.Contains($"order {badRow + 1}", e.Message);
        Assert.Contains("damping", e.Message);
    }

    [Fact]
    public void Kept_input_allows_retry_with_a_larger_shift()
    {
        const int n = 60, seed = 77;
        double[] lambda = Enumerable.Range(0, n).Select(i => i - 5.0).ToArray(); // indefinite: λ_min = −5
        double[,] a = Reference.WithEigenvalues(lambda, new Random(seed), out _);
        using var m = Reference.ToMatrix(a);
        var chol = new Cholesky<double>(m, keepInput: true);
        Assert.False(chol.TryFactor(1.0, out nint minor));
        Assert.InRange(minor, 1, n);
        Assert.False(chol.TryFactor(4.5, out _));
        Assert.True(chol.TryFactor(6.0, out _));

        double[,] shifted = (double[,])a.Clone();
        for (int i = 0; i < n; i++) shifted[i, i] += 6.0;
        using var fresh = Reference.ToMatrix(shifted);
        new Cholesky<double>(fresh).Factor();
        Assert.True(Reference.MaxRelativeDifference(Reference.Lower(m), Reference.Lower(fresh)) < 1e-14, $"seed {seed}");

        // Still kept after success: factor once more with another shift.
        chol.Factor(10.0);
        Assert.Equal(10.0, chol.Shift);
    }

    [Fact]
    public void Without_kept_input_a_second_factor_is_refused()
    {
        using var m = Reference.ToMatrix(Reference.Spd(5, new Random(1)));
        var chol = new Cholesky<double>(m);
        chol.Factor();
        var e = Assert.Throws<InvalidOperationException>(() => chol.Factor(1.0));
        Assert.Contains("keepInput", e.Message);
    }

    [Theory]
    [InlineData(double.NaN, 5, 2, false)]
    [InlineData(double.NaN, 5, 2, true)]
    [InlineData(double.PositiveInfinity, 7, 7, false)]
    [InlineData(double.NegativeInfinity, 9, 0, true)]
    [InlineData(double.NaN, 0, 0, false)]
    public void Non_finite_input_is_named(double bad, int row, int col, bool keepInput)
    {
        using var m = Reference.ToMatrix(Reference.Spd(12, new Random(3)));
        m[row, col] = bad;
        var e = Assert.Throws<ArgumentException>(() => new Cholesky<double>(m, keepInput).Factor());
        Assert.Contains($"[{row}, {col}]", e.Message);
        Assert.Equal("matrix", e.ParamName);
    }

    [Fact]
    public void Non_finite_right_hand_side_is_named()
    {
        using var m = Reference.ToMatrix(Reference.Spd(6, new Random(3)));
        var chol = new Cholesky<double>(m);
        chol.Factor();
        double[] b = [1, 2, double.NaN, 4, 5, 6];
        var e = Assert.Throws<ArgumentException>(() => chol.Solve(b));
        Assert.Contains("b[2]", e.Message);
    }

    [Fact]
    public void Reciprocal_condition_brackets_the_true_value()
    {
        const int n = 80, seed = 11;
        double[] lambda = Enumerable.Range(0, n).Select(i => Math.Pow(10, 6.0 * i / (n - 1))).ToArray(); // κ₂ = 1e6
        double[,] a = Reference.WithEigenvalues(lambda, new Random(seed), out double[,] q);
        double[,] inverse = Reference.WithEigenvaluesFromBasis(q, lambda.Select(l => 1 / l).ToArray());
        double trueRcond = 1 / (Reference.OneNorm(a) * Reference.OneNorm(inverse));

        using var m = Reference.ToMatrix(a);
        var chol = new Cholesky<double>(m, estimateCondition: true);
        chol.Factor();
        double estimate = chol.ReciprocalCondition();
        // pocon underestimates ‖A⁻¹‖₁, so it overestimates rcond, typically by well under 10×.
        Assert.InRange(estimate, trueRcond * (1 - 1e-6), trueRcond * 10);
    }

    [Fact]
    public void Log_determinant_matches_eigenvalues()
    {
        double[] lambda = [0.5, 2, 3, 7, 11];
        using var m = Reference.ToMatrix(Reference.WithEigenvalues(lambda, new Random(2), out _));
        var chol = new Cholesky<double>(m);
        chol.Factor();
        Assert.Equal(lambda.Sum(Math.Log), chol.LogDeterminant(), 12);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(130)]
    public void Single_precision_twin_solves(int n)
    {
        int seed = 40 + n;
        var rng = new Random(seed);
        double[,] a = Reference.Spd(n, rng);
        double[] b = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        using var m = Reference.ToMatrixSingle(a);
        var chol = new Cholesky<float>(m, estimateCondition: true);
        chol.Factor(0.5f);
        float[] x = b.Select(v => (float)v).ToArray();
        chol.Solve(x);
        for (int i = 0; i < n; i++) a[i, i] += 0.5;
        double residual = Residual(a, x.Select(v => (double)v).ToArray(), b);
        Assert.True(residual < 1e-6, $"seed {seed}: residual {residual:E2}");
        Assert.InRange(chol.ReciprocalCondition(), 1e-3f, 1f);
    }

    [Fact]
    public void Shapes_are_checked()
    {
        using var rect = new DenseMatrix<double>(3, 4);
        var e = Assert.Throws<ArgumentException>(() => new Cholesky<double>(rect));
        Assert.Contains("3×4", e.Message);

        using var m = Reference.ToMatrix(Reference.Spd(4, new Random(1)));
        var chol = new Cholesky<double>(m);
        Assert.Throws<InvalidOperationException>(() => chol.Solve(new double[4]));
        chol.Factor();
        e = Assert.Throws<ArgumentException>(() => chol.Solve(new double[5]));
        Assert.Equal("b", e.ParamName);
        Assert.Contains("length 5", e.Message);
        using var wrongRhs = new DenseMatrix<double>(3, 2);
        e = Assert.Throws<ArgumentException>(() => chol.Solve(wrongRhs));
        Assert.Contains("3×2", e.Message);
        Assert.Throws<ArgumentException>(() => chol.Factor(double.NaN));
    }

    private static double Residual(double[,] a, double[] x, double[] b)
    {
        int n = b.Length;
        double r = 0, xn = 0;
        for (int i = 0; i < n; i++)
        {
            double s = -b[i];
            for (int j = 0; j < n; j++) s += a[i, j] * x[j];
            r = Math.Max(r, Math.Abs(s));
            xn = Math.Max(xn, Math.Abs(x[i]));
        }
        double an = 0;
        for (int i = 0; i < n; i++)
        {
            double row = 0;
            for (int j = 0; j < n; j++) row += Math.Abs(a[i, j]);
            an = Math.Max(an, row);
        }
        return r / (an * xn);
    }
}
