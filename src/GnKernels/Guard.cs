using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using GnKernels.Linalg;
using GnKernels.Simd;

namespace GnKernels;

/// <summary>Argument checks with messages that name the argument, what was seen and what is allowed.
/// The throwing parts are separate methods so the checks inline into hot callers.</summary>
internal static class Guard
{
    public static void Square<T>(DenseMatrix<T> m, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!m.IsSquare) ThrowArgument(name, $"{name} must be square; it is {m.Shape}.");
    }

    public static void SameShape<T>(DenseMatrix<T> a, string aName, DenseMatrix<T> b, string bName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols)
            ThrowArgument(aName, $"{aName} is {a.Shape} but {bName} is {b.Shape}; they must have the same shape.");
    }

    public static void Length<T>(ReadOnlySpan<T> span, nint expected, string name, string because)
    {
        if (span.Length != expected)
            ThrowArgument(name, $"{name} has length {span.Length}; it must be {expected} ({because}).");
    }

    public static void Distinct(object a, string aName, object b, string bName)
    {
        if (ReferenceEquals(a, b)) ThrowArgument(bName, $"{aName} and {bName} are the same matrix; BLAS needs the output distinct from the inputs.");
    }

    public static void Finite<T>(ReadOnlySpan<T> x, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = NonFinite.IndexOf(x);
        if (i >= 0) ThrowNonFinite(name, $"{name}[{i}] = {x[i]}");
    }

    public static void Finite<T>(DenseMatrix<T> m, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (nint r = 0; r < m.Rows; r++)
        {
            Span<T> row = m.Row(r);
            int j = NonFinite.IndexOf<T>(row);
            if (j >= 0) ThrowNonFinite(name, $"{name}[{r}, {j}] = {row[j]}");
        }
    }

    [DoesNotReturn]
    public static void ThrowArgument(string name, string message) => throw new ArgumentException(message, name);

    [DoesNotReturn]
    public static void ThrowNonFinite(string name, string where) =>
        throw new ArgumentException($"{name} contains a non-finite value: {where}. Inputs must be finite; check the data or a diverging step upstream.", name);
}
