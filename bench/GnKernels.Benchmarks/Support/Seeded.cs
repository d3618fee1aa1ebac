using GnKernels.Linalg;

namespace GnKernels.Benchmarks.Support;

/// <summary>Seeded inputs so every run measures the same numbers.</summary>
public static class Seeded
{
    public static DenseMatrix<double> Uniform(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var m = DenseMatrix<double>.CreateUninitialized(rows, cols);
        for (nint i = 0; i < rows; i++)
        {
            Span<double> row = m.Row(i);
            for (int j = 0; j < row.Length; j++) row[j] = rng.NextDouble() * 2 - 1;
        }
        return m;
    }

    /// <summary>B·Bᵀ/n + I (lower triangle filled by DSYRK, then mirrored): SPD and well conditioned.</summary>
    public static DenseMatrix<double> Spd(int n, int seed)
    {
        using var b = Uniform(n, n, seed);
        var a = new DenseMatrix<double>(n, n);
        Blas.SyrkLower(1.0 / n, b, Transpose.None, 0.0, a);
        for (int i = 0; i < n; i++) a[i, i] += 1.0;
        SymmetricStorage.MirrorLowerToUpper(a);
        return a;
    }
}
