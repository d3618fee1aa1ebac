namespace GnKernels.Smoke;

/// <summary>
/// Compares two machines' smoke results (x64 against arm64). The tolerances, and why (docs/accuracy.md,
/// "Across architectures"): each SiLU value is within 2 ULP of exact on both, so they differ by at most 4 ULP; the
/// Cholesky solution of a system with condition number below 10³ agrees to 1e-12 relative whatever BLAS kernels sum
/// in whichever order; one GN step, through a kernel, a factorization and a line search, to 1e-9 relative.
/// </summary>
public static class SmokeComparison
{
    public const double SiluUlps = 4;
    public const double CholeskyRelative = 1e-12;
    public const double StepRelative = 1e-9;

    /// <summary>One line per quantity: its largest difference, the tolerance and whether it held.</summary>
    public static IReadOnlyList<(string Quantity, bool Passed, string Detail)> Compare(SmokeResult a, SmokeResult b)
    {
        var lines = new List<(string, bool, string)>();
        if (!a.SiluInput.AsSpan().SequenceEqual(b.SiluInput))
            return [("inputs", false, "the two runs evaluated SiLU at different points: compare results of the same smoke program")];

        lines.Add(Ulps("silu (double)", a.Silu, b.Silu, Math.BitIncrement));
        lines.Add(Ulps("silu' (double)", a.SiluDerivative, b.SiluDerivative, Math.BitIncrement, nearZeroOf: a.SiluInput));
        lines.Add(Ulps("silu (float)", [.. a.SiluFloat.Select(v => (double)v)], [.. b.SiluFloat.Select(v => (double)v)],
            v => MathF.BitIncrement((float)v)));
        lines.Add(Relative("Cholesky solution", a.CholeskySolution, b.CholeskySolution, CholeskyRelative));
        lines.Add(Relative("initial loss", [a.InitialLoss], [b.InitialLoss], StepRelative));
        lines.Add(Relative("loss after one GN step", [a.LossAfterStep], [b.LossAfterStep], StepRelative));
        lines.Add(Relative("parameters after one GN step", a.ParametersAfterStep, b.ParametersAfterStep, StepRelative));
        return lines;
    }

    // Differences in units of the last place of the first value. silu' is compared in units of σ(x)'s last place near
    // its zero, where the value itself is tiny and its ULP meaningless (docs/accuracy.md).
    private static (string, bool, string) Ulps(string name, double[] a, double[] b, Func<double, double> next, double[]? nearZeroOf = null)
    {
        if (a.Length != b.Length) return (name, false, $"lengths {a.Length} and {b.Length}");
        double worst = 0; int at = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] == b[i]) continue;
            double scale = Math.Abs(a[i]);
            if (nearZeroOf is not null) scale = Math.Max(scale, 1 / (1 + Math.Exp(-nearZeroOf[i])));
            double ulp = next(scale) - scale;
            double ulps = Math.Abs(a[i] - b[i]) / ulp;
            if (!(ulps <= worst)) { worst = ulps; at = i; }
        }
        return (name, worst <= SiluUlps, $"max {worst:F2} ULP (at index {at}), tolerance {SiluUlps} ULP");
    }

    private static (string, bool, string) Relative(string name, double[] a, double[] b, double tolerance)
    {
        if (a.Length != b.Length) return (name, false, $"lengths {a.Length} and {b.Length}");
        double difference = 0, norm = 0;
        for (int i = 0; i < a.Length; i++) { difference += (a[i] - b[i]) * (a[i] - b[i]); norm += a[i] * a[i]; }
        double relative = Math.Sqrt(difference / norm);
        return (name, relative <= tolerance, $"relative difference {relative:E2}, tolerance {tolerance:E0}");
    }
}
