using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Simd;

namespace GnKernels.Models;

/// <summary>The hidden layer shared by training and prediction: Z = X·Uᵀ + 1·bᵀ, then SiLU in place.</summary>
internal static class HiddenLayer
{
    /// <summary>
    /// activations ← silu(X·Uᵀ + b) and, if given, derivatives ← silu'(·)·diag(<paramref name="derivativeScale"/>),
    /// row by row (one fused SiLU pass, so σ is evaluated once; the scaling while the row is in cache).
    /// <paramref name="bias"/> is empty for a network without bias.
    /// </summary>
    public static void Evaluate(DenseMatrix<double> x, DenseMatrix<double> u, ReadOnlySpan<double> bias,
        DenseMatrix<double> activations, DenseMatrix<double>? derivatives = null, ReadOnlySpan<double> derivativeScale = default)
    {
        Blas.Gemm(1.0, x, Transpose.None, u, Transpose.Transposed, 0.0, activations);
        for (nint n = 0; n < activations.Rows; n++)
        {
            Span<double> z = activations.Row(n);
            if (!bias.IsEmpty) TensorPrimitives.Add(z, bias, z);
            if (derivatives is null) SiluKernels.Silu(z, z);
            else
            {
                Span<double> d = derivatives.Row(n);
                SiluKernels.SiluWithDerivative(z, z, d);
                TensorPrimitives.Multiply(d, derivativeScale, d);
            }
        }
    }
}
