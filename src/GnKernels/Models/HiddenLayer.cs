using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Simd;

namespace GnKernels.Models;

/// <summary>
/// The network's row-wise passes, shared by training and prediction and run on the BLAS threads by
/// <see cref="RowWorkers"/>. Each row is finished while it is in cache: Z = X·Uᵀ + b from the transposed hidden
/// weights (<see cref="AffineKernels"/>: the d products summed in registers), SiLU on it in place, and the output's
/// dot product; on AVX-512 the training pass does the first two in one loop that never stores Z
/// (<see cref="AffineSiluKernels"/>). A GEMM with inner dimension d writes all of Z to memory and the SiLU pass reads
/// it back, which made the forward pass memory-bound once Φ and E outgrow the cache. Every row is computed the same
/// way whatever the thread split, so the results do not depend on the thread count.
/// </summary>
internal static class HiddenLayer
{
    /// <summary>Hidden units per chunk of a row in the row passes: 4 KiB per array, so a pass's arrays stay in L1.</summary>
    internal const int Chunk = 512;

    /// <summary>
    /// The M×d hidden weights U of w (row i = uᵢ) as Uᵀ into d rows of <paramref name="inputsByUnit"/> (M columns) from
    /// <paramref name="firstRow"/> on: the layout the row passes and the products read.
    /// </summary>
    public static void TransposeUnits(ReadOnlySpan<double> unitsByInput, DenseMatrix<double> inputsByUnit, int firstRow = 0)
    {
        int m = (int)inputsByUnit.Cols, d = unitsByInput.Length / m;
        for (int k = 0; k < d; k++)
        {
            Span<double> row = inputsByUnit.Row(firstRow + k);
            for (int i = 0; i < m; i++) row[i] = unitsByInput[i * d + k];
        }
    }

    /// <summary>
    /// z ← Σₖ x[k]·Uᵀ[k, c0 …] + b: units c0 … c0 + z.Length − 1 of one row of X·Uᵀ + 1·bᵀ; <paramref name="bias"/> is
    /// those units' biases, or empty without a bias.
    /// </summary>
    public static void PreActivation(ReadOnlySpan<double> x, DenseMatrix<double> uTransposed, ReadOnlySpan<double> bias, Span<double> z, int c0) =>
        AffineKernels.Row(x, uTransposed.AsSpan(), (int)uTransposed.Cols, c0, bias, z);

    /// <summary>
    /// Rows [start, end): activations ← silu(X·Uᵀ + b); with <paramref name="weightedDerivatives"/>, it ← silu'(·)·diag(v)
    /// in the same pass (σ evaluated once); f ← s·activations·v. Row n of x lands in row n − <paramref name="rowOffset"/>
    /// of activations, weightedDerivatives and f.
    /// </summary>
    public static void ForwardRows(DenseMatrix<double> x, int rowOffset, DenseMatrix<double> uTransposed, ReadOnlySpan<double> bias,
        ReadOnlySpan<double> outputWeights, double scale, DenseMatrix<double> activations, DenseMatrix<double>? weightedDerivatives,
        Span<double> f, int start, int end)
    {
        int m = (int)activations.Cols;
        SimdPath path = SimdSelection.Selected;
        bool wholeRow = weightedDerivatives is not null && AffineSiluKernels.Serves(path, m);
        for (int n = start; n < end; n++)
        {
            // Z's row in registers only where the registers allow (AffineSiluKernels); otherwise a chunk at a time, two
            // rows together where two are left, so each chunk of Uᵀ read from L2 serves both (AffineKernels.TwoRows).
            // The same bits every way.
            bool pair = !wholeRow && n + 1 < end;
            Span<double> phi = activations.Row(n - rowOffset), phi2 = pair ? activations.Row(n + 1 - rowOffset) : default;
            Span<double> e = weightedDerivatives is null ? default : weightedDerivatives.Row(n - rowOffset);
            Span<double> e2 = weightedDerivatives is null || !pair ? default : weightedDerivatives.Row(n + 1 - rowOffset);
            if (wholeRow) AffineSiluKernels.Row(path, x.Row(n), uTransposed.AsSpan(), (int)uTransposed.Cols, 0, bias, outputWeights, phi, e);
            double sum = 0, sum2 = 0;
            // A chunk at a time, so that z, Φ, E and v stay in L1 across the three passes: whole rows of M = 5000
            // (3 × 40 KB) went through L2 for each of them. f is summed per chunk on both ways.
            for (int c0 = 0; c0 < m; c0 += Chunk)
            {
                int count = Math.Min(Chunk, m - c0);
                Span<double> z = phi.Slice(c0, count);
                ReadOnlySpan<double> v = outputWeights.Slice(c0, count);
                if (!wholeRow)
                {
                    ReadOnlySpan<double> b = bias.IsEmpty ? bias : bias.Slice(c0, count);
                    if (pair)
                    {
                        Span<double> z2 = phi2.Slice(c0, count);
                        AffineKernels.TwoRows(x.Row(n), x.Row(n + 1), uTransposed.AsSpan(), (int)uTransposed.Cols, c0, b, z, z2);
                        Activate(z, v, ChunkOf(e, c0, count), path);
                        Activate(z2, v, ChunkOf(e2, c0, count), path);
                        sum2 += TensorPrimitives.Dot(z2, v);
                    }
                    else
                    {
                        PreActivation(x.Row(n), uTransposed, b, z, c0);
                        Activate(z, v, ChunkOf(e, c0, count), path);
                    }
                }
                sum += TensorPrimitives.Dot(z, v);
            }
            f[n - rowOffset] = scale * sum;
            if (pair) f[++n - rowOffset] = scale * sum2; // the pair's second row: the loop moves past it
        }
    }

    /// <summary>z ← silu(z) in place; with <paramref name="e"/>, also e ← silu'(z)·v (σ evaluated once).</summary>
    private static void Activate(Span<double> z, ReadOnlySpan<double> v, Span<double> e, SimdPath path)
    {
        if (e.IsEmpty) SiluKernels.Silu(z, z);
        else SiluKernels.SiluWithWeightedDerivative(z, v, z, e, path);
    }

    /// <summary>Columns c0 … c0 + count − 1 of a row, or empty for an absent (empty) row.</summary>
    private static Span<double> ChunkOf(Span<double> row, int c0, int count) => row.IsEmpty ? default : row.Slice(c0, count);
}
