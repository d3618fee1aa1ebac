using GnKernels.Tests.Support;

namespace GnKernels.Tests.Cli;

/// <summary>`gnk sweep` through the real process: the files, resuming, and bad input.</summary>
public class GnkSweepTests
{
    // A sweep of seconds: 2 τ₀ + 2 N (sharing one point) = 3 points × 2 seeds × 3 methods = 18 runs.
    private static readonly string[] Tiny = ["sweep", "--tau0", "1,10", "--n", "20,40", "--n-for-tau0", "40", "--tau0-for-n", "1",
        "--seeds", "2", "--m", "30", "--d", "3", "--test", "50", "--max-time", "0.3", "--threads", "1"];

    private static string Folder() => Directory.CreateTempSubdirectory("gnk-sweep-").FullName;

    [Fact]
    public void A_sweep_writes_its_cells_tables_and_plots_and_a_rerun_resumes_without_running_again()
    {
        string folder = Folder();
        var (exit, stdout, stderr) = Gnk.Run([.. Tiny, "--out", folder]);
        Assert.True(exit == 0, stderr);
        string[] rows = File.ReadAllLines(Path.Combine(folder, "cells.csv"));
        Assert.Equal(1 + 18, rows.Length);
        Assert.Equal(18, rows.Skip(1).Select(r => string.Join(',', r.Split(',')[..4])).Distinct().Count()); // each cell once
        foreach (string file in new[] { "test-loss-vs-tau0.png", "test-loss-vs-n.png", "curves-tau0=1.png", "curves-tau0=10.png", "test-loss.csv", "rates.csv", "sweep.json" })
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        Assert.True(File.Exists(Path.Combine(folder, "cells", "tau0=1_n=40_seed=1", "gd.csv")));
        Assert.Contains("[18/18]", stdout);
        Assert.Contains("rate α", stdout);

        var (again, againOut, againErr) = Gnk.Run([.. Tiny, "--out", folder]);
        Assert.True(again == 0, againErr);
        Assert.Contains("18 already in", againOut);
        Assert.DoesNotContain("[1/18]", againOut);
        Assert.Equal(rows, File.ReadAllLines(Path.Combine(folder, "cells.csv")));
    }

    [Fact]
    public void A_partly_finished_sweep_runs_only_its_missing_cells()
    {
        string folder = Folder();
        Assert.Equal(0, Gnk.Run([.. Tiny, "--out", folder]).Exit);
        string cells = Path.Combine(folder, "cells.csv");
        string[] rows = File.ReadAllLines(cells);
        File.WriteAllLines(cells, rows[..^5]); // as if interrupted five runs before the end

        var (exit, stdout, stderr) = Gnk.Run([.. Tiny, "--out", folder]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("13 already in", stdout);
        Assert.Contains("[14/18]", stdout);
        Assert.Equal(19, File.ReadAllLines(cells).Length);
        // Deterministic runs: GN and RF cells come back with the same losses (GD's are cut by a time limit).
        var before = rows[^5..].Where(r => !r.Contains(",gd,")).Select(r => r.Split(',')).Select(f => (string.Join(',', f[..4]), f[^1])).ToHashSet();
        var after = File.ReadAllLines(cells)[^5..].Select(r => r.Split(',')).Select(f => (string.Join(',', f[..4]), f[^1])).ToHashSet();
        Assert.Subset(after, before);
    }

    [Fact]
    public void A_damaged_row_is_named_with_its_line_and_the_fix()
    {
        string folder = Folder();
        Assert.Equal(0, Gnk.Run([.. Tiny, "--out", folder]).Exit);
        string cells = Path.Combine(folder, "cells.csv");
        string[] rows = File.ReadAllLines(cells);
        File.WriteAllLines(cells, [.. rows[..^1], rows[^1][..(rows[^1].Length / 2)]]); // as if the writer died mid-row
        var (exit, _, stderr) = Gnk.Run([.. Tiny, "--out", folder]);
        Assert.Equal(2, exit);
        Assert.Contains($"line {rows.Length}", stderr);
        Assert.Contains("delete that line", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void More_seeds_add_cells_but_other_settings_are_refused()
    {
        string folder = Folder();
        Assert.Equal(0, Gnk.Run([.. Tiny, "--out", folder]).Exit);
        var (exit, _, stderr) = Gnk.Run([.. Tiny.Select(a => a == "30" ? "31" : a), "--out", folder]);
        Assert.Equal(2, exit);
        Assert.Contains("holds a sweep with other settings", stderr);
        Assert.Single(stderr.Trim().Split('\n'));

        var (more, stdout, moreErr) = Gnk.Run([.. Tiny.Select(a => a == "2" ? "3" : a), "--out", folder]);
        Assert.True(more == 0, moreErr);
        Assert.Contains("18 already in", stdout);
        Assert.Contains("[27/27]", stdout);
    }

    [Fact]
    public void Runs_in_parallel_give_the_same_results_as_one_at_a_time()
    {
        string parallel = Folder(), sequential = Folder();
        Assert.Equal(0, Gnk.Run([.. Tiny, "--parallel", "2", "--out", parallel]).Exit);
        Assert.Equal(0, Gnk.Run([.. Tiny, "--parallel", "1", "--out", sequential]).Exit);
        // GN and random features are deterministic; GD's runs end at a time limit, so only their presence is compared.
        static List<string> Rows(string folder) => [.. File.ReadAllLines(Path.Combine(folder, "cells.csv")).Skip(1)
            .Select(r => r.Split(',')).Select(f => f[2] == "gd" ? string.Join(',', f[..4]) : string.Join(',', f[..6].Concat(f[7..]))).Order()];
        Assert.Equal(Rows(sequential), Rows(parallel));
    }

    [Theory]
    [InlineData("--parallel", "99", "--parallel must lie in 1…")]
    [InlineData("--tau0", "1,x", "'x' is not one")]
    [InlineData("--n", "100,-5", "--n must be a positive number of samples")]
    [InlineData("--seeds", "1", "--seeds must be at least 2")]
    [InlineData("--methods", "gn,lm", "--methods takes gn, gd and rf")]
    [InlineData("--tau0", "1,1", "must not repeat")]
    public void Bad_input_is_one_line_and_exit_code_2(string option, string value, string expected)
    {
        var (exit, _, stderr) = Gnk.Run("sweep", option, value, "--out", Folder());
        Assert.Equal(2, exit);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
