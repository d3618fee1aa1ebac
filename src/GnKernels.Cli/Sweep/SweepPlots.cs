using System.Globalization;
using GnKernels.Cli.Output;
using GnKernels.Solvers;
using ScottPlot;

namespace GnKernels.Cli.Sweep;

/// <summary>The sweep's figures, after Arbel et al.'s: test loss against τ₀ (Figure 2) and against N with the fitted
/// rates (Figure 3, Table 1), and loss curves at the grid's smallest and largest τ₀ (Figure 1). Both axes are log10.</summary>
internal static class SweepPlots
{
    public static string TestLossAgainst(string path, string title, string xLabel, IReadOnlyList<TrainingMethod> methods,
        IReadOnlyList<double> xs, Func<TrainingMethod, double, LossBand> band, Alignment legend, Func<TrainingMethod, string>? legendSuffix = null)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int k = 0; k < methods.Count; k++)
        {
            var method = methods[k];
            var color = palette.GetColor(k);
            var points = xs.Select(x => (X: x, Band: band(method, x))).Where(p => p.Band.Count > 0 && p.Band.Mean > 0).ToArray();
            if (points.Length == 0) continue;
            var withInterval = points.Where(p => p.Band.Low > 0).ToArray();
            if (withInterval.Length > 1)
            {
                var fill = plot.Add.FillY(withInterval.Select(p => Math.Log10(p.X)).ToArray(),
                    withInterval.Select(p => Math.Log10(p.Band.Low)).ToArray(), withInterval.Select(p => Math.Log10(p.Band.High)).ToArray());
                fill.FillStyle.Color = color.WithAlpha(0.2);
                fill.LineStyle.Width = 0;
            }
            var line = plot.Add.ScatterLine(points.Select(p => Math.Log10(p.X)).ToArray(), points.Select(p => Math.Log10(p.Band.Mean)).ToArray(), color);
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.LegendText = RunFiles.MethodName(method) + (legendSuffix?.Invoke(method) ?? "");
        }
        Finish(plot, title, xLabel, "test loss at the end (geometric mean, 95% band)", legend);
        // The grid's own values as the x ticks: a grid such as N ∈ {50, 100, 200} spans less than a decade.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            xs.Select(Math.Log10).ToArray(), xs.Select(x => x.ToString("G4", CultureInfo.InvariantCulture)).ToArray());
        plot.SavePng(path, 900, 560);
        return path;
    }

    /// <summary>Each seed's train (solid) and test (dashed) curve, one colour per method; random features as its end point.</summary>
    public static string Curves(string path, string title, IReadOnlyList<TrainingMethod> methods,
        Func<TrainingMethod, IEnumerable<IReadOnlyList<(int Iteration, double Train, double Test)>>> curves)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        // Random features interpolate to ~1e-28 and would flatten every curve: the axis stops 9 decades below the
        // largest starting loss (3 below the runs' 1e-6 stopping point), and a clipped curve says so.
        var all = methods.SelectMany(m => curves(m)).Where(c => c.Count > 0).ToList();
        double floor = all.Count == 0 ? double.NegativeInfinity : all.Max(c => Math.Log10(c[0].Train)) - 9;
        for (int k = 0; k < methods.Count; k++)
        {
            var color = palette.GetColor(k);
            bool first = true;
            foreach (var curve in curves(methods[k]))
            {
                foreach (var (pick, pattern, kind) in new (Func<(int, double Train, double Test), double>, LinePattern, string)[]
                         { (r => r.Train, LinePattern.Solid, "train"), (r => r.Test, LinePattern.Dashed, "test") })
                {
                    var points = curve.Where(r => r.Iteration >= 1 && pick(r) > 0 && double.IsFinite(pick(r))).ToArray();
                    if (points.Length == 0) continue;
                    var line = plot.Add.ScatterLine(points.Select(r => Math.Log10(r.Iteration)).ToArray(),
                        points.Select(r => Math.Max(floor, Math.Log10(pick(r)))).ToArray(), color);
                    line.LinePattern = pattern;
                    line.LineWidth = 1.5f;
                    line.MarkerSize = points.Length == 1 ? 8 : 0;
                    if (first) line.LegendText = $"{RunFiles.MethodName(methods[k])} {kind}" + (points.Any(r => Math.Log10(pick(r)) < floor) ? " (clipped at the axis floor)" : "");
                }
                first = false;
            }
        }
        Finish(plot, title, "iteration", "loss", Alignment.LowerLeft); // curves fall from the upper left
        plot.SavePng(path, 900, 560);
        return path;
    }

    private static void Finish(Plot plot, string title, string xLabel, string yLabel, Alignment legend)
    {
        plot.Title(title);
        plot.XLabel(xLabel + " (log scale)");
        plot.YLabel(yLabel + " (log scale)");
        RunFiles.LogTicks(plot.Axes.Left);
        RunFiles.LogTicks(plot.Axes.Bottom);
        plot.ShowLegend(legend);
    }
}
