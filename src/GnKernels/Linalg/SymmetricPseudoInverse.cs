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
        int n = Validate(a, relativeCutoff, absoluteCutoff);
        Guard.Length(b.Length, n, nameof(b), $"the order of the {a.Shape} matrix");
        Guard.Length(x.Length, n, nameof(x), $"the order of the {a.Shape} matrix");
        Guard.Finite(b, nameof(b));
        if (n == 0) return default;
        using var coefficients = DenseMatrix<double>.FromRowMajor(n, 1, b);
        using var solution = new DenseMatrix<double>(n, 1);
        using var workspace = new Workspace(n, 1);
        var result = SolveValidated(a, coefficients, solution, relativeCutoff, absoluteCutoff, workspace);
        solution.AsSpan().CopyTo(x);
        return result;
    }

    /// <summary>
    /// Solves X = A⁺·B for the N×m right-hand sides <paramref name="b"/> at once (one eigendecomposition, two GEMMs).
    /// <paramref name="x"/> (N×m) may be <paramref name="b"/>.
    /// </summary>
    public static PseudoInverseSolution SolveColumns(DenseMatrix<double> a, DenseMatrix<double> b, DenseMatrix<double> x, double relativeCutoff, double absoluteCutoff)
    {
        int n = ValidateColumns(a, b, x, relativeCutoff, absoluteCutoff);
        if (n == 0) return default;
        using var workspace = new Workspace(n, checked((int)b.Cols));
        return SolveValidated(a, b, x, relativeCutoff, absoluteCutoff, workspace);
    }

    /// <summary><see cref="SolveColumns(DenseMatrix{double}, DenseMatrix{double}, DenseMatrix{double}, double, double)"/> with the caller's buffers: no allocation.</summary>
    internal static PseudoInverseSolution SolveColumns(DenseMatrix<double> a, DenseMatrix<double> b, DenseMatrix<double> x, double relativeCutoff, double absoluteCutoff,
        Workspace workspace, double relativeShift = 0)
    {
        int n = ValidateColumns(a, b, x, relativeCutoff, absoluteCutoff);
        if (workspace.Order != n || workspace.Columns != b.Cols)
            throw new ArgumentException($"The workspace is for {workspace.Order}×{workspace.Order} systems with {workspace.Columns} right-hand sides, not {a.Shape} with {b.Cols}.", nameof(workspace));
        return n == 0 ? default : SolveValidated(a, b, x, relativeCutoff, absoluteCutoff, workspace, relativeShift);
    }

    /// <summary>The eigendecomposition's scratch, eigenvectors, coefficients and eigenvalues for N×N systems with m right-hand sides.</summary>
    internal sealed class Workspace(int order, int columns) : IDisposable
    {
        public int Order { get; } = order;
        public int Columns { get; } = columns;
        public DenseMatrix<double> Scratch { get; } = DenseMatrix<double>.CreateUninitialized(order, order);
        public DenseMatrix<double> Vectors { get; } = DenseMatrix<double>.CreateUninitialized(order, order); // eigenvector i as row i
        public DenseMatrix<double> Coefficients { get; } = DenseMatrix<double>.CreateUninitialized(order, columns);
        public double[] Values { get; } = new double[order];

        public void Dispose()
        {
            Scratch.Dispose();
            Vectors.Dispose();
            Coefficients.Dispose();
        }
    }

    private static int ValidateColumns(DenseMatrix<double> a, DenseMatrix<double> b, DenseMatrix<double> x, double relativeCutoff, double absoluteCutoff)
    {
        int n = Validate(a, relativeCutoff, absoluteCutoff);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(x);
        if (b.Rows != n) Guard.ThrowArgument(nameof(b), $"b is {b.Shape}; it needs one row per row of the {a.Shape} matrix.");
        Guard.SameShape(x, nameof(x), b, nameof(b));
        Guard.Finite(b, nameof(b));
        return n;
    }

    private static int Validate(DenseMatrix<double> a, double relativeCutoff, double absoluteCutoff)
    {
        ArgumentNullException.ThrowIfNull(a);
        Guard.Square(a, nameof(a));
        if (!(relativeCutoff >= 0 && relativeCutoff < 1))
            Guard.ThrowArgument(nameof(relativeCutoff), $"relativeCutoff must lie in [0, 1); it is {relativeCutoff}.");
        if (!(absoluteCutoff >= 0) || double.IsInfinity(absoluteCutoff))
            Guard.ThrowArgument(nameof(absoluteCutoff), $"absoluteCutoff must be finite and ≥ 0; it is {absoluteCutoff}.");
        return checked((int)a.Rows);
    }

    /// <summary>With <paramref name="relativeShift"/> &gt; 0 the kept eigenvalues are λᵢ + shift·λ_max: (A + shift·λ_max·I)⁻¹ on the kept part.</summary>
    private static PseudoInverseSolution SolveValidated(DenseMatrix<double> a, DenseMatrix<double> b, DenseMatrix<double> x, double relativeCutoff, double absoluteCutoff,
        Workspace workspace, double relativeShift = 0)
    {
        int n = workspace.Order;
        var values = workspace.Values;
        var vectors = workspace.Vectors;
        var coefficients = workspace.Coefficients;
        if (SymmetricStorage.FirstNonFiniteInLower(a) is { } at)
            Guard.ThrowNonFinite(nameof(a), $"a[{at.Row}, {at.Col}] = {a[at.Row, at.Col]}");
        SymmetricEigen.ComputeValidated(a, 0, values, vectors, workspace.Scratch);
        double cutoff = Math.Max(relativeCutoff * Math.Max(values[^1], 0), absoluteCutoff), shift = relativeShift * Math.Max(values[^1], 0);
        Blas.Gemm(1.0, vectors, Transpose.None, b, Transpose.None, 0.0, coefficients); // C = Qᵀ·B
        int rank = 0;
        for (int i = 0; i < n; i++)
        {
            var row = coefficients.Row(i);
            if (values[i] > cutoff) { System.Numerics.Tensors.TensorPrimitives.Divide(row, values[i] + shift, row); rank++; }
            else row.Clear();
        }
        Blas.Gemm(1.0, vectors, Transpose.Transposed, coefficients, Transpose.None, 0.0, x); // X = Q·(Λ⁺C)
        return new PseudoInverseSolution(rank, cutoff, values[0], values[^1]);
    }
}

/// <summary>What <see cref="SymmetricPseudoInverse.Solve(DenseMatrix{double}, ReadOnlySpan{double}, Span{double}, double, double)"/> kept: the rank, the cut-off below which eigenvalues counted as zero, and λ_min, λ_max.</summary>
public readonly record struct PseudoInverseSolution(int Rank, double Cutoff, double SmallestEigenvalue, double LargestEigenvalue);
