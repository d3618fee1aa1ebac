using System.Numerics;

namespace GnKernels.Simd;

/// <summary>
/// One SIMD width seen through a common surface, so each kernel's math is written once and the JIT specializes
/// it per width (the struct wrappers are enregistered and inlined away). Implemented by
/// <see cref="Lanes512{T}"/>, <see cref="Lanes512x4{T}"/>, <see cref="Lanes256{T}"/>, <see cref="Lanes128{T}"/> and
/// <see cref="LanesScalar{T}"/>.
/// </summary>
internal interface ILanes<TSelf, T>
    where TSelf : struct, ILanes<TSelf, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Elements per step.</summary>
    static abstract int Count { get; }
    /// <summary>Elements per hardware vector (1 for the scalar lanes): what aligned and non-temporal stores align to.</summary>
    static abstract int VectorLength { get; }
    static abstract TSelf Load(ref T source, nuint offset);
    static abstract void Store(TSelf value, ref T destination, nuint offset);
    /// <summary>A store that bypasses the caches; <paramref name="destination"/> + offset must be aligned to one vector
    /// (the scalar lane stores normally).</summary>
    static abstract unsafe void StoreNonTemporal(TSelf value, T* destination, nuint offset);
    /// <summary>A constant in every lane, rounded to T; with a literal argument it folds to a vector constant,
    /// which keeps the kernels free of generic-math conversions (each one an inlinee that eats the JIT's budget).</summary>
    static abstract TSelf Constant(double value);
    static abstract TSelf Add(TSelf a, TSelf b);
    static abstract TSelf Subtract(TSelf a, TSelf b);
    static abstract TSelf Multiply(TSelf a, TSelf b);
    static abstract TSelf Divide(TSelf a, TSelf b);
    /// <summary>≈ 1/a: AVX-512's 14-bit estimate (relative error ≤ 2⁻¹⁴), elsewhere the division.</summary>
    static abstract TSelf ReciprocalEstimate(TSelf a);
    /// <summary>Whether <see cref="ReciprocalEstimate"/> is the 14-bit estimate rather than the division.</summary>
    static abstract bool ReciprocalIsEstimate { get; }
    /// <summary>a·b + c, fused where the hardware has FMA.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);
    /// <summary>a·b + c with a single rounding, always (software-emulated without FMA hardware): the error-free
    /// transforms depend on it.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);
    /// <summary>c − a·b with a single rounding, always (one instruction with FMA hardware).</summary>
    static abstract TSelf NegatedMultiplyAdd(TSelf a, TSelf b, TSelf c);
    /// <summary>−|a| (the sign bit set).</summary>
    static abstract TSelf NegativeAbs(TSelf a);
    /// <summary>The hardware's min/max; with NaN the result is platform-specific (x86: the second operand).</summary>
    static abstract TSelf MinNative(TSelf a, TSelf b);
    static abstract TSelf MaxNative(TSelf a, TSelf b);
    /// <summary>a with its sign flipped where <paramref name="signSource"/>'s sign bit is set (−0 and negative NaNs
    /// included).</summary>
    static abstract TSelf XorSign(TSelf a, TSelf signSource);
    /// <summary>1 where x's sign bit is clear (+0 and positive NaNs included), 0 where it is set.</summary>
    static abstract TSelf OneWhereSignClear(TSelf x);
    /// <summary>Whether <see cref="OneWhereSignClear"/> costs integer work only (an arithmetic shift of the lane and an
    /// and-not, or the scalar path's sign test), which leaves the FMA pipes free; false where AVX2 would emulate the
    /// 64-bit shift, and for the scalar path's double, where the FMA form measured faster.</summary>
    static abstract bool SignStepIsInteger { get; }
    /// <summary>
    /// log2 of the number of entries in the table of 2^(j/2^bits) that the exp reduction uses: 0 for none (2^k
    /// only, and a long polynomial), 4 on Vector512 with AVX-512 (a 16-entry in-register permute, and a short one),
    /// 3 for one Vector256 per step with AVX2 (8 entries, one register per permute).
    /// </summary>
    static abstract int ExpTableBits { get; }
    /// <summary>
    /// 2^(k/2^bits) from <paramref name="shifted"/> = k + the shifter 1.5·2^52 (1.5·2^23 for float), whose low
    /// mantissa bits hold the integer k (the round-to-integer trick): the table entry T_j, j = k mod 2^bits,
    /// with ⌊k/2^bits⌋ added to its exponent, which must stay normal. <paramref name="tableError"/> is T_j's
    /// relative rounding error, 2^(j/2^bits)/T_j − 1 (zero without a table).
    /// </summary>
    static abstract TSelf Pow2FromShifted(TSelf shifted, out TSelf tableError);
}
