using System.Numerics.Tensors;
using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>Argument checks shared by the <see cref="IJacobian"/> implementations.</summary>
internal static class JacobianChecks
{
    public static void Multiply(IJacobian j, ReadOnlySpan<double> direction, Span<double> result)
    {
        Guard.Length(direction.Length, j.Columns, nameof(direction), $"the columns P of the {j.Rows}×{j.Columns} Jacobian");
        Guard.Length(result.Length, j.Rows, nameof(result), $"the rows N of the {j.Rows}×{j.Columns} Jacobian");
        Guard.Finite(direction, nameof(direction));
    }

    public static void MultiplyTransposed(IJacobian j, ReadOnlySpan<double> z, Span<double> result)
    {
        Guard.Length(z.Length, j.Rows, nameof(z), $"the rows N of the {j.Rows}×{j.Columns} Jacobian");
        Guard.Length(result.Length, j.Columns, nameof(result), $"the columns P of the {j.Rows}×{j.Columns} Jacobian");
        Guard.Finite(z, nameof(z));
    }

    /// <summary>A batch of <paramref name="count"/> vectors of <paramref name="inLength"/> in, as many of <paramref name="outLength"/> out.</summary>
    public static void Batch(IJacobian j, ReadOnlySpan<double> inputs, string inputName, int inLength, Span<double> results, int outLength, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Guard.Length(inputs.Length, (long)count * inLength, inputName, $"{count} vectors of {inLength} for the {j.Rows}×{j.Columns} Jacobian, one after another");
        Guard.Length(results.Length, (long)count * outLength, nameof(results), $"{count} vectors of {outLength} for the {j.Rows}×{j.Columns} Jacobian, one after another");
        Guard.Finite(inputs, inputName);
    }

    public static void Square<T>(DenseMatrix<T> result, int order, string what) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Rows != order || result.Cols != order)
            Guard.ThrowArgument(nameof(result), $"result is {result.Shape} but {what} is {order}×{order}.");
    }

    public static void Weights(IJacobian j, ReadOnlySpan<double> weights)
    {
        Guard.Length(weights.Length, j.Columns, nameof(weights), $"one weight per parameter, P = {j.Columns}");
        Guard.Finite(weights, nameof(weights));
        if (weights.Length > 0 && TensorPrimitives.Min(weights) < 0)
        {
            int i = TensorPrimitives.IndexOfMin(weights);
            Guard.ThrowArgument(nameof(weights), $"weights[{i}] = {weights[i]} is negative; J·diag(w)·Jᵀ needs w ≥ 0.");
        }
    }
}
