using System.Numerics;
using System.Text.Json;
using GnKernels.Cli.BenchCompare;
using GnKernels.Cli.Commands;

namespace GnKernels.Tests.Cli;

/// <summary>`gnk bench-compare`: the Mann-Whitney p-values against brute-force permutation, verdicts and exit codes on
/// small synthetic BenchmarkDotNet JSON folders.</summary>
public class BenchCompareTests
{
    /// <summary>P(U ≥ observed) by enumerating every split of the pooled values: the definition, independent of the DP.</summary>
    private static double PermutationPValue(double[] x, double[] y)
    {
        double[] pooled = [.. x, .. y];
        double observed = MannWhitney.U(x, y);
        int n = x.Length, total = pooled.Length, hits = 0, splits = 0;
        for (int mask = 0; mask < 1 << total; mask++)
        {
            if (BitOperations.PopCount((uint)mask) != n) continue;
            var a = new List<double>(); var b = new List<double>();
            for (int i = 0; i < total; i++) ((mask >> i & 1) == 1 ? a : b).Add(pooled[i]);
            splits++;
            if (MannWhitney.U(a, b) >= observed - 1e-9) hits++;
        }
        return hits / (double)splits;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Exact_p_value_matches_permutation_enumeration(int seed)
    {
        var rng = new Random(seed);
        double[] x = [.. Enumerable.Range(0, 5).Select(_ => rng.NextDouble() + 0.3)];
        double[] y = [.. Enumerable.Range(0, 6).Select(_ => rng.NextDouble())];
        Assert.Equal(PermutationPValue(x, y), MannWhitney.PValueGreater(x, y), 12);
    }

    [Fact]
    public void Three_against_three_completely_separated_is_one_in_twenty()
    {
        Assert.Equal(0.05, MannWhitney.PValueGreater([4, 5, 6], [1, 2, 3]), 15);
        Assert.Equal(1.0, MannWhitney.PValueGreater([1, 2, 3], [4, 5, 6]), 15);
    }

    [Fact]
    public void Normal_approximation_with_ties_is_close_to_permutation()
    {
        // Ties force the normal approximation; rounding to 0.1 makes plenty of them.
        var rng = new Random(7);
        double[] x = [.. Enumerable.Range(0, 9).Select(_ => Math.Round(rng.NextDouble() + 0.2, 1))];
        double[] y = [.. Enumerable.Range(0, 9).Select(_ => Math.Round(rng.NextDouble(), 1))];
        double exact = PermutationPValue(x, y), approx = MannWhitney.PValueGreater(x, y);
        Assert.InRange(approx, exact - 0.02, exact + 0.02);
    }

    private static BenchmarkCase Case(params double[] ns) => new("case", ns);

    [Fact]
    public void Verdicts_respect_threshold_and_noise_floor()
    {
        var baseline = Case(100, 101, 102, 99, 100, 101);
        Assert.Equal(Verdict.Slower, RegressionCheck.Compare(baseline, Case(120, 121, 122, 119, 120, 121), 0.05, 0.05, 1).Verdict);
        Assert.Equal(Verdict.Same, RegressionCheck.Compare(baseline, Case(102, 103, 104, 101, 102, 103), 0.05, 0.05, 1).Verdict);
        Assert.Equal(Verdict.Faster, RegressionCheck.Compare(baseline, Case(80, 81, 82, 79, 80, 81), 0.05, 0.05, 1).Verdict);
        // 20% slower, but only 0.2 ns: below a 1 ns noise floor.
        Assert.Equal(Verdict.Same, RegressionCheck.Compare(Case(1.0, 1.01, 0.99), Case(1.2, 1.21, 1.19), 0.05, 0.05, 1).Verdict);
        // Overlapping noisy samples are not called a regression.
        Assert.Equal(Verdict.Same, RegressionCheck.Compare(Case(100, 130, 90, 120), Case(125, 95, 135, 105), 0.05, 0.05, 1).Verdict);
    }

    [Theory]
    [InlineData("5%", 0.05)]
    [InlineData("12.5 %", 0.125)]
    [InlineData("0.05", 0.05)]
    [InlineData("150%", null)]
    [InlineData("fast", null)]
    public void Threshold_parses_percent_or_fraction(string text, double? expected) =>
        Assert.Equal(expected, BenchCompareCommand.ParseThreshold(text));

    private static string WriteRun(params (string Method, string Parameters, double[] Ns)[] cases)
    {
        string dir = Directory.CreateTempSubdirectory("gnk-bench-").FullName;
        var benchmarks = cases.Select(c => new
        {
            DisplayInfo = $"KernelBenchmarks.{c.Method}: short(IterationCount=3) [{c.Parameters}]",
            Type = "KernelBenchmarks",
            Method = c.Method,
            Parameters = c.Parameters,
            FullName = $"Bench.KernelBenchmarks.{c.Method}",
            Statistics = new { OriginalValues = c.Ns, N = c.Ns.Length },
        });
        File.WriteAllText(Path.Combine(dir, "KernelBenchmarks-report-full.json"), JsonSerializer.Serialize(new { Title = "synthetic", Benchmarks = benchmarks }));
        return dir;
    }

    private static (int Exit, string Out, string Err) Gnk(params string[] args) => Support.Gnk.Run(args);

    [Fact]
    public void Command_exits_5_on_a_regression_and_0_otherwise()
    {
        string baseline = WriteRun(("Silu", "N=4096", [100, 101, 102]), ("Ntk", "N=500", [5e6, 5.1e6, 5.05e6]), ("Gone", "", [10, 11, 12]));
        string slower = WriteRun(("Silu", "N=4096", [130, 131, 132]), ("Ntk", "N=500", [5.02e6, 5.08e6, 5.04e6]), ("New", "", [1, 2, 3]));
        var (exit, stdout, stderr) = Gnk("bench-compare", baseline, slower, "--threshold", "10%");
        Assert.True(exit == 5, $"exit {exit}: {stdout}{stderr}");
        Assert.Contains("Slower", stdout);
        Assert.Contains("1 slower, 0 faster, 1 same", stdout);
        Assert.Contains("only in base: KernelBenchmarks.Gone", stdout);
        Assert.Contains("only in diff: KernelBenchmarks.New", stdout);

        string same = WriteRun(("Silu", "N=4096", [101, 102, 100]), ("Ntk", "N=500", [4.6e6, 4.7e6, 4.65e6]));
        (exit, stdout, stderr) = Gnk("bench-compare", baseline, same);
        Assert.True(exit == 0, $"exit {exit}: {stdout}{stderr}");
        Assert.Contains("0 slower, 1 faster, 1 same", stdout);
    }

    [Fact]
    public void Command_refuses_missing_folders_and_bad_thresholds_with_exit_2()
    {
        string empty = Directory.CreateTempSubdirectory("gnk-bench-empty-").FullName;
        var (exit, _, stderr) = Gnk("bench-compare", empty, empty);
        Assert.Equal(2, exit);
        Assert.Contains("no *-report-full.json", stderr);

        (exit, _, stderr) = Gnk("bench-compare", "/nonexistent/base", empty);
        Assert.Equal(2, exit);
        Assert.Contains("does not exist", stderr);

        (exit, _, stderr) = Gnk("bench-compare", empty, empty, "--threshold", "fast");
        Assert.Equal(2, exit);
        Assert.Contains("--threshold 'fast'", stderr);

        (exit, _, stderr) = Gnk("bench-compare", empty, empty, "--alpha", "2");
        Assert.Equal(2, exit);
        Assert.Contains("--alpha 2 must lie in (0, 1)", stderr);
    }
}
