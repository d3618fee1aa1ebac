using System.Numerics.Tensors;

namespace GnKernels.Linalg;

/// <summary>
/// x = A⁺·b for a symmetric positive semi-definite A (a Gram matrix such as J·Jᵀ), by its eigendecomposition
/// (LAPACK <c>dsyevr</c>) truncated below max(relativeCutoff·λ_max, absoluteCutoff): the minimum-norm least-squares
/// solution on the numerically nonsingular part. Eigenvalues at or below the cut-off, negative ones included
/// (rounding of a semi-definite matrix), count as zero.
/// </summary>
public static class SymmetricPseudoInverse
{
    /// <summary>
    /// Solves x = A⁺·b from the lower triangle of <paramref name="a"/> (not modified); returns the rank kept, the
    /// cut-off and the extreme eigenvalues.
    /// <paramref name="x"/> may be <paramref name="b"/>. Costs O(N³) and a temporary N×N eigenvector matrix.
    /// </summary>
    public static PseudoInverseSolution Solve(DenseMatrix<double> a, ReadOnlySpan<double> b, Span<double> x, double relativeCutoff = 1e-12, double absoluteCutoff = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        Guard.Square(a, nameof(a));
        int n = checked((int)a.Rows);
        Guard.Length(b.Length, n, nameof(b), $"the order of the {a.Shape} matrix");
        Guard.Length(x.Length, n, nameof(x), $"the order of the {a.Shape} matrix");
        Guard.Finite(b, nameof(b));
        if (!(relativeCutoff >= 0 && relativeCutoff < 1))
            Guard.ThrowArgument(nameof(relativeCutoff), $"relativeCutoff must lie in [0, 1); it is {relativeCutoff}.");
        if (!(absoluteCutoff >= 0) || double.IsInfinity(absoluteCutoff))
            Guard.ThrowArgument(nameof(absoluteCutoff), $"absoluteCutoff must be finite and ≥ 0; it is {absoluteCutoff}.");
        if (n == 0) return default;

        var values = new double[n];
        using var vectors = DenseMatrix<double>.CreateUninitialized(n, n); // eigenvector i as row i
        SymmetricEigen.Compute(a, 0, values, vectors);
        double cutoff = Math.Max(relativeCutoff * Math.Max(values[^1], 0), absoluteCutoff);
        var coefficients = new double[n];
        Blas.Gemv(1.0, vectors, Transpose.None, b, 0.0, coefficients);   // c = Qᵀb
        int rank = 0;
        for (int i = 0; i < n; i++)
        {
            if (values[i] > cutoff) { coefficients[i] /= values[i]; rank++; }
            else coefficients[i] = 0;
        }
        Blas.Gemv(1.0, vectors, Transpose.Transposed, coefficients, 0.0, x); // x = Q·(Λ⁺c)
        return new PseudoInverseSolution(rank, cutoff, values[0], values[^1]);
    }
}

/// <summary>What <see cref="SymmetricPseudoInverse.Solve"/> kept: the rank, the cut-off below which eigenvalues counted as zero, and λ_min, λ_max.</summary>
public readonly record struct PseudoInverseSolution(int Rank, double Cutoff, double SmallestEigenvalue, double LargestEigenvalue);
