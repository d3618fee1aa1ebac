using GnKernels.Linalg;
using GnKernels.Native;
using GnKernels.Tests.Models;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Linalg;

/// <summary>One test reads the process-wide native allocation counter, so the class runs alone.</summary>
[Collection(nameof(NativeMemoryCollection))]
public class TridiagonalEigenTests
{
    private static (double[] Diagonal, double[] OffDiagonal) Random(int n, int seed)
    {
        var rng = new Random(seed);
        return (Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 1).ToArray(),
            Enumerable.Range(0, n - 1).Select(_ => rng.NextDouble() - 0.5).ToArray());
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 0, 2)]
    [InlineData(7, 5, 2)]
    [InlineData(60, 58, 2)]
    [InlineData(60, 10, 7)]
    public void Matches_the_dense_solver_and_satisfies_the_eigen_equation(int n, int first, int count)
    {
        int seed = 40 + n + first;
        var (diagonal, off) = Random(n, seed);
        using var dense = new DenseMatrix<double>(n, n);
        for (int i = 0; i < n; i++)
        {
            dense[i, i] = diagonal[i];
            if (i > 0) dense[i, i - 1] = off[i - 1];
        }
        var expected = new double[count];
        SymmetricEigen.Compute(dense, first, expected);
        double[] diagonalCopy = (double[])diagonal.Clone(), offCopy = (double[])off.Clone();

        var solver = new TridiagonalEigen(64);
        var values = new double[count];
        var vectors = new double[count * n];
        solver.Compute(diagonal, off, first, values, vectors);

        Assert.Equal(diagonalCopy, diagonal); // inputs untouched
        Assert.Equal(offCopy, off);
        for (int k = 0; k < count; k++)
        {
            Assert.True(Math.Abs(values[k] - expected[k]) < 1e-13 * 4, $"seed {seed}, λ[{first + k}]: {values[k]} vs dsyevr {expected[k]}");
            ReadOnlySpan<double> v = vectors.AsSpan(k * n, n);
            double norm = 0;
            for (int i = 0; i < n; i++)
            {
                double tv = diagonal[i] * v[i] + (i > 0 ? off[i - 1] * v[i - 1] : 0) + (i < n - 1 ? off[i] * v[i + 1] : 0);
                Assert.True(Math.Abs(tv - values[k] * v[i]) < 1e-12, $"seed {seed}, vector {k}, row {i}: residual {tv - values[k] * v[i]}");
                norm += v[i] * v[i];
            }
            Assert.Equal(1.0, norm, 12);
        }
        var valuesOnly = new double[count];
        solver.Compute(diagonal, off, first, valuesOnly);
        Assert.Equal(values, valuesOnly);
    }

    [Fact]
    public void Repeated_calls_of_any_order_allocate_nothing()
    {
        var solver = new TridiagonalEigen(60);
        var (diagonal, off) = Random(60, 3);
        var values = new double[2];
        var vectors = new double[2 * 60];
        long nativeBefore = NativeMemoryCounter.LiveBytes;
        solver.Compute(diagonal, off, 58, values, vectors); // warm-up (JIT, native library)
        Allocation.AssertNone(() => solver.Compute(diagonal, off, 58, values, vectors), "order 60");
        Allocation.AssertNone(() => solver.Compute(diagonal.AsSpan(0, 9), off.AsSpan(0, 8), 7, values, vectors.AsSpan(0, 18)), "order 9");
        Assert.Equal(nativeBefore, NativeMemoryCounter.LiveBytes);
    }

    [Fact]
    public void Bad_arguments_are_named_with_shapes_and_the_fix()
    {
        var solver = new TridiagonalEigen(5);
        double[] d = [1, 2, 3], e = [0.5, 0.5];
        var values = new double[1];
        Assert.Throws<ArgumentOutOfRangeException>("maxOrder", () => new TridiagonalEigen(0));
        var tooLarge = Assert.Throws<ArgumentException>("diagonal", () => solver.Compute(new double[6], new double[5], 0, values));
        Assert.Contains("larger maxOrder", tooLarge.Message);
        Assert.Throws<ArgumentException>("diagonal", () => solver.Compute([], [], 0, values));
        var offLength = Assert.Throws<ArgumentException>("offDiagonal", () => solver.Compute(d, [0.5], 0, values));
        Assert.Contains("length 1; it must be 2", offLength.Message);
        Assert.Throws<ArgumentOutOfRangeException>("first", () => solver.Compute(d, e, 3, values));
        Assert.Throws<ArgumentOutOfRangeException>("first", () => solver.Compute(d, e, 2, new double[2]));
        Assert.Throws<ArgumentOutOfRangeException>("first", () => solver.Compute(d, e, 0, []));
        var vectorLength = Assert.Throws<ArgumentException>("vectors", () => solver.Compute(d, e, 0, values, new double[2]));
        Assert.Contains("1×3", vectorLength.Message);
        var nan = Assert.Throws<ArgumentException>("diagonal", () => solver.Compute([1, double.NaN, 3], e, 0, values));
        Assert.Contains("diagonal[1] = NaN", nan.Message);
        Assert.Throws<ArgumentException>("offDiagonal", () => solver.Compute(d, [0.5, double.PositiveInfinity], 0, values));
    }
}
