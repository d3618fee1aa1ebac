namespace GnKernels.Cli.BenchCompare;

internal enum Verdict { Same, Faster, Slower }

/// <summary>The comparison of one benchmark case across two runs.</summary>
internal sealed record CaseComparison(string Id, double BaseMedian, double DiffMedian, double PSlower, double PFaster, Verdict Verdict)
{
    public double Ratio => DiffMedian / BaseMedian;
}

/// <summary>
/// Two one-sided Mann-Whitney tests at a relative threshold t: "slower" when the new times are significantly
/// above base·(1 + t), "faster" when significantly below base·(1 − t), "same" otherwise (including when the
/// medians differ by less than an absolute noise floor, for nanosecond-scale cases).
/// </summary>
internal static class RegressionCheck
{
    public static CaseComparison Compare(BenchmarkCase baseline, BenchmarkCase diff, double threshold, double alpha, double noiseFloorNs)
    {
        if (!(threshold >= 0 && threshold < 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the threshold is a fraction in [0, 1), e.g. 0.05 for 5%.");
        double[] upper = [.. baseline.Nanoseconds.Select(v => v * (1 + threshold))];
        double[] lower = [.. baseline.Nanoseconds.Select(v => v * (1 - threshold))];
        double pSlower = MannWhitney.PValueGreater(diff.Nanoseconds, upper);
        double pFaster = MannWhitney.PValueGreater(lower, diff.Nanoseconds);
        double baseMedian = baseline.Median, diffMedian = diff.Median;
        Verdict verdict = Math.Abs(diffMedian - baseMedian) < noiseFloorNs ? Verdict.Same
            : pSlower <= alpha ? Verdict.Slower
            : pFaster <= alpha ? Verdict.Faster
            : Verdict.Same;
        return new CaseComparison(baseline.Id, baseMedian, diffMedian, pSlower, pFaster, verdict);
    }
}
