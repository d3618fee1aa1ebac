using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
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

    /// <summary>Throws unless actual == expected; the reason is formatted only when it throws (no allocation on success).</summary>
    public static void Length(long actual, long expected, string name,
        [InterpolatedStringHandlerArgument(nameof(actual), nameof(expected))] ref LengthMessage because)
    {
        if (actual != expected)
            ThrowArgument(name, $"{name} has length {actual}; it must be {expected} ({because.ToStringAndClear()}).");
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

/// <summary>Builds <see cref="Guard.Length"/>'s reason only when the lengths differ.</summary>
[InterpolatedStringHandler]
internal ref struct LengthMessage
{
    private DefaultInterpolatedStringHandler _builder;

    public LengthMessage(int literalLength, int formattedCount, long actual, long expected, out bool shouldAppend)
    {
        shouldAppend = actual != expected;
        _builder = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _builder.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _builder.AppendFormatted(value);

    public string ToStringAndClear() => _builder.ToStringAndClear();
}
