using System.Numerics;
using System.Runtime.CompilerServices;

namespace GnKernels.Simd;

/// <summary>
/// SiLU and its derivative, written once over <see cref="ILanes{TSelf, T}"/>.
/// Both work on the negative side only, with a = |x| and t = e^{−a} ∈ (0, 1] (never overflows):
/// silu(x) = max(x, 0) − a·t/(1+t) and silu'(x) = [x ≥ 0] ± g with g = silu'(−a) (silu(x) − silu(−x) = x,
/// silu'(x) + silu'(−x) = 1), so no select sits on the chain and large positive x needs no guard.
/// 1 + t is kept exactly as d + dError (FMA and Fast2Sum), every product and quotient's rounding error is
/// recovered exactly (FMA remainders) and folded into one last rounding, so each result errs by about exp's own
/// error plus half an ULP (tests: silu ≤ 1.5 ULP on AVX-512, ≤ 1.7 elsewhere; silu' ≤ 1.9 away from its zero, see
/// <see cref="SiluKernels"/>; the exp stage itself ≤ 0.63 ULP with the table, ≤ 0.98 without).
/// The kernels are bound by their count of floating-point operations over the FP pipes, then by the latency of their
/// dependency chain. On Zen 4/5 multiplications, FMAs and permutes share two of the four FP pipes (additions, max and
/// shifts the other two, logic any), and the fused kernel, two thirds FMAs, leans on those two, though trading one FMA
/// for two other operations does not pay (docs/performance.md). So the formulas are arranged to spend as few operations, FMAs above all, as possible and keep negations, selects and corrections off
/// the chain, and each kernel is split in two stages, <see cref="Start{TV, T}"/> (the exp) and the rest, which the
/// drivers overlap across steps.
/// e^{−a} = 2^(k/16)·e^r on Vector512 (k = round(−16a/ln2); 2^(j/16), j = k mod 16, from a 16-entry table by an
/// in-register permute, <see cref="Pow2Table"/>; e^r − 1 on |r| ≤ ln2/32 by a minimax polynomial of degree 6 for
/// double and 3 for float, error 1.2·10⁻¹⁷ and 2·10⁻⁹), 2^(k/8)·e^r on one Vector256 per step with AVX2 (8 entries,
/// |r| ≤ ln2/16, degree 7 / 4, 4.9·10⁻¹⁸ / 1.7·10⁻¹⁰), and 2^k·e^r on the other widths (|r| ≤ ln2/2,
/// degree 11 / 6, 3·10⁻¹⁸ / 2·10⁻⁹); r by Cody–Waite (ln2 split so k·ln2_hi is exact); coefficients from a Remez
/// exchange in 50-digit arithmetic. t underflows long before silu and silu' do (a ≳ 708 in double), so the
/// kernels work with t·2^o (o = 76 for double, 40 for float; exact) and scale by 2^(−o) in their last FMA, exact
/// wherever the results are normal. a is clamped at 760 (112 for float), past which silu(−a) rounds to −0, so the
/// exponent stays normal and large |x| never leaves the fast path: silu(−800) = −0, silu(800) = 800.
/// </summary>
internal static class SiluMath
{
    /// <summary>
    /// The first stage of both kernels, t·2^o with t = e^{−a} (o = 76 for double, 40 for float: normal wherever silu
    /// is): the exp, the longest part of the dependency chain, which the drivers issue one step ahead of the rest.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Start<TV, T>(TV x) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        ExpTail<TV, T>(ExpHead<TV, T>(MinusA<TV, T>(x), out TV scaleUp, out TV tableError), scaleUp, tableError);

    /// <summary>−a = −|x| clamped at −<see cref="Clamp{T}"/> (NaN passes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV MinusA<TV, T>(TV x) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        // Native max (one instruction, unlike IEEE's three) with x second: the x86 form returns the second operand
        // when either is NaN, so NaN flows through.
        TV.MaxNative(TV.Constant(-Clamp<T>()), TV.NegativeAbs(x));

    /// <summary>
    /// What both kernels' second stage starts from besides −a (<see cref="MinusA{TV, T}"/>, which the callers pass in):
    /// max(x, 0) and 1 + t exactly, as d − minusDError, from t·2^o (<see cref="Start{TV, T}"/>); remainders take −d by
    /// negated FMAs. The two-stage loops form −a again at the finish (two short operations against two more registers
    /// held across the stages); the three-stage loops, whose finish has the registers, hold it from the head.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Denominator<TV, T>(TV x, TV tUp, out TV xPos, out TV d, out TV minusDError)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV one = TV.Constant(1.0);
        // max(−0, x) is −0 for x &lt; 0 (every negative x ends ≤ −0), x itself for x ≥ 0, ±∞ and NaN.
        xPos = TV.MaxNative(TV.Constant(-0.0), x);
        // t = tUp·2^(−o) is exact wherever it matters (normal), so the unfused form off FMA hardware gives the same d
        // and the same exact error. Two FMAs rather than a multiplication and three additions: one operation fewer
        // beats keeping the FMA pipes free.
        d = TV.MultiplyAdd(tUp, TV.Constant(ScaleDown<T>()), one);
        minusDError = TV.MultiplyAdd(tUp, TV.Constant(-ScaleDown<T>()), TV.Subtract(d, one));   // Fast2Sum: 1 ≥ t
    }

    /// <summary>
    /// The first half of <see cref="Start{TV, T}"/>, the range reduction of −a = −|x| clamped at −<see cref="Clamp{T}"/>
    /// (NaN passes): r, and 2^(k/2^b)·2^o with its table entry's relative error (zero without a table), so that
    /// e^{−a}·2^o = scaleUp·e^(r + tableError). 2^o keeps it normal for every clamped a, where e^{−a} itself may round
    /// to a subnormal or 0. The drivers run the two halves a step apart where the registers allow.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ExpHead<TV, T>(TV minusA, out TV scaleUp, out TV tableError) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // k = round(−a·2^b·log2 e) via the shifter; r = −a − k·ln2/2^b (two steps, exact first product), so
        // e^{−a} = 2^⌊k/2^b⌋ · 2^(j/2^b) · e^r with j = k mod 2^b (b = ExpTableBits: 4, 3 or 0).
        bool isDouble = typeof(T) == typeof(double);
        double entries = TableEntries<TV, T>();
        // The shifter carries the scaling's o·2^b, so kShifted holds k + o·2^b (exactly: the spacing there is 1) and
        // goes to Pow2FromShifted as it is, one addition fewer per vector than adding o·2^b to it.
        TV shifter = TV.Constant((isDouble ? 6755399441055744.0 : 12582912.0) + (isDouble ? 76 : 40) * entries);
        TV kShifted = TV.MultiplyAdd(minusA, TV.Constant(entries * 1.4426950408889634), shifter);
        TV k = TV.Subtract(kShifted, shifter);
        double ln2Hi = isDouble ? -6.93147180369123816490e-01 : -0.693359375, ln2Lo = isDouble ? -1.90821492927058770002e-10 : 2.12194440e-4;
        TV r = TV.MultiplyAdd(k, TV.Constant(ln2Hi / entries), minusA);
        r = TV.MultiplyAdd(k, TV.Constant(ln2Lo / entries), r);
        scaleUp = TV.Pow2FromShifted(kShifted, out tableError);
        return r;
    }

    /// <summary>The second half of <see cref="Start{TV, T}"/>: e^{−a}·2^o from <see cref="ExpHead{TV, T}"/>'s parts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ExpTail<TV, T>(TV r, TV scaleUp, TV tableError) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TV.ExpTableBits > 0
            ? TV.FusedMultiplyAdd(scaleUp, ExpMinusOneShort<TV, T>(r, tableError), scaleUp)
            : TV.Multiply(ExpPolynomial<TV, T>(r), scaleUp);

    /// <summary>2^b, the number of entries in the width's table of 2^(j/2^b) (1 without one), as a JIT-time constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double TableEntries<TV, T>() where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TV.ExpTableBits switch { 4 => 16.0, 3 => 8.0, _ => 1.0 };

    /// <summary>2^(−o), o = 76 for double and 40 for float: undoes the scaling that keeps t·2^o normal.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ScaleDown<T>() => typeof(T) == typeof(double) ? 1.0 / (1L << 62) / (1L << 14) : 1.0 / (1L << 40);

    /// <summary>Where |x| is clamped: past it silu(−|x|) rounds to −0 and silu(|x|) = |x|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Clamp<T>() => typeof(T) == typeof(double) ? 760.0 : 112.0;

    /// <summary>
    /// silu(x) = max(x, 0) − w with w = a·t/(1+t) = −silu(−a) ≥ 0 (silu(x) − silu(−x) = x), so one formula serves both
    /// signs, without selects: −w for x &lt; 0, x − w for x ≥ 0, where w ≤ x/2 and the subtraction is benign.
    /// w·2^o comes from the exact product a·t·2^o (hi + lo), one quotient by 1 + t (<see cref="Quotient"/>), and its
    /// exact remainder (FMA; with 1 + t's low part) folded in by an approximate reciprocal: the remainder is ~1 ULP of
    /// the quotient (2⁻¹⁴ of it for float on AVX-512), so the estimate's 2⁻¹⁴ error leaves at most 2⁻²⁸ of the
    /// result, a sixteenth of a float ULP and nothing for double. The last FMA scales by 2^(−o) and adds max(x, 0) with one
    /// rounding: w rounded once more costs at most half an ULP of w ≤ the result, nothing on the negative side.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Value<TV, T>(TV x, TV minusA, TV tUp) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Denominator<TV, T>(x, tUp, out TV xPos, out TV d, out TV minusDError);
        // −(−a·t·2^o) by a negated FMA with 0: positive with one rounding, and +0 (not −0) at a = 0.
        TV numerator = TV.NegatedMultiplyAdd(minusA, tUp, TV.Constant(0.0));
        // The product's rounding error, negated (numerator − a·t·2^o, exact), so no negation of the numerator is needed.
        TV minusNumeratorLo = TV.FusedMultiplyAdd(minusA, tUp, numerator);
        TV reciprocal = TV.ReciprocalEstimate(d);
        TV quotient = Quotient<TV, T>(numerator, d, reciprocal);
        TV remainder = TV.Subtract(TV.NegatedMultiplyAdd(quotient, d, numerator), TV.NegatedMultiplyAdd(quotient, minusDError, minusNumeratorLo));
        TV w = TV.MultiplyAdd(remainder, reciprocal, quotient);
        // w is +0 at x = ±0, so the last FMA gives −0 for x = −0 by itself.
        return TV.FusedMultiplyAdd(w, TV.Constant(-ScaleDown<T>()), xPos);
    }

    /// <summary>silu(x) and silu'(x) from one exp and one quotient.</summary>
    /// <remarks>
    /// τ = t/(1+t) = σ(−a) by one quotient plus its exact remainder (FMA, with 1 + t's low part) over an approximate
    /// reciprocal, as in <see cref="Value{TV, T}"/>; silu(x) = max(x, 0) − a·τ as there. g = silu'(−a) = τ·(1 − α) with
    /// α = a·σ(a), and silu'(x) = 1 − g for x ≥ 0 (silu'(x) + silu'(−x) = 1). α needs no second division
    /// (<see cref="MinusAlpha"/>: a·(1/d) for float, a − a·τ for double), and the exact remainder a − α·(1 + t)
    /// recovers its error (a second division costs the fused kernel more than the extra FMAs).
    /// Near the zero of silu' (a ≈ 1.28, α ≈ 1) the cancellation in 1 − α is exact (Sterbenz) and α's remainder
    /// supplies what α lost, so g rounds once from nearly exact terms; what the cancellation still magnifies is t's
    /// own error, by σ/|silu'| (<see cref="SiluKernels"/>: 2 + 0.25/|x − x0| ULP).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ValueAndDerivative<TV, T>(TV x, TV minusA, TV tUp, out TV derivative)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Denominator<TV, T>(x, tUp, out TV xPos, out TV d, out TV minusDError);
        TV one = TV.Constant(1.0);
        TV reciprocal = TV.ReciprocalEstimate(d);
        TV tau = Quotient<TV, T>(tUp, d, reciprocal);
        TV minusAlpha = MinusAlpha<TV, T>(minusA, tau, reciprocal);
        TV tauRemainder = TV.MultiplyAdd(tau, minusDError, TV.NegatedMultiplyAdd(tau, d, tUp));
        TV minusAlphaRemainder = TV.MultiplyAdd(minusAlpha, minusDError, TV.NegatedMultiplyAdd(minusAlpha, d, minusA));
        // w = a·τ with one rounding, then max(x, 0) − w·2^(−o) with one more. w is formed positive (negated FMAs), so it
        // is +0 at x = ±0 and the last FMA gives −0 for x = −0 by itself: no minimum to restore it.
        TV tauRemainderTimesAlpha = TV.NegatedMultiplyAdd(tauRemainder, minusAlpha, TV.Constant(0.0));
        TV w = TV.NegatedMultiplyAdd(minusA, tau, tauRemainderTimesAlpha);
        TV value = TV.FusedMultiplyAdd(w, TV.Constant(-ScaleDown<T>()), xPos);
        // g = (τ + τLo)(1 − α − αLo) to first order in the low parts (τLo = remainder/(1+t), likewise αLo), rounded once.
        // Its low part reuses the value's τ-remainder·α: a subtraction instead of a multiplication, and one step shorter
        // after α's remainder, which ends the chain.
        TV oneMinusAlpha = TV.Add(one, minusAlpha);
        TV gLo = TV.Multiply(reciprocal, TV.MultiplyAdd(tau, minusAlphaRemainder, TV.Subtract(tauRemainder, tauRemainderTimesAlpha)));
        TV g = TV.FusedMultiplyAdd(tau, oneMinusAlpha, gLo);
        // silu'(x) = g·2^(−o) for x &lt; 0 and 1 − g·2^(−o) for x ≥ 0: the scale's sign by XOR with x's sign bit (cheaper
        // than a mask and two selects), and the constant term 1 or 0 from x's sign bit by an arithmetic shift and an
        // and-not where those are native (AVX-512), which keeps it off the FMA pipes this kernel leans on; elsewhere from
        // the signed scale itself, ∓2^(−o)·2^(o−1) + 0.5, by one exact FMA (AVX2 emulates the shift for 64-bit lanes,
        // and an and-not from a compare costs V256 more than the FMA).
        TV signedScale = TV.XorSign(TV.Constant(-ScaleDown<T>()), x);
        TV c = TV.SignStepIsInteger ? TV.OneWhereSignClear(x) : TV.MultiplyAdd(signedScale, TV.Constant(-0.5 / ScaleDown<T>()), TV.Constant(0.5));
        derivative = TV.FusedMultiplyAdd(g, signedScale, c);
        return value;
    }

    /// <summary>
    /// −α = −a·σ(a) = −a/(1 + t) to within a few ULPs; its exact remainder does the rest. Float: −a·(1/d), one
    /// multiplication, as τ is formed. Double: −a + a·τ·2^(−o) (σ(a) = 1 − σ(−a)) by one FMA off τ's quotient, since
    /// AVX-512's reciprocal is only a 14-bit estimate there and the multiplication gains nothing on the other widths.
    /// a·2^(−o) may underflow only where a is far below what 1 − α resolves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV MinusAlpha<TV, T>(TV minusA, TV tau, TV reciprocal) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(double)
            ? TV.FusedMultiplyAdd(TV.Multiply(minusA, TV.Constant(-ScaleDown<T>())), tau, minusA)
            : TV.Multiply(minusA, reciprocal);

    // e^r − 1 on the table's |r| ≤ ln2/32 (16 entries; + rounding), of degree 6 for double, 3 for float; the caller adds
    // 1 inside its last FMA. Double: r + δ + r²·(p0 + r²·(p1 + r²·c6)) with p0, p1 linear in r: three FMA levels after
    // r², one more than Estrin's form with r⁴, but one multiplication fewer. Degree 6 errs by 1.2·10⁻¹⁷, a tenth of an
    // ULP below 1 (degree 7: 10⁻²⁰), and saves an FMA; the results' maxima stay below 1.5 ULP (silu and silu').
    // With 8 entries (|r| ≤ ln2/16) the same forms one degree higher: 7 for double (4.9·10⁻¹⁸), 4 for float (1.7·10⁻¹⁰).
    // Coefficients: Remez exchange in 50-digit arithmetic on |r| ≤ 0.02167 and 0.04333, each rounded to T. The table
    // entry's rounding error δ joins r only in the lowest term: T·e^{r+δ} = 2^(j/2^b)·e^r to O(δ²), and the powers of
    // r need not see it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpMinusOneShort<TV, T>(TV r, TV tableError) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV r2 = TV.Multiply(r, r);
        TV rPlusError = TV.Add(r, tableError);
        if (TV.ExpTableBits == 3)
        {
            if (typeof(T) == typeof(double))
            {
                TV q0 = TV.MultiplyAdd(C<TV, T>(0.1666666666666701), r, C<TV, T>(0.5000000000000308));
                TV q1 = TV.MultiplyAdd(C<TV, T>(0.008333333321797766), r, C<TV, T>(0.04166666656284644));
                TV q2 = TV.MultiplyAdd(C<TV, T>(0.0001984230463732591), r, C<TV, T>(0.0013889820207978508));
                return TV.MultiplyAdd(r2, TV.MultiplyAdd(TV.MultiplyAdd(q2, r2, q1), r2, q0), rPlusError);
            }
            return TV.MultiplyAdd(r2, TV.MultiplyAdd(C<TV, T>(0.04167063534259796), r2, TV.MultiplyAdd(C<TV, T>(0.1666802614927292), r, C<TV, T>(0.5))), rPlusError);
        }
        if (typeof(T) == typeof(double))
        {
            TV p0 = TV.MultiplyAdd(C<TV, T>(0.1666666666441406), r, C<TV, T>(0.5000000000000006));
            TV p1 = TV.MultiplyAdd(C<TV, T>(0.00833347204053311), r, C<TV, T>(0.04166666665964535));
            return TV.MultiplyAdd(r2, TV.MultiplyAdd(TV.MultiplyAdd(r2, C<TV, T>(0.0013889129181920271), p1), r2, p0), rPlusError);
        }
        return TV.MultiplyAdd(r2, TV.MultiplyAdd(C<TV, T>(0.1666671910360388), r, C<TV, T>(0.5000163654272882)), rPlusError);
    }

    // e^r on |r| ≤ ln2/2: 1 + r·(1 + r·h(r)), h evaluated by Estrin's scheme (its rounding errors are damped by
    // r² ≤ 0.12, so only the last two steps, in Horner form, decide the accuracy).
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
            return TV.FusedMultiplyAdd(TV.MultiplyAdd(h, r, C<TV, T>(1.0)), r, C<TV, T>(1.0));
        }
        TV e0f = TV.MultiplyAdd(C<TV, T>(0.16666420095407056), r, C<TV, T>(0.4999999207621678));
        TV e1f = TV.MultiplyAdd(C<TV, T>(0.008374822086664933), r, C<TV, T>(0.04166822604116776));
        h = TV.MultiplyAdd(C<TV, T>(0.0013836838215645093), r4, TV.MultiplyAdd(e1f, r2, e0f));
        return TV.FusedMultiplyAdd(TV.MultiplyAdd(h, r, C<TV, T>(1.000000036339593)), r, C<TV, T>(1.0000000005545027));
    }

    /// <summary>
    /// n/d to within a few ULPs, for the kernels' remainder correction q + (n − q·d)·(1/d), which doubles the bits
    /// of its reciprocal: n·(1/d) wherever 1/d has at least half of T's bits (the division, or AVX-512's 14-bit
    /// estimate for float), so one division serves both; a division for double on AVX-512, where a Newton step to
    /// 28 bits costs more than the division.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Quotient<TV, T>(TV n, TV d, TV reciprocal) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TV.ReciprocalIsEstimate && typeof(T) == typeof(double) ? TV.Divide(n, d) : TV.Multiply(n, reciprocal);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV C<TV, T>(double value) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TV.Constant(value);
}
