using System.Numerics;
using System.Runtime.CompilerServices;

namespace GnKernels.Simd;

// Operator structs: what each SiLU kernel computes per lane group, in stages. The drivers own loops and tails, and
// issue the exp (Start, or its Head and Tail) for later steps before Finish of the current one (see ElementwiseDriver).

/// <summary>
/// What every SiLU operator starts with, t·2^o = e^{−|x|}·2^o (<see cref="SiluMath.Start{TV, T}"/>), whole or as its
/// two halves for the loops that run them a step apart; defined once, so the stages of every loop agree bit for bit.
/// </summary>
internal interface IExpStart<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static virtual TV Start<TV>(TV x) where TV : struct, ILanes<TV, T> => SiluMath.Start<TV, T>(x);

    /// <summary>−|x| clamped, the exp's argument, which Finish takes too: the loops that hold it from the head to the
    /// finish save forming it again, the others form it at the finish.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static virtual TV MinusA<TV>(TV x) where TV : struct, ILanes<TV, T> => SiluMath.MinusA<TV, T>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static virtual TV Head<TV>(TV minusA, out TV scaleUp, out TV tableError) where TV : struct, ILanes<TV, T> =>
        SiluMath.ExpHead<TV, T>(minusA, out scaleUp, out tableError);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static virtual TV Tail<TV>(TV r, TV scaleUp, TV tableError) where TV : struct, ILanes<TV, T> =>
        SiluMath.ExpTail<TV, T>(r, scaleUp, tableError);
}

internal interface IUnaryOperator<T> : IExpStart<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Whether the operator's chain is short enough for four vectors per step on Vector512
    /// (<see cref="Lanes512x4{T}"/>); the longer ones spill there.</summary>
    static abstract bool WideSteps { get; }
    static abstract TV Finish<TV>(TV x, TV minusA, TV started) where TV : struct, ILanes<TV, T>;
}

internal interface IUnaryTwoOutputOperator<T> : IExpStart<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract TV Finish<TV>(TV x, TV minusA, TV started, out TV second) where TV : struct, ILanes<TV, T>;
}

internal interface IBinaryOperator<T> : IExpStart<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract TV Finish<TV>(TV x, TV minusA, TV y, TV started) where TV : struct, ILanes<TV, T>;
}

internal readonly struct SiluOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool WideSteps => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Finish<TV>(TV x, TV minusA, TV started) where TV : struct, ILanes<TV, T> => SiluMath.Value<TV, T>(x, minusA, started);
}

internal readonly struct SiluDerivativeOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool WideSteps => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Finish<TV>(TV x, TV minusA, TV started) where TV : struct, ILanes<TV, T>
    {
        SiluMath.ValueAndDerivative<TV, T>(x, minusA, started, out TV derivative);
        return derivative;
    }
}

internal readonly struct SiluWithDerivativeOperator<T> : IUnaryTwoOutputOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Finish<TV>(TV x, TV minusA, TV started, out TV derivative) where TV : struct, ILanes<TV, T> =>
        SiluMath.ValueAndDerivative<TV, T>(x, minusA, started, out derivative);
}

/// <summary>dx = upstream ∘ silu'(x).</summary>
internal readonly struct SiluBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Finish<TV>(TV x, TV minusA, TV upstream, TV started) where TV : struct, ILanes<TV, T>
    {
        SiluMath.ValueAndDerivative<TV, T>(x, minusA, started, out TV derivative);
        return TV.Multiply(upstream, derivative);
    }
}
