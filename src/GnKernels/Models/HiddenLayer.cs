using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Simd;

namespace GnKernels.Models;

/// <summary>The hidden layer shared by training and prediction: Z = X·Uᵀ + 1·bᵀ, then SiLU in place.</summary>
internal static class HiddenLayer
{
    /// <summary>activations ← silu(X·Uᵀ + b); <paramref name="bias"/> is empty for a network without bias.</summary>
    public static void Evaluate(DenseMatrix<double> x, DenseMatrix<double> u, ReadOnlySpan<double> bias, DenseMatrix<double> activations)
    {
        Blas.Gemm(1.0, x, Transpose.None, u, Transpose.Transposed, 0.0, activations);
        for (nint n = 0; n < activations.Rows; n++)
        {
            Span<double> z = activations.Row(n);
            if (!bias.IsEmpty) TensorPrimitives.Add(z, bias, z);
            SiluKernels.Silu(z, z);
        }
    }

    /// <summary>
    /// activations ← silu(X·Uᵀ + b) and weightedDerivatives ← silu'(·)·diag(<paramref name="outputWeights"/>), row
    /// by row: one fused SiLU pass (σ evaluated once), the scaling while the row is in cache.
    /// </summary>
    public static void Evaluate(DenseMatrix<double> x, DenseMatrix<double> u, ReadOnlySpan<double> bias, DenseMatrix<double> activations,
        DenseMatrix<double> weightedDerivatives, ReadOnlySpan<double> outputWeights)
    {
        Blas.Gemm(1.0, x, Transpose.None, u, Transpose.Transposed, 0.0, activations);
        for (nint n = 0; n < activations.Rows; n++)
        {
            Span<double> z = activations.Row(n), e = weightedDerivatives.Row(n);
            if (!bias.IsEmpty) TensorPrimitives.Add(z, bias, z);
            SiluKernels.SiluWithDerivative(z, z, e);
            TensorPrimitives.Multiply(e, outputWeights, e);
        }
    }
}
