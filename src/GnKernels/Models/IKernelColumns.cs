using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>A Jacobian that forms chosen columns of its NTK J·Jᵀ faster than k products with J and Jᵀ would.</summary>
internal interface IKernelColumns
{
    /// <summary>result (N×k) = (J·Jᵀ)[:, rows].</summary>
    void KernelColumns(ReadOnlySpan<int> rows, DenseMatrix<double> result);
}
