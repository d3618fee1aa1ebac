using MathNet.Numerics.Distributions;

namespace GnKernels.Cli.Sweep;

/// <summary>A loss summarized over seeds: the geometric mean and its 95% confidence interval.</summary>
internal readonly record struct LossBand(double Mean, double Low, double High, int Count);

/// <summary>A fitted rate: L_test ≈ C·N^(−α), with α's 95% confidence interval.</summary>
internal readonly record struct RateFit(double Alpha, double Low, double High, int Count);

/// <summary>
/// The sweep's statistics. Test losses span decades, so seeds are averaged in log10: the band is the geometric mean
/// times/divided by Student's t (n − 1 degrees of freedom) times the standard error of log10 L, which is what a
/// shaded interval on a log axis means.
/// </summary>
internal static class SweepStatistics
{
    public static LossBand Band(IReadOnlyList<double> losses)
    {
        var logs = losses.Where(l => l > 0 && double.IsFinite(l)).Select(Math.Log10).ToArray();
        if (logs.Length == 0) return new LossBand(double.NaN, double.NaN, double.NaN, 0);
        double mean = logs.Average();
        if (logs.Length == 1) return new LossBand(Math.Pow(10, mean), double.NaN, double.NaN, 1);
        double sd = Math.Sqrt(logs.Sum(l => (l - mean) * (l - mean)) / (logs.Length - 1));
        double half = StudentT.InvCDF(0, 1, logs.Length - 1, 0.975) * sd / Math.Sqrt(logs.Length);
        return new LossBand(Math.Pow(10, mean), Math.Pow(10, mean - half), Math.Pow(10, mean + half), logs.Length);
    }

    /// <summary>
    /// α = −slope of the least-squares line through (log N, log L) over every seed's run, with the slope's t interval
    /// (n − 2 degrees of freedom); NaN with fewer than three runs or a single N.
    /// </summary>
    public static RateFit Rate(IReadOnlyList<(int N, double Loss)> runs)
    {
        var slope = LogLogSlope([.. runs.Select(r => ((double)r.N, r.Loss))]);
        return new RateFit(-slope.Alpha, -slope.High, -slope.Low, slope.Count);
    }

    /// <summary>
    /// The least-squares slope of log y against log x over the points with positive finite x and y, with its t interval
    /// (n − 2 degrees of freedom), in a <see cref="RateFit"/> whose Alpha is the slope; NaN with fewer than three points or
    /// a single x.
    /// </summary>
    public static RateFit LogLogSlope(IReadOnlyList<(double X, double Y)> data)
    {
        var points = data.Where(r => r.X > 0 && double.IsFinite(r.X) && r.Y > 0 && double.IsFinite(r.Y)).Select(r => (X: Math.Log(r.X), Y: Math.Log(r.Y))).ToArray();
        if (points.Length < 3 || points.Select(p => p.X).Distinct().Count() < 2) return new RateFit(double.NaN, double.NaN, double.NaN, points.Length);
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxx = points.Sum(p => (p.X - mx) * (p.X - mx)), sxy = points.Sum(p => (p.X - mx) * (p.Y - my));
        double slope = sxy / sxx, intercept = my - slope * mx;
        double residual = points.Sum(p => Math.Pow(p.Y - intercept - slope * p.X, 2));
        double half = StudentT.InvCDF(0, 1, points.Length - 2, 0.975) * Math.Sqrt(residual / (points.Length - 2) / sxx);
        return new RateFit(slope, slope - half, slope + half, points.Length);
    }
}
