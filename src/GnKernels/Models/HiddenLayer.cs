using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Simd;

namespace GnKernels.Models;

/// <summary>The hidden layer's element-wise part, shared by training and prediction: Z + 1·bᵀ, then SiLU in place.</summary>
internal static class HiddenLayer
{
    /// <summary>Rows [start, end) of activations ← silu(Z + b), with Z = X·Uᵀ already in <paramref name="activations"/>.</summary>
    public static void ActivateRows(DenseMatrix<double> activations, ReadOnlySpan<double> bias, int start, int end)
    {
        for (int n = start; n < end; n++)
        {
            Span<double> z = activations.Row(n);
            if (!bias.IsEmpty) TensorPrimitives.Add(z, bias, z);
            SiluKernels.Silu(z, z);
        }
    }

    /// <summary>
    /// Rows [start, end) of activations ← silu(Z + b) and weightedDerivatives ← silu'(Z + b)·diag(<paramref name="outputWeights"/>),
    /// with Z = X·Uᵀ already in <paramref name="activations"/>: one fused SiLU pass (σ evaluated once), the scaling
    /// while the row is in cache. Disjoint row ranges may run on different threads (<see cref="RowWorkers"/>).
    /// </summary>
    public static void ActivateRows(DenseMatrix<double> activations, ReadOnlySpan<double> bias, DenseMatrix<double> weightedDerivatives,
        ReadOnlySpan<double> outputWeights, int start, int end)
    {
        for (int n = start; n < end; n++)
        {
            Span<double> z = activations.Row(n), e = weightedDerivatives.Row(n);
            if (!bias.IsEmpty) TensorPrimitives.Add(z, bias, z);
            SiluKernels.SiluWithDerivative(z, z, e);
            TensorPrimitives.Multiply(e, outputWeights, e);
        }
    }
}
