using System.Numerics;
using System.Runtime.CompilerServices;

namespace GnKernels.Simd;

/// <summary>
/// SiLU and its derivative, written once over <see cref="ILanes{TSelf, T}"/>.
/// With a = |x| and t = e^{−a} ∈ (0, 1] (never overflows), σ(x) = 1/(1+t) for x ≥ 0 and t/(1+t) for x &lt; 0.
/// 1 + t is kept exactly as d + dError (FMA and Fast2Sum), every product and quotient's rounding error is
/// recovered exactly (FMA remainders) and folded into one last rounding, so each result errs by about exp's own
/// error plus half an ULP (tests: ≤ 1.4 ULP for silu, ≤ 1.7 for silu' in the metric of <see cref="SiluKernels"/>).
/// The kernels are bound by the latency of their dependency chain more than by their instruction count, so the
/// formulas are arranged to keep negations, selects and corrections off it.
/// e^{−a} = 2^(k/16)·e^r on Vector512 (k = round(−16a/ln2); 2^(j/16), j = k mod 16, from a 16-entry table by an
/// in-register permute, <see cref="Pow2Table"/>; e^r − 1 on |r| ≤ ln2/32 by a minimax polynomial of degree 7 for
/// double and 3 for float, relative error 10⁻²⁰ and 2·10⁻⁹) and 2^k·e^r on the other widths (|r| ≤ ln2/2,
/// degree 11 / 6, 3·10⁻¹⁸ / 2·10⁻⁹); r by Cody–Waite (ln2 split so k·ln2_hi is exact); coefficients from a Remez
/// exchange in 50-digit arithmetic. For x &lt; 0, σ underflows long before silu and silu' do (x ≲ −708 in
/// double), so that side works with t·2^o (o = 76 for double, 40 for float; exact) and scales the results by
/// 2^(−o) at the end, exact wherever they are normal. a is clamped at 760 (112 for float), past which silu(−a)
/// rounds to −0, so the exponent stays normal and large |x| never leaves the fast path: silu(−800) = −0,
/// silu(800) = 800.
/// </summary>
internal static class SiluMath
{
    /// <summary>
    /// The denominator 1 + t, t = e^{−|x|}, as d + dError (exact sum), with x clamped to ±<see cref="Clamp{T}"/>
    /// (NaN passes), the sign mask, t·2^o (o = 76 for double, 40 for float: normal wherever silu is) and the factor
    /// each result is scaled by at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Denominator<TV, T>(TV x, out TV clamped, out TV negative, out TV tUp, out TV t, out TV d, out TV dError, out TV scale)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV one = TV.Constant(1.0);
        TV clamp = TV.Constant(Clamp<T>());
        TV minusClamp = TV.Constant(-Clamp<T>());

        // Native min/max (one instruction, unlike IEEE's three) with x second: the x86 forms return the second
        // operand when either is NaN, so NaN flows through; ±∞ become ±clamp.
        TV minusA = TV.MaxNative(minusClamp, TV.NegativeAbs(x));
        clamped = TV.MinNative(clamp, TV.MaxNative(minusClamp, x));
        negative = TV.SignMask(x);
        tUp = ScaledExp<TV, T>(minusA);
        TV scaleDown = TV.Constant(ScaleDown<T>());
        t = TV.Multiply(tUp, scaleDown);
        d = TV.FusedMultiplyAdd(tUp, scaleDown, one);
        dError = TV.Subtract(t, TV.Subtract(d, one));              // Fast2Sum: 1 ≥ t
        scale = TV.Select(negative, scaleDown, one);
    }

    /// <summary>
    /// e^{−a}·2^o from −a ∈ [−<see cref="Clamp{T}"/>, 0] (NaN passes): 2^o keeps it normal for every clamped a, where
    /// e^{−a} itself may round to a subnormal or 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ScaledExp<TV, T>(TV minusA) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // k = round(−a·2^b·log2 e) via the shifter; r = −a − k·ln2/2^b (two steps, exact first product), so
        // e^{−a} = 2^⌊k/2^b⌋ · 2^(j/2^b) · e^r with j = k mod 2^b (b = ExpTableBits: 4 or 0).
        bool isDouble = typeof(T) == typeof(double);
        bool table = TV.ExpTableBits == 4;
        TV shifter = TV.Constant(isDouble ? 6755399441055744.0 : 12582912.0);
        TV kShifted = TV.MultiplyAdd(minusA, TV.Constant(table ? 16 * 1.4426950408889634 : 1.4426950408889634), shifter);
        TV k = TV.Subtract(kShifted, shifter);
        double ln2Hi = isDouble ? -6.93147180369123816490e-01 : -0.693359375, ln2Lo = isDouble ? -1.90821492927058770002e-10 : 2.12194440e-4;
        TV r = TV.MultiplyAdd(k, TV.Constant(table ? ln2Hi / 16 : ln2Hi), minusA);
        r = TV.MultiplyAdd(k, TV.Constant(table ? ln2Lo / 16 : ln2Lo), r);
        TV scaleUp = TV.Pow2FromShifted(TV.Add(kShifted, TV.Constant((isDouble ? 76 : 40) * (table ? 16 : 1))), out TV tableError);
        return table
            ? TV.FusedMultiplyAdd(scaleUp, ExpMinusOneShort<TV, T>(r, tableError), scaleUp)
            : TV.Multiply(ExpPolynomial<TV, T>(r), scaleUp);
    }

    /// <summary>2^(−o), o = 76 for double and 40 for float: undoes the scaling that keeps t·2^o normal.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ScaleDown<T>() => typeof(T) == typeof(double) ? 1.0 / (1L << 62) / (1L << 14) : 1.0 / (1L << 40);

    /// <summary>Where |x| is clamped: past it silu(−|x|) rounds to −0 and silu(|x|) = |x|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Clamp<T>() => typeof(T) == typeof(double) ? 760.0 : 112.0;

    /// <summary>
    /// silu(x) = max(x, 0) − w with w = a·t/(1+t) = −silu(−a) ≥ 0 (silu(x) − silu(−x) = x), so one formula serves both
    /// signs, without selects: −w for x &lt; 0, x − w for x ≥ 0, where w ≤ x/2 and the subtraction is benign.
    /// w·2^o comes from the exact product a·t·2^o (hi + lo), one division by 1 + t, and the quotient's exact remainder
    /// (FMA; with 1 + t's low part) folded in by an approximate reciprocal: the remainder is ~1 ULP of the
    /// quotient, so the estimate's 2⁻¹⁴ error vanishes. The last FMA scales by 2^(−o) and adds max(x, 0) with one
    /// rounding: w rounded once more costs at most half an ULP of w ≤ the result, nothing on the negative side.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Value<TV, T>(TV x) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV one = TV.Constant(1.0);
        TV scaleDown = TV.Constant(ScaleDown<T>());
        TV minusA = TV.MaxNative(TV.Constant(-Clamp<T>()), TV.NegativeAbs(x));
        // max(−0, x) with x second: −0 for x &lt; 0 (so every negative x ends ≤ −0), x itself for x ≥ 0, ±∞ and NaN.
        TV xPos = TV.MaxNative(TV.Constant(-0.0), x);
        TV tUp = ScaledExp<TV, T>(minusA);
        TV d = TV.FusedMultiplyAdd(tUp, scaleDown, one);
        // −(1 + t) exactly as −d − dError, formed beside d rather than after it (negations stay off the chain).
        TV minusD = TV.FusedMultiplyAdd(tUp, TV.Constant(-ScaleDown<T>()), TV.Constant(-1.0));
        TV minusDError = TV.Subtract(TV.Subtract(d, one), TV.Multiply(tUp, scaleDown));   // Fast2Sum: 1 ≥ t
        TV numerator = TV.Multiply(minusA, tUp);
        TV numeratorLo = TV.FusedMultiplyAdd(minusA, tUp, TV.Negate(numerator));
        TV quotient = TV.Divide(numerator, d);
        TV remainder = TV.Add(TV.FusedMultiplyAdd(quotient, minusD, numerator), TV.MultiplyAdd(quotient, minusDError, numeratorLo));
        TV minusW = TV.MultiplyAdd(remainder, TV.ReciprocalEstimate(d), quotient);
        // The minimum restores −0 where −w is +0 (x = −0); NaN and +∞ pass as the second operand.
        return TV.MinNative(TV.FusedMultiplyAdd(minusW, scaleDown, xPos), xPos);
    }

    /// <summary>silu(x) and silu'(x) from one exp and one division.</summary>
    /// <remarks>
    /// ρ = 1/(1+t) = ρHi·(1 + e), e the division's relative error (its exact remainder by FMA plus 1 + t's low
    /// part), and τ = t·ρ are σ and 1 − σ in the order (ρ, τ) for x ≥ 0 and (τ, ρ) for x &lt; 0, each as hi + lo;
    /// κ = σ(1 − σ) = τ·ρ likewise. silu' = σ + x·κ (the same product on both sides of 0) takes x·κHi exactly inside
    /// its last FMA, so the cancellation near silu'(x) = 0 (x ≈ −1.28) and for x ≲ −2 acts on exact terms, never on
    /// a rounded silu. The value is x·(σHi + σLo) with one rounding.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ValueAndDerivative<TV, T>(TV x, out TV derivative)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Denominator<TV, T>(x, out TV clamped, out TV negative, out TV tUp, out TV t, out TV d, out TV dError, out TV scale);
        TV one = TV.Constant(1.0);
        TV rhoHi = TV.Divide(one, d);
        TV minusRho = TV.Negate(rhoHi);
        TV e = TV.MultiplyAdd(minusRho, dError, TV.FusedMultiplyAdd(minusRho, d, one));
        TV rhoLo = TV.Multiply(e, rhoHi);
        TV tSided = TV.Select(negative, tUp, t);
        TV tauHi = TV.Multiply(tSided, rhoHi);
        TV tauLo = TV.MultiplyAdd(tauHi, e, TV.FusedMultiplyAdd(tSided, rhoHi, TV.Negate(tauHi)));
        TV sigmaHi = TV.Select(negative, tauHi, rhoHi);
        // σ(1 − σ) = τ·ρ as hi + lo; then σ + x·σ(1 − σ) with x·κHi exact inside the last FMA.
        TV kappaHi = TV.Multiply(tauHi, rhoHi);
        TV kappaLo = TV.MultiplyAdd(tauLo, rhoHi, TV.MultiplyAdd(kappaHi, e, TV.FusedMultiplyAdd(tauHi, rhoHi, TV.Negate(kappaHi))));
        TV sigmaLo = TV.Select(negative, tauLo, rhoLo);
        TV low = TV.MultiplyAdd(clamped, kappaLo, sigmaLo);
        derivative = TV.Multiply(TV.FusedMultiplyAdd(clamped, kappaHi, TV.Add(sigmaHi, low)), scale);
        // x·σHi with x only clamped from below: +∞·(1 + 0) stays +∞ (the low part takes the clamped x: ∞·0 is NaN).
        TV xFromBelow = TV.MaxNative(TV.Constant(-Clamp<T>()), x);
        return TV.Multiply(TV.FusedMultiplyAdd(xFromBelow, sigmaHi, TV.Multiply(clamped, sigmaLo)), scale);
    }

    // e^r − 1 on the table's |r| ≤ ln2/32 (+ rounding), of degree 7 for double, 3 for float; the caller adds 1 inside
    // its last FMA. Double: (r + δ + r²·p0) + r⁴·(p1 + r²·p2) with each p_i linear in r, three FMA levels after r²
    // (a Horner tail takes four: the kernels are bound by their chain's latency). The table entry's rounding error δ
    // joins r only in the lowest term: T·e^{r+δ} = 2^(j/16)·e^r to O(δ²), and the powers of r need not see it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpMinusOneShort<TV, T>(TV r, TV tableError) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV r2 = TV.Multiply(r, r);
        TV rPlusError = TV.Add(r, tableError);
        if (typeof(T) == typeof(double))
        {
            TV p0 = TV.MultiplyAdd(C<TV, T>(0.16666666666666619), r, C<TV, T>(0.5000000000000004));
            TV p1 = TV.MultiplyAdd(C<TV, T>(0.008333333335745787), r, C<TV, T>(0.0416666666604524));
            TV p2 = TV.MultiplyAdd(C<TV, T>(0.00019841093200848232), r, C<TV, T>(0.0013889114980704881));
            return TV.MultiplyAdd(TV.Multiply(r2, r2), TV.MultiplyAdd(r2, p2, p1), TV.MultiplyAdd(r2, p0, rPlusError));
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV C<TV, T>(double value) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TV.Constant(value);
}
