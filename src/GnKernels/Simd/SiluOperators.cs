using System.Numerics;
using System.Runtime.CompilerServices;

namespace GnKernels.Simd;

// Operator structs: what each SiLU kernel computes per lane group. The drivers own loops and tails.

internal interface IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract TV Invoke<TV>(TV x) where TV : struct, ILanes<TV, T>;
}

internal interface IUnaryTwoOutputOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract TV Invoke<TV>(TV x, out TV second) where TV : struct, ILanes<TV, T>;
}

internal interface IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract TV Invoke<TV>(TV x, TV y) where TV : struct, ILanes<TV, T>;
}

internal readonly struct SiluOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x) where TV : struct, ILanes<TV, T> => SiluMath.Value<TV, T>(x);
}

internal readonly struct SiluDerivativeOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x) where TV : struct, ILanes<TV, T>
    {
        SiluMath.ValueAndDerivative<TV, T>(x, out TV derivative);
        return derivative;
    }
}

internal readonly struct SiluWithDerivativeOperator<T> : IUnaryTwoOutputOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x, out TV derivative) where TV : struct, ILanes<TV, T> =>
        SiluMath.ValueAndDerivative<TV, T>(x, out derivative);
}

/// <summary>dx = upstream ∘ silu'(x).</summary>
internal readonly struct SiluBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV>(TV x, TV upstream) where TV : struct, ILanes<TV, T>
    {
        SiluMath.ValueAndDerivative<TV, T>(x, out TV derivative);
        return TV.Multiply(upstream, derivative);
    }
}
