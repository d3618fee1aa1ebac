using System.Numerics;
using System.Runtime.CompilerServices;

namespace GnKernels.Simd;

/// <summary>
/// SiLU and its derivative, written once over <see cref="ILanes{TSelf, T}"/>.
/// With a = |x| and t = e^{−a} ∈ (0, 1] (never overflows), the logistic σ(x) is 1/(1+t) for x ≥ 0 and
/// t/(1+t) for x &lt; 0, so
///   silu(x)  = x/(1+t)            (x ≥ 0)      x·t/(1+t)   (x &lt; 0)
///   silu'(x) = σ + silu(x)·(1 − σ).
/// e^{−a} = 2^k·e^r: k = round(−a/ln2), r by Cody–Waite (ln2 split so k·ln2_hi is exact), e^r by a minimax
/// polynomial (degree 11 for double, 6 for float: relative error 3·10⁻¹⁸ and 2·10⁻⁹, below 0.04 ULP, on
/// |r| ≤ 0.3466; coefficients from a Remez exchange in 50-digit arithmetic). 2^k is applied as
/// 2^(k+o)·2^(−o): the first product is exact and the second rounds once, so x·t stays correctly rounded where t
/// itself is subnormal (x ≲ −708 in double) while silu(x) is still normal. a is clamped at 760 (112 for float),
/// past which silu(−a) rounds to −0, so k + o stays a normal exponent and large |x| never leaves the fast path:
/// silu(−800) = −0, silu(800) = 800.
/// </summary>
internal static class SiluMath
{
    /// <summary>silu(x), and the pieces the derivative reuses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Value<TV, T>(TV x, out TV negative, out TV t, out TV denominator, out TV denominatorError, out TV reciprocal)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool isDouble = typeof(T) == typeof(double);
        TV one = TV.Constant(1.0);
        TV clamp = TV.Constant(Clamp<T>());

        // x clamped below keeps −∞ finite (→ −0). Native min/max (one instruction, unlike IEEE's three) with x
        // second: the x86 forms return the second operand when either is NaN, so NaN flows through.
        TV xc = TV.MaxNative(TV.Negate(clamp), x);
        TV a = TV.MinNative(clamp, TV.Abs(xc));

        // k = round(−a·log2 e) via the shifter; r = −a − k·ln2 (two steps, exact first product).
        // The shifter 1.5·2^52 (1.5·2^23 for float): adding it rounds to an integer held in the low mantissa bits.
        TV shifter = TV.Constant(isDouble ? 6755399441055744.0 : 12582912.0);
        TV kShifted = TV.MultiplyAdd(a, TV.Constant(-1.4426950408889634), shifter);
        TV k = TV.Subtract(kShifted, shifter);
        // ln 2 split; the high part has trailing zero bits so k·ln2Hi is exact for the k used here.
        TV r = TV.MultiplyAdd(k, TV.Constant(isDouble ? -6.93147180369123816490e-01 : -0.693359375), TV.Negate(a));
        r = TV.MultiplyAdd(k, TV.Constant(isDouble ? -1.90821492927058770002e-10 : 2.12194440e-4), r);
        TV p = ExpPolynomial<TV, T>(r);

        // 2^(k+o) is normal for every clamped a; the products below by 2^(−o) are the only roundings of the scale.
        TV scaleUp = TV.Pow2FromShifted(TV.Add(kShifted, TV.Constant(isDouble ? 76 : 40)));
        TV scaleDown = TV.Constant(isDouble ? 1.0 / (1L << 62) / (1L << 14) : 1.0 / (1L << 40));
        TV tUp = TV.Multiply(p, scaleUp);
        t = TV.Multiply(tUp, scaleDown);                      // e^{−a}
        denominator = TV.Add(one, t);
        negative = TV.LessThan(xc, TV.Constant(0.0));

        // Numerator and denominator carry their rounding errors (exact by FMA and Fast2Sum), and the quotient its
        // remainder; one correction step folds all three in, so only exp's own error and the last rounding remain.
        TV xtUp = TV.Multiply(xc, tUp);
        TV xtUpError = TV.FusedMultiplyAdd(xc, tUp, TV.Negate(xtUp));
        TV numerator = TV.Select(negative, TV.Multiply(xtUp, scaleDown), xc);
        TV numeratorError = TV.Select(negative, TV.Multiply(xtUpError, scaleDown), TV.Constant(0.0));
        denominatorError = TV.Subtract(t, TV.Subtract(denominator, one));
        reciprocal = TV.Divide(one, denominator);
        TV q = CorrectedQuotient<TV, T>(numerator, numeratorError, denominator, denominatorError, reciprocal, out TV plain);
        // ±∞ and NaN turn the correction into NaN, and ±0 would lose its sign; the plain quotient is right for them.
        TV magnitude = TV.Abs(plain);
        TV regular = TV.Select(TV.LessThan(TV.Constant(0.0), magnitude), q, plain);
        return TV.Select(TV.LessThan(magnitude, TV.Constant(double.PositiveInfinity)), regular, plain);
    }

    /// <summary>Where |x| is clamped: past it silu(−|x|) rounds to −0 and silu(|x|) = |x|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Clamp<T>() => typeof(T) == typeof(double) ? 760.0 : 112.0;

    /// <summary>
    /// (n + nErr)/(d + dErr) given r = 1/d rounded: the product n·r, plus one correction from its exact remainder
    /// (FMA) and the carried errors. One division serves the value and the derivative. Finite, nonzero quotients
    /// only: the caller keeps <paramref name="plain"/> where that may not hold.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV CorrectedQuotient<TV, T>(TV n, TV nError, TV d, TV dError, TV reciprocal, out TV plain)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        plain = TV.Multiply(n, reciprocal);
        TV minusQ = TV.Negate(plain);
        TV remainder = TV.FusedMultiplyAdd(minusQ, d, n);
        TV correction = TV.Add(remainder, TV.MultiplyAdd(minusQ, dError, nError));
        return TV.MultiplyAdd(correction, reciprocal, plain);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Value<TV, T>(TV x) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Value<TV, T>(x, out _, out _, out _, out _, out _);

    /// <summary>
    /// silu(x) and silu'(x) = σ + silu·(1 − σ). Over the common denominator 1 + t this is
    /// (S + silu·O)/(1 + t) with (S, O) = (t, 1) for x &lt; 0 and (1, t) for x ≥ 0: one fused numerator, and the
    /// value's reciprocal of 1 + t.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ValueAndDerivative<TV, T>(TV x, out TV derivative)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV value = Value<TV, T>(x, out TV negative, out TV t, out TV denominator, out TV denominatorError, out TV reciprocal);
        TV one = TV.Constant(1.0);
        TV s = TV.Select(negative, t, one);
        TV o = TV.Select(negative, one, t);
        // For x = +∞ the value is +∞ and o = t = 0; the clamp (far above where t vanishes) avoids ∞·0. So the
        // numerator is finite (NaN for NaN), and unlike the value the derivative's correction needs no guard.
        TV boundedValue = TV.MinNative(TV.Constant(Clamp<T>()), value);
        TV numerator = TV.MultiplyAdd(boundedValue, o, s);
        derivative = CorrectedQuotient<TV, T>(numerator, TV.Constant(0.0), denominator, denominatorError, reciprocal, out _);
        return value;
    }

    // e^r = 1 + r·(1 + r·h(r)). The high part h is evaluated by Estrin's scheme: the kernels are bound by the
    // latency of this chain (one Horner step per FMA would be ~45 cycles), and h's rounding errors are damped by
    // r² ≤ 0.12, so only the last two steps, in Horner form, decide the accuracy.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpPolynomial<TV, T>(TV r) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV r2 = TV.Multiply(r, r);
        TV r4 = TV.Multiply(r2, r2);
        TV h;
        if (typeof(T) == typeof(double))
        {
            TV e0 = TV.MultiplyAdd(C<TV, T>(0.1666666666666617), r, C<TV, T>(0.5000000000000018));
            TV e1 = TV.MultiplyAdd(C<TV, T>(0.00833333333355941), r, C<TV, T>(0.041666666666492665));
            TV e2 = TV.MultiplyAdd(C<TV, T>(0.00019841269432492706), r, C<TV, T>(0.0013888888951252346));
            TV e3 = TV.MultiplyAdd(C<TV, T>(2.755762262318981e-06), r, C<TV, T>(2.4801486490837905e-05));
            TV e4 = TV.MultiplyAdd(C<TV, T>(2.4994296091866438e-08), r, C<TV, T>(2.7632304667760673e-07));
            TV f0 = TV.MultiplyAdd(e1, r2, e0);
            TV f1 = TV.MultiplyAdd(e3, r2, e2);
            TV g0 = TV.MultiplyAdd(f1, r4, f0);
            h = TV.MultiplyAdd(e4, TV.Multiply(r4, r4), g0);
            return TV.MultiplyAdd(TV.MultiplyAdd(h, r, C<TV, T>(1.0)), r, C<TV, T>(1.0));
        }
        TV e0f = TV.MultiplyAdd(C<TV, T>(0.16666420095407056), r, C<TV, T>(0.4999999207621678));
        TV e1f = TV.MultiplyAdd(C<TV, T>(0.008374822086664933), r, C<TV, T>(0.04166822604116776));
        h = TV.MultiplyAdd(C<TV, T>(0.0013836838215645093), r4, TV.MultiplyAdd(e1f, r2, e0f));
        return TV.MultiplyAdd(TV.MultiplyAdd(h, r, C<TV, T>(1.000000036339593)), r, C<TV, T>(1.0000000005545027));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV C<TV, T>(double value) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TV.Constant(value);
}
