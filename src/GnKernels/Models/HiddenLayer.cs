using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Simd;

namespace GnKernels.Models;

/// <summary>
/// The network's row-wise passes, shared by training and prediction and run on the BLAS threads by
/// <see cref="RowWorkers"/>. Each row is finished in chunks of <see cref="Chunk"/> units while they are in the L1
/// cache: Z = X·Uᵀ + b from the transposed hidden weights (d multiply-adds on the chunk, d being small), SiLU on it
/// in place, and the output's dot product. A GEMM with inner dimension d writes all of Z to memory and the SiLU pass reads it back, which made the
/// forward pass memory-bound once Φ and E outgrow the cache. Every row is computed the same way whatever the thread
/// split, so the results do not depend on the thread count.
/// </summary>
internal static class HiddenLayer
{
    /// <summary>Hidden units per chunk: a chunk of Z, Φ and E (4 KiB each) stays in L1 across the d multiply-adds.</summary>
    internal const int Chunk = 512;

    /// <summary>
    /// z ← Σₖ x[k]·Uᵀ[k, c0 …] + b: units c0 … c0 + z.Length − 1 of one row of X·Uᵀ + 1·bᵀ; <paramref name="bias"/> is
    /// those units' biases, or empty without a bias.
    /// </summary>
    public static void PreActivation(ReadOnlySpan<double> x, DenseMatrix<double> uTransposed, ReadOnlySpan<double> bias, Span<double> z, int c0)
    {
        ReadOnlySpan<double> u0 = uTransposed.Row(0).Slice(c0, z.Length);
        if (bias.IsEmpty) TensorPrimitives.Multiply(u0, x[0], z);
        else TensorPrimitives.MultiplyAdd(u0, x[0], bias, z);
        for (int k = 1; k < x.Length; k++) TensorPrimitives.MultiplyAdd(uTransposed.Row(k).Slice(c0, z.Length), x[k], z, z);
    }

    /// <summary>
    /// Rows [start, end): activations ← silu(X·Uᵀ + b); with <paramref name="weightedDerivatives"/>, it ← silu'(·)·diag(v)
    /// in the same pass (σ evaluated once); f ← s·activations·v. Row n of x lands in row n − <paramref name="rowOffset"/>
    /// of activations, weightedDerivatives and f.
    /// </summary>
    public static void ForwardRows(DenseMatrix<double> x, int rowOffset, DenseMatrix<double> uTransposed, ReadOnlySpan<double> bias,
        ReadOnlySpan<double> outputWeights, double scale, DenseMatrix<double> activations, DenseMatrix<double>? weightedDerivatives,
        Span<double> f, int start, int end)
    {
        int m = (int)uTransposed.Cols;
        for (int n = start; n < end; n++)
        {
            Span<double> zRow = activations.Row(n - rowOffset);
            ReadOnlySpan<double> xn = x.Row(n);
            double sum = 0;
            for (int c0 = 0; c0 < m; c0 += Chunk)
            {
                int count = Math.Min(Chunk, m - c0);
                Span<double> z = zRow.Slice(c0, count);
                ReadOnlySpan<double> v = outputWeights.Slice(c0, count);
                PreActivation(xn, uTransposed, bias.IsEmpty ? bias : bias.Slice(c0, count), z, c0);
                if (weightedDerivatives is null) SiluKernels.Silu(z, z);
                else
                {
                    Span<double> e = weightedDerivatives.Row(n - rowOffset).Slice(c0, count);
                    SiluKernels.SiluWithDerivative(z, z, e);
                    TensorPrimitives.Multiply(e, v, e);
                }
                sum += TensorPrimitives.Dot(z, v);
            }
            f[n - rowOffset] = scale * sum;
        }
    }
}
