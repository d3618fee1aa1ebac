namespace GnKernels.Tests.Support;

/// <summary>
/// Double-double arithmetic (≈106-bit significand) for reference values: hi + lo with |lo| ≤ ulp(hi)/2.
/// Error-free transforms (TwoSum, FMA-based TwoProduct) after Dekker and Knuth.
/// </summary>
internal readonly record struct DoubleDouble(double Hi, double Lo)
{
    public static implicit operator DoubleDouble(double x) => new(x, 0);

    public static DoubleDouble operator +(DoubleDouble a, DoubleDouble b)
    {
        (double s, double e) = TwoSum(a.Hi, b.Hi);
        (double t, double f) = TwoSum(a.Lo, b.Lo);
        e += t;
        (s, e) = QuickTwoSum(s, e);
        e += f;
        return Normalize(s, e);
    }

    public static DoubleDouble operator -(DoubleDouble a) => new(-a.Hi, -a.Lo);
    public static DoubleDouble operator -(DoubleDouble a, DoubleDouble b) => a + -b;

    public static DoubleDouble operator *(DoubleDouble a, DoubleDouble b)
    {
        double p = a.Hi * b.Hi;
        double e = Math.FusedMultiplyAdd(a.Hi, b.Hi, -p);
        e += a.Hi * b.Lo + a.Lo * b.Hi;
        return Normalize(p, e);
    }

    public static DoubleDouble operator /(DoubleDouble a, DoubleDouble b)
    {
        double q1 = a.Hi / b.Hi;
        DoubleDouble r = a - b * q1;
        double q2 = r.Hi / b.Hi;
        r -= b * q2;
        double q3 = r.Hi / b.Hi;
        return Normalize(q1, q2) + q3;
    }

    /// <summary>e^x = 2^k·e^r with r = x − k·ln2 in double-double and e^r by its Taylor series; the power of two is
    /// returned separately so callers can apply it last (no premature underflow or overflow).</summary>
    public static (DoubleDouble Mantissa, int Exponent) Exp(double x)
    {
        int k = (int)Math.Round(x / Math.Log(2));
        DoubleDouble ln2 = new(0.6931471805599453, 2.3190468138462996e-17);
        DoubleDouble r = (DoubleDouble)x - ln2 * k;
        DoubleDouble sum = 1, term = 1;
        for (int n = 1; n < 40; n++)
        {
            term = term * r / n;
            sum += term;
            if (Math.Abs(term.Hi) < 1e-40) break;
        }
        return (sum, k);
    }

    public static DoubleDouble ScaleB(DoubleDouble a, int k) => new(Math.ScaleB(a.Hi, k), Math.ScaleB(a.Lo, k));

    private static (double S, double E) TwoSum(double a, double b)
    {
        double s = a + b, bb = s - a;
        return (s, (a - (s - bb)) + (b - bb));
    }

    private static (double S, double E) QuickTwoSum(double a, double b)
    {
        double s = a + b;
        return (s, b - (s - a));
    }

    private static DoubleDouble Normalize(double s, double e)
    {
        (double hi, double lo) = QuickTwoSum(s, e);
        return new(hi, lo);
    }
}

/// <summary>silu and silu' in double-double, from e^{−|x|} so nothing overflows.</summary>
internal static class SiluReference
{
    /// <summary>(silu(x), silu'(x)) as double-doubles, for finite x.</summary>
    public static (DoubleDouble Value, DoubleDouble Derivative) Evaluate(double x)
    {
        // t = e^{−|x|} = m·2^k; for large |x| keep the power of two aside and apply it at the end.
        (DoubleDouble m, int k) = DoubleDouble.Exp(-Math.Abs(x));
        DoubleDouble one = 1;
        if (k < -900)
        {
            // t is below 2^-900: 1 + t = 1 in double-double, so σ = t (x < 0) or 1 (x ≥ 0).
            if (x >= 0) return (x, 1);
            DoubleDouble tiny = m;                        // t·2^{-k}
            DoubleDouble v = (DoubleDouble)x * tiny;      // silu·2^{-k}
            DoubleDouble d = tiny * (one + (DoubleDouble)x); // σ(1 + x(1−σ)) ≈ t(1 + x)
            return (DoubleDouble.ScaleB(v, k), DoubleDouble.ScaleB(d, k));
        }
        DoubleDouble t = DoubleDouble.ScaleB(m, k);
        DoubleDouble den = one + t;
        DoubleDouble sigma = x >= 0 ? one / den : t / den;
        DoubleDouble oneMinusSigma = x >= 0 ? t / den : one / den;
        DoubleDouble value = (DoubleDouble)x * sigma;
        DoubleDouble derivative = sigma * (one + (DoubleDouble)x * oneMinusSigma);
        return (value, derivative);
    }

    /// <summary>
    /// The zero of silu', x0 ≈ −1.2785 (1 + x0·(1 − σ(x0)) = 0), as hi + lo (mpmath, 60 digits; the tests check that
    /// the reference changes sign across it). Near it every evaluation of σ·(1 + x·(1 − σ)) cancels.
    /// </summary>
    public static readonly DoubleDouble DerivativeZero = new(-1.2784645427610737, -1.0946994183093437e-16);

    /// <summary>|x − x0| for the zero x0 of silu' (x − x0.Hi is exact near x0, by Sterbenz's lemma).</summary>
    public static double DistanceToDerivativeZero(double x) => Math.Abs((x - DerivativeZero.Hi) - DerivativeZero.Lo);

    /// <summary>|actual − exact| in units of the last place of the exact value rounded to T's precision.</summary>
    public static double UlpError(double actual, DoubleDouble exact, bool single)
    {
        double reference = exact.Hi + exact.Lo;
        double diff = Math.Abs((actual - exact.Hi) - exact.Lo);
        if (single)
        {
            float r = (float)reference;
            double ulp = MathF.BitIncrement(MathF.Abs(r)) - MathF.Abs(r);
            return diff / ulp;
        }
        double u = Math.BitIncrement(Math.Abs(reference)) - Math.Abs(reference);
        return diff / u;
    }
}
