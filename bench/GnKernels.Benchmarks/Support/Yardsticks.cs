using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Benchmarks.Support;

/// <summary>The BLAS calls that bound the kernels, shared by the classes that measure against them.</summary>
internal static class Yardsticks
{
    /// <summary>Two plain DSYRKs of N×M into the lower triangle of <paramref name="a"/>: the floor of an exact NTK (Φ·Φᵀ + E·Eᵀ).</summary>
    public static double TwoDsyrks(TwoLayerSiluLinearization lin, DenseMatrix<double> a)
    {
        Blas.SyrkLower(1.0, lin.Activations, Transpose.None, 0.0, a);
        Blas.SyrkLower(1.0, lin.WeightedDerivatives, Transpose.None, 1.0, a);
        return a[0, 0];
    }
}
