using System.Numerics;

namespace GnKernels.Simd;

/// <summary>
/// One SIMD width seen through a common surface, so each kernel's math is written once and the JIT specializes
/// it per width (the struct wrappers are enregistered and inlined away). Implemented by
/// <see cref="Lanes512{T}"/>, <see cref="Lanes256{T}"/>, <see cref="Lanes128{T}"/> and <see cref="LanesScalar{T}"/>.
/// </summary>
internal interface ILanes<TSelf, T>
    where TSelf : struct, ILanes<TSelf, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract int Count { get; }
    static abstract TSelf Load(ref T source, nuint offset);
    static abstract void Store(TSelf value, ref T destination, nuint offset);
    /// <summary>A constant in every lane, rounded to T; with a literal argument it folds to a vector constant,
    /// which keeps the kernels free of generic-math conversions (each one an inlinee that eats the JIT's budget).</summary>
    static abstract TSelf Constant(double value);
    static abstract TSelf Negate(TSelf a);
    static abstract TSelf Add(TSelf a, TSelf b);
    static abstract TSelf Subtract(TSelf a, TSelf b);
    static abstract TSelf Multiply(TSelf a, TSelf b);
    static abstract TSelf Divide(TSelf a, TSelf b);
    /// <summary>a·b + c, fused where the hardware has FMA.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);
    /// <summary>a·b + c with a single rounding, always (software-emulated without FMA hardware): the error-free
    /// transforms depend on it.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);
    static abstract TSelf Abs(TSelf a);
    /// <summary>The hardware's min/max; with NaN the result is platform-specific (x86: the second operand).</summary>
    static abstract TSelf MinNative(TSelf a, TSelf b);
    static abstract TSelf MaxNative(TSelf a, TSelf b);
    /// <summary>All-ones lanes where a &lt; b.</summary>
    static abstract TSelf LessThan(TSelf a, TSelf b);
    static abstract TSelf Select(TSelf mask, TSelf whenTrue, TSelf whenFalse);
    /// <summary>
    /// 2^k from <paramref name="shifted"/> = k + the shifter 1.5·2^52 (1.5·2^23 for float), whose low mantissa bits
    /// hold the integer k (the round-to-integer trick); k must lie in the normal exponent range.
    /// </summary>
    static abstract TSelf Pow2FromShifted(TSelf shifted);
}
