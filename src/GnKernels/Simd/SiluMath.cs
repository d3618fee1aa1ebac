using System.Numerics;
using System.Runtime.CompilerServices;

namespace GnKernels.Simd;

/// <summary>
/// SiLU and its derivative, written once over <see cref="ILanes{TSelf, T}"/>.
/// With a = |x| and t = e^{−a} ∈ (0, 1] (never overflows), the logistic σ(x) is 1/(1+t) for x ≥ 0 and
/// t/(1+t) for x &lt; 0, so
///   silu(x)  = x/(1+t)            (x ≥ 0)      x·t/(1+t)   (x &lt; 0)
///   silu'(x) = σ + silu(x)·(1 − σ).
/// e^{−a} = 2^k·e^r: k = round(−a/ln2), r by Cody–Waite (ln2 split so k·ln2_hi is exact), e^r by its Taylor
/// polynomial (degree 13 for double, 7 for float: truncation below 0.1 ULP on |r| ≤ ln2/2). 2^k is applied in two
/// halves, 2^{k₁}·2^{k₂}, so x·t stays correctly scaled when t itself would be subnormal (x ≲ −708 in double)
/// while silu(x) is still a normal number. a is clamped (1400 / 170) so both halves stay normal; large |x| never
/// leaves the fast path: silu(−800) = −0, silu(800) = 800.
/// </summary>
internal static class SiluMath
{
    /// <summary>silu(x), and the pieces the derivative reuses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Value<TV, T>(TV x, out TV negative, out TV t, out TV denominator, out TV denominatorError)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool isDouble = typeof(T) == typeof(double);
        TV one = TV.Create(T.One);
        T clampValue = isDouble ? T.CreateTruncating(1400.0) : T.CreateTruncating(170.0);

        // x clamped below keeps −∞ finite (→ −0); IEEE max keeps NaN.
        TV xc = TV.Max(x, TV.Create(-clampValue));
        TV a = TV.Min(TV.Abs(xc), TV.Create(clampValue));

        // k = round(−a·log2 e) via the shifter; r = −a − k·ln2 (two steps, exact first product).
        TV shifter = TV.Create(ExpConstants<T>.Shifter);
        TV kShifted = TV.MultiplyAdd(a, TV.Create(-ExpConstants<T>.Log2E), shifter);
        TV k = TV.Subtract(kShifted, shifter);
        TV r = TV.MultiplyAdd(k, TV.Create(-ExpConstants<T>.Ln2Hi), TV.Subtract(TV.Create(T.Zero), a));
        r = TV.MultiplyAdd(k, TV.Create(-ExpConstants<T>.Ln2Lo), r);
        TV p = ExpPolynomial<TV, T>(r);

        // Split k = k1 + k2 (k1 = round(k/2)); both halves are normal exponents.
        TV k1Shifted = TV.MultiplyAdd(k, TV.Create(T.CreateTruncating(0.5)), shifter);
        TV k1 = TV.Subtract(k1Shifted, shifter);
        TV k2Shifted = TV.Add(TV.Subtract(k, k1), shifter);
        TV scale1 = TV.Pow2FromShifted(k1Shifted);
        TV scale2 = TV.Pow2FromShifted(k2Shifted);

        TV t1 = TV.Multiply(p, scale1);
        t = TV.Multiply(t1, scale2);                        // e^{−a}
        denominator = TV.Add(one, t);
        negative = TV.LessThan(xc, TV.Create(T.Zero));

        // Numerator and denominator carry their rounding errors (exact by FMA and Fast2Sum), and the quotient its
        // remainder; one correction step folds all three in, so only exp's own error and the last rounding remain.
        TV xt1 = TV.Multiply(xc, t1);
        TV xt1Error = TV.FusedMultiplyAdd(xc, t1, TV.Subtract(TV.Create(T.Zero), xt1));
        TV numerator = TV.Select(negative, TV.Multiply(xt1, scale2), xc);
        TV numeratorError = TV.Select(negative, TV.Multiply(xt1Error, scale2), TV.Create(T.Zero));
        denominatorError = TV.Subtract(t, TV.Subtract(denominator, one));
        return CorrectedQuotient<TV, T>(numerator, numeratorError, denominator, denominatorError);
    }

    /// <summary>
    /// (n + nErr)/(d + dErr) for d ∈ [1, 2]: the quotient plus one correction from its exact remainder (FMA) and
    /// the carried errors. 1/d to ~12% is plenty for a correction below one ULP, so no second division.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV CorrectedQuotient<TV, T>(TV n, TV nError, TV d, TV dError)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV q = TV.Divide(n, d);
        TV minusQ = TV.Subtract(TV.Create(T.Zero), q);
        TV remainder = TV.FusedMultiplyAdd(minusQ, d, n);
        TV correction = TV.Add(remainder, TV.MultiplyAdd(minusQ, dError, nError));
        TV roughReciprocal = TV.MultiplyAdd(d, TV.Create(T.CreateTruncating(-0.5)), TV.Create(T.CreateTruncating(1.5)));
        TV corrected = TV.MultiplyAdd(correction, roughReciprocal, q);
        // ±∞ and NaN turn the correction into NaN, and ±0 would lose its sign; the plain quotient is right for them.
        TV magnitude = TV.Abs(q);
        TV regular = TV.Select(TV.LessThan(TV.Create(T.Zero), magnitude), corrected, q);
        return TV.Select(TV.LessThan(magnitude, TV.Create(T.PositiveInfinity)), regular, q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Value<TV, T>(TV x) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Value<TV, T>(x, out _, out _, out _, out _);

    /// <summary>
    /// silu(x) and silu'(x) = σ + silu·(1 − σ). Over the common denominator 1 + t this is
    /// (S + silu·O)/(1 + t) with (S, O) = (t, 1) for x &lt; 0 and (1, t) for x ≥ 0: one fused numerator, one division.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ValueAndDerivative<TV, T>(TV x, out TV derivative)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV value = Value<TV, T>(x, out TV negative, out TV t, out TV denominator, out TV denominatorError);
        TV one = TV.Create(T.One);
        TV s = TV.Select(negative, t, one);
        TV o = TV.Select(negative, one, t);
        // For x = +∞ the value is +∞ and o = t = 0; the clamp (far above where t vanishes) avoids ∞·0.
        TV boundedValue = TV.Min(value, TV.Create(typeof(T) == typeof(double) ? T.CreateTruncating(1400.0) : T.CreateTruncating(170.0)));
        TV numerator = TV.MultiplyAdd(boundedValue, o, s);
        derivative = CorrectedQuotient<TV, T>(numerator, TV.Create(T.Zero), denominator, denominatorError);
        return value;
    }

    // Horner, unrolled by hand: the JIT does not unroll loops, and the constants then fold into the loop body.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpPolynomial<TV, T>(TV r) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV p;
        if (typeof(T) == typeof(double))
        {
            // Degree 13 for double: the extra high-order terms lead into the shared degree-7 tail.
            p = C<TV, T>(1.0 / 6227020800);
            p = TV.MultiplyAdd(p, r, C<TV, T>(1.0 / 479001600));
            p = TV.MultiplyAdd(p, r, C<TV, T>(1.0 / 39916800));
            p = TV.MultiplyAdd(p, r, C<TV, T>(1.0 / 3628800));
            p = TV.MultiplyAdd(p, r, C<TV, T>(1.0 / 362880));
            p = TV.MultiplyAdd(p, r, C<TV, T>(1.0 / 40320));
            p = TV.MultiplyAdd(p, r, C<TV, T>(1.0 / 5040));
        }
        else
        {
            p = C<TV, T>(1.0 / 5040);
        }
        p = TV.MultiplyAdd(p, r, C<TV, T>(1.0 / 720));
        p = TV.MultiplyAdd(p, r, C<TV, T>(1.0 / 120));
        p = TV.MultiplyAdd(p, r, C<TV, T>(1.0 / 24));
        p = TV.MultiplyAdd(p, r, C<TV, T>(1.0 / 6));
        p = TV.MultiplyAdd(p, r, C<TV, T>(0.5));
        p = TV.MultiplyAdd(p, r, C<TV, T>(1.0));
        return TV.MultiplyAdd(p, r, C<TV, T>(1.0));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV C<TV, T>(double value) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TV.Create(T.CreateTruncating(value));
}

/// <summary>Constants of the exp reduction, per precision.</summary>
internal static class ExpConstants<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private static bool IsDouble => typeof(T) == typeof(double);

    /// <summary>1.5·2^52 (double) or 1.5·2^23 (float): adding it rounds to an integer kept in the low mantissa bits.</summary>
    public static T Shifter => IsDouble ? T.CreateTruncating(6755399441055744.0) : T.CreateTruncating(12582912.0f);
    public static T Log2E => T.CreateTruncating(1.4426950408889634);
    /// <summary>ln 2 split: the high part has trailing zero bits so k·Ln2Hi is exact for the k used here.</summary>
    public static T Ln2Hi => IsDouble ? T.CreateTruncating(6.93147180369123816490e-01) : T.CreateTruncating(0.693359375f);
    public static T Ln2Lo => IsDouble ? T.CreateTruncating(1.90821492927058770002e-10) : T.CreateTruncating(-2.12194440e-4f);
}
