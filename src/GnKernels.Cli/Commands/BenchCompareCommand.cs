using System.Globalization;
using GnKernels.Cli.BenchCompare;
using Spectre.Console;

namespace GnKernels.Cli.Commands;

/// <summary>`gnk bench-compare BASE DIFF`: per-case median ratio and a Mann-Whitney verdict; non-zero exit on a regression.</summary>
internal static class BenchCompareCommand
{
    public static int Run(string baseFolder, string diffFolder, string threshold, double alpha, double noiseFloorNs)
    {
        if (ParseThreshold(threshold) is not double t)
        {
            Console.Error.WriteLine($"gnk: --threshold '{threshold}' is not a percentage in [0, 100) such as 5% (or a fraction such as 0.05).");
            return CommandLine.BadInput;
        }
        if (!(alpha > 0 && alpha < 1))
        {
            Console.Error.WriteLine($"gnk: --alpha {alpha.ToString(CultureInfo.InvariantCulture)} must lie in (0, 1), e.g. 0.05.");
            return CommandLine.BadInput;
        }
        IReadOnlyDictionary<string, BenchmarkCase> baseline, diff;
        try
        {
            baseline = BenchmarkResults.Load(baseFolder);
            diff = BenchmarkResults.Load(diffFolder);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"gnk: {e.Message}");
            return CommandLine.BadInput;
        }

        var inv = CultureInfo.InvariantCulture;
        var comparisons = baseline.Keys.Intersect(diff.Keys).Order(StringComparer.Ordinal)
            .Select(id => RegressionCheck.Compare(baseline[id], diff[id], t, alpha, noiseFloorNs)).ToList();
        var table = new Table().AddColumns("benchmark", "base median", "diff median", "ratio", "p(slower)", "p(faster)", "verdict");
        foreach (var c in comparisons)
            table.AddRow(Markup.Escape(c.Id), Time(c.BaseMedian), Time(c.DiffMedian), c.Ratio.ToString("F3", inv),
                c.PSlower.ToString("F3", inv), c.PFaster.ToString("F3", inv), c.Verdict.ToString());
        AnsiConsole.Write(table);

        foreach (string id in baseline.Keys.Except(diff.Keys).Order(StringComparer.Ordinal)) Console.WriteLine($"only in base: {id}");
        foreach (string id in diff.Keys.Except(baseline.Keys).Order(StringComparer.Ordinal)) Console.WriteLine($"only in diff: {id}");
        int slower = comparisons.Count(c => c.Verdict == Verdict.Slower), faster = comparisons.Count(c => c.Verdict == Verdict.Faster);
        Console.WriteLine($"{comparisons.Count} compared at threshold {t.ToString("P1", inv)}, α = {alpha.ToString(inv)}: " +
            $"{slower} slower, {faster} faster, {comparisons.Count - slower - faster} same");
        return slower > 0 ? CommandLine.Regression : 0;
    }

    /// <summary>"5%", "5 %" or "0.05"; null when out of [0, 1).</summary>
    internal static double? ParseThreshold(string text)
    {
        string s = text.Trim();
        bool percent = s.EndsWith('%');
        if (percent) s = s[..^1].Trim();
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return null;
        if (percent) v /= 100;
        return v >= 0 && v < 1 ? v : null;
    }

    private static string Time(double ns) => ns switch
    {
        < 1e3 => $"{ns:F2} ns",
        < 1e6 => $"{ns / 1e3:F2} µs",
        < 1e9 => $"{ns / 1e6:F2} ms",
        _ => $"{ns / 1e9:F2} s",
    };
}
