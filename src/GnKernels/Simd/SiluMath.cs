using System.Numerics;
using System.Runtime.CompilerServices;

namespace GnKernels.Simd;

/// <summary>
/// SiLU and its derivative, written once over <see cref="ILanes{TSelf, T}"/>.
/// With a = |x| and t = e^{−a} ∈ (0, 1] (never overflows), ρ = 1/(1+t) and τ = t·ρ are the logistic σ(x) and
/// 1 − σ(x), in the order (ρ, τ) for x ≥ 0 and (τ, ρ) for x &lt; 0, so
///   silu(x)  = x·σ(x)
///   silu'(x) = σ + x·σ(1 − σ) = σ + x·τ·ρ        (the same product on both sides of 0).
/// ρ and τ are carried as unevaluated sums hi + lo (the rounding errors of 1 + t, of the division and of t·ρ,
/// recovered exactly by FMA and Fast2Sum), so each result rounds essentially once more than exp's own error: the
/// derivative never forms σ + silu·(…) from a rounded silu, whose error the cancellation near silu'(x) = 0
/// (x ≈ −1.28) and for x ≲ −2 would amplify.
/// e^{−a} = 2^k·e^r: k = round(−a/ln2), r by Cody–Waite (ln2 split so k·ln2_hi is exact), e^r by a minimax
/// polynomial (degree 11 for double, 6 for float: relative error 3·10⁻¹⁸ and 2·10⁻⁹, below 0.04 ULP, on
/// |r| ≤ 0.3466; coefficients from a Remez exchange in 50-digit arithmetic). For x &lt; 0, σ = τ underflows
/// long before silu and silu' do (x ≲ −708 in double), so that side works with τ·2^o (o = 76 for double, 40
/// for float; the product t·2^o is exact) and scales the results by 2^(−o) at the end, exact wherever they are
/// normal. a is clamped at 760 (112 for float), past which silu(−a) rounds to −0, so k + o stays a normal
/// exponent and large |x| never leaves the fast path: silu(−800) = −0, silu(800) = 800.
/// </summary>
internal static class SiluMath
{
    /// <summary>
    /// The logistic pieces: ρ = 1/(1+t) and τ = t·ρ as hi + lo (τ scaled by 2^o where x &lt; 0), the input clamped
    /// to ±<see cref="Clamp{T}"/> (NaN passes), the sign mask, and the factor each result is scaled by at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Logistic<TV, T>(TV x, out TV clamped, out TV negative,
        out TV rhoHi, out TV rhoLo, out TV tauHi, out TV tauLo, out TV scale)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool isDouble = typeof(T) == typeof(double);
        TV one = TV.Constant(1.0);
        TV clamp = TV.Constant(Clamp<T>());

        // Native min/max (one instruction, unlike IEEE's three) with x second: the x86 forms return the second
        // operand when either is NaN, so NaN flows through; ±∞ become ±clamp.
        TV xc = TV.MaxNative(TV.Negate(clamp), x);
        TV a = TV.MinNative(clamp, TV.Abs(xc));
        clamped = TV.MinNative(clamp, xc);

        // k = round(−a·log2 e) via the shifter; r = −a − k·ln2 (two steps, exact first product).
        // The shifter 1.5·2^52 (1.5·2^23 for float): adding it rounds to an integer held in the low mantissa bits.
        TV shifter = TV.Constant(isDouble ? 6755399441055744.0 : 12582912.0);
        TV kShifted = TV.MultiplyAdd(a, TV.Constant(-1.4426950408889634), shifter);
        TV k = TV.Subtract(kShifted, shifter);
        // ln 2 split; the high part has trailing zero bits so k·ln2Hi is exact for the k used here.
        TV r = TV.MultiplyAdd(k, TV.Constant(isDouble ? -6.93147180369123816490e-01 : -0.693359375), TV.Negate(a));
        r = TV.MultiplyAdd(k, TV.Constant(isDouble ? -1.90821492927058770002e-10 : 2.12194440e-4), r);
        TV p = ExpPolynomial<TV, T>(r);

        // 2^(k+o) is normal for every clamped a; t = e^{−a} itself may round (to a subnormal or 0) where only 1 + t
        // needs it.
        TV scaleUp = TV.Pow2FromShifted(TV.Add(kShifted, TV.Constant(isDouble ? 76 : 40)));
        TV scaleDown = TV.Constant(isDouble ? 1.0 / (1L << 62) / (1L << 14) : 1.0 / (1L << 40));
        TV tUp = TV.Multiply(p, scaleUp);
        TV t = TV.Multiply(tUp, scaleDown);
        TV d = TV.Add(one, t);
        TV dError = TV.Subtract(t, TV.Subtract(d, one));              // Fast2Sum: 1 ≥ t

        // ρ = 1/(d + dError): the quotient's exact remainder (FMA) and dError give the low part.
        rhoHi = TV.Divide(one, d);
        TV minusRho = TV.Negate(rhoHi);
        TV remainder = TV.MultiplyAdd(minusRho, dError, TV.FusedMultiplyAdd(minusRho, d, one));
        rhoLo = TV.Multiply(remainder, rhoHi);

        negative = TV.LessThan(xc, TV.Constant(0.0));
        TV tSided = TV.Select(negative, tUp, t);
        tauHi = TV.Multiply(tSided, rhoHi);
        tauLo = TV.MultiplyAdd(tSided, rhoLo, TV.FusedMultiplyAdd(tSided, rhoHi, TV.Negate(tauHi)));
        scale = TV.Select(negative, scaleDown, one);
    }

    /// <summary>Where |x| is clamped: past it silu(−|x|) rounds to −0 and silu(|x|) = |x|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Clamp<T>() => typeof(T) == typeof(double) ? 760.0 : 112.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Value<TV, T>(TV x) where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Logistic<TV, T>(x, out TV clamped, out TV negative, out TV rhoHi, out TV rhoLo, out TV tauHi, out TV tauLo, out TV scale);
        return Silu<TV, T>(x, clamped, TV.Select(negative, tauHi, rhoHi), TV.Select(negative, tauLo, rhoLo), scale);
    }

    /// <summary>silu(x) and silu'(x) from one exp and one division.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ValueAndDerivative<TV, T>(TV x, out TV derivative)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Logistic<TV, T>(x, out TV clamped, out TV negative, out TV rhoHi, out TV rhoLo, out TV tauHi, out TV tauLo, out TV scale);
        TV sigmaHi = TV.Select(negative, tauHi, rhoHi), sigmaLo = TV.Select(negative, tauLo, rhoLo);
        // σ(1 − σ) = τ·ρ as hi + lo; then σ + x·σ(1 − σ) with x·κHi exact inside the last FMA.
        TV kappaHi = TV.Multiply(tauHi, rhoHi);
        TV kappaLo = TV.MultiplyAdd(tauHi, rhoLo, TV.MultiplyAdd(tauLo, rhoHi, TV.FusedMultiplyAdd(tauHi, rhoHi, TV.Negate(kappaHi))));
        TV low = TV.MultiplyAdd(clamped, kappaLo, sigmaLo);
        derivative = TV.Multiply(TV.FusedMultiplyAdd(clamped, kappaHi, TV.Add(sigmaHi, low)), scale);
        return Silu<TV, T>(x, clamped, sigmaHi, sigmaLo, scale);
    }

    /// <summary>x·(σHi + σLo), one rounding; x = +∞ (clamped below it, as ∞·0 would be NaN) returns itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Silu<TV, T>(TV x, TV clamped, TV sigmaHi, TV sigmaLo, TV scale)
        where TV : struct, ILanes<TV, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV y = TV.Multiply(TV.FusedMultiplyAdd(clamped, sigmaHi, TV.Multiply(clamped, sigmaLo)), scale);
        return TV.Select(TV.LessThan(clamped, x), x, y);
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
