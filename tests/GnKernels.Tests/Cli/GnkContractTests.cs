using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Cli;

/// <summary>The CLI's contract with its user, through the real process: exit codes, one-line errors, files that survive.</summary>
public class GnkContractTests
{
    private static string Folder(string name) => Directory.CreateTempSubdirectory($"gnk-{name}-").FullName;

    private static string Csv(string name, string text)
    {
        string path = Path.Combine(Folder("csv"), name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Diabetes => Path.Combine(AppContext.BaseDirectory, "diabetes.csv");

    public static TheoryData<string[], string, int, string> BadInputs
    {
        get
        {
            string ragged = Csv("ragged.csv", "a,b,y\n1,2,3\n4,5\n");
            string text = Csv("text.csv", "a,b,y\n1,2,3\n4,five,6\n");
            string nan = Csv("nan.csv", "a,b,y\n1,2,3\n4,NaN,6\n");
            return new()
            {
                { ["train", "--tau0", "Infinity"], "", 2, "--tau0" },
                { ["train", "--tau0", "1e300"], "", 2, "--tau0" },
                { ["train", "--lr", "Infinity"], "", 2, "--lr" },
                { ["train", "--max-time", "1e300"], "", 2, "--max-time" },
                { ["train", "--threads", "1000"], "", 2, "--threads" },
                { ["train", "--n", "abc"], "", 2, "--help" },
                { ["train", "--solver", "nystrom", "--rank", "-1"], "", 2, "--rank must be ≥ 0" },
                { ["train", "--cg-tol", "2"], "", 2, "--cg-tol must lie in (0, 1)" },
                { ["train", "--damping-floor", "0"], "", 2, "--damping-floor must be finite and > 0" },
                { ["train", "--memory-budget", "0"], "", 2, "--memory-budget must be finite and > 0" },
                { ["train", "--memory-budget", "NaN"], "", 2, "--memory-budget must be finite and > 0" },
                { ["train", "--solver", "mixed", "--n", "60000", "--m", "100", "--memory-budget", "4"], "", 2, "their float32 copies" },
                { ["train", "--solver", "nystrom", "--n", "100000", "--m", "100", "--memory-budget", "0.05"], "", 2, "the N×512 basis and those rows' 512 columns" },
                { ["train", "--n", "300000", "--m", "100"], "", 2, "or --solver nystrom (no N×N matrix)" },
                { ["train", "--bogus"], "", 2, "--help" },
                { ["train", "--method", "newton"], "", 2, "'gn' 'lm'" },
                { ["info"], "GNKERNELS_ISA=bogus", 2, "GNKERNELS_ISA" },
                { ["info"], "GNKERNELS_OPENBLAS=libm.so.6", 3, "not OpenBLAS" },
                { ["train", "--data", "/nonexistent/data.csv"], "", 2, "no such file" },
                { ["train", "--data", ragged], "", 2, "line 3 has 2 column(s)" },
                { ["train", "--data", text], "", 2, "line 3, column 'b': 'five' is not a number" },
                { ["train", "--data", nan], "", 2, "line 3, column 'b': NaN is not finite" },
                { ["train", "--data", ragged, "--target", "zz"], "", 2, "no target column 'zz'" },
                { ["predict", "--model", "/nonexistent/m.json", "--data", ragged], "", 2, "no such file" },
            };
        }
    }

    [Theory, MemberData(nameof(BadInputs))]
    public void A_bad_input_ends_with_its_exit_code_and_one_line(string[] args, string environment, int exitCode, string expected)
    {
        var env = environment.Length == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { [environment.Split('=')[0]] = environment.Split('=')[1] };
        var (exit, _, stderr) = Gnk.Run(env, args[0] == "train" ? [.. args, "--out", Folder("bad")] : args);
        Assert.True(exitCode == exit, $"exit {exit}, stderr: {stderr}");
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("gnk: ", stderr);
    }

    [Fact]
    public void Training_on_a_csv_then_predicting_with_the_saved_model_reproduces_the_predictions_exactly()
    {
        string dir = Folder("diabetes"), model = Path.Combine(dir, "model.json"), predictions = Path.Combine(dir, "again.csv");
        var (exit, stdout, stderr) = Gnk.Run("train", "--data", Diabetes, "--m", "200", "--max-iter", "20", "--save", model, "--out", dir);
        Assert.True(exit == 0, stderr);
        Assert.Contains("442 rows, 10 features", stdout);
        (exit, _, stderr) = Gnk.Run("predict", "--model", model, "--data", Diabetes, "--out", predictions);
        Assert.True(exit == 0, stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "predictions.csv")), File.ReadAllBytes(predictions));
        Assert.Equal(443, File.ReadAllLines(predictions).Length);

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.Equal("gn", (string)summary["method"]!);
        Assert.True((double)summary["finalTrainLoss"]! < (double)summary["initialTrainLoss"]!);
        Assert.Contains("CPU", (string)summary["platform"]!);
    }

    /// <summary>An .npy file as numpy.save writes it (format 1.0, C order), float64 or float32.</summary>
    private static string Npy(double[,] values, bool single)
    {
        int rows = values.GetLength(0), cols = values.GetLength(1);
        string dict = $"{{'descr': '{(single ? "<f4" : "<f8")}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}";
        int total = (10 + dict.Length + 1 + 63) / 64 * 64;
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([1, 0, (byte)((total - 10) & 0xFF), (byte)((total - 10) >> 8)]);
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(dict.PadRight(total - 11) + "\n"));
        foreach (double v in values) bytes.AddRange(single ? BitConverter.GetBytes((float)v) : BitConverter.GetBytes(v));
        string path = Path.Combine(Folder("npy"), single ? "data32.npy" : "data64.npy");
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_npy_file_trains_and_predicts_like_its_csv(bool single)
    {
        var rng = new Random(3);
        var table = new double[80, 4];
        for (int i = 0; i < 80; i++)
        {
            for (int j = 0; j < 3; j++) table[i, j] = Math.Round(rng.NextDouble() * 4 - 2, 3);
            table[i, 3] = Math.Sin(table[i, 0]) + table[i, 1] * table[i, 2];
        }
        string npy = Npy(table, single), dir = Folder("npy-run"), model = Path.Combine(dir, "m.json");
        var (exit, stdout, stderr) = Gnk.Run("train", "--data", npy, "--m", "50", "--max-iter", "5", "--save", model, "--out", dir);
        Assert.True(exit == 0, stderr);
        Assert.Contains("80 rows, 3 features (x0, x1, x2), target 'x3'", stdout);
        (exit, _, stderr) = Gnk.Run("predict", "--model", model, "--data", npy, "--out", Path.Combine(dir, "again.csv"));
        Assert.True(exit == 0, stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "predictions.csv")), File.ReadAllBytes(Path.Combine(dir, "again.csv")));

        var wide = new double[2, 6];
        (exit, _, stderr) = Gnk.Run("predict", "--model", model, "--data", Npy(wide, single), "--out", Path.Combine(dir, "bad.csv"));
        Assert.Equal(2, exit);
        Assert.Contains("the array has 6 columns; the model takes 3 features", stderr);
    }

    [Fact]
    public void A_model_from_a_future_format_or_the_wrong_size_is_refused_by_name()
    {
        string dir = Folder("model"), model = Path.Combine(dir, "model.json");
        Assert.Equal(0, Gnk.Run("train", "--data", Diabetes, "--m", "20", "--max-iter", "2", "--save", model, "--out", dir).Exit);
        var json = JsonNode.Parse(File.ReadAllText(model))!;
        json["version"] = 99;
        File.WriteAllText(model, json.ToJsonString());
        var (exit, _, stderr) = Gnk.Run("predict", "--model", model, "--data", Diabetes, "--out", Path.Combine(dir, "p.csv"));
        Assert.Equal(2, exit);
        Assert.Contains("format version 99", stderr);

        json["version"] = 1;
        json["weightCount"] = 7;
        File.WriteAllText(model, json.ToJsonString());
        (exit, _, stderr) = Gnk.Run("predict", "--model", model, "--data", Diabetes, "--out", Path.Combine(dir, "p.csv"));
        Assert.Equal(2, exit);
        Assert.Contains("weights", stderr);

        string narrow = Csv("narrow.csv", "age,sex\n1,2\n");
        json["weightCount"] = 20 * 11;
        File.WriteAllText(model, json.ToJsonString());
        (exit, _, stderr) = Gnk.Run("predict", "--model", model, "--data", narrow, "--out", Path.Combine(dir, "p.csv"));
        Assert.Equal(2, exit);
        Assert.Contains("needs column 'bmi'", stderr);
    }

    [Fact]
    public void A_second_run_into_a_folder_in_use_is_refused()
    {
        string dir = Folder("locked");
        using (new FileStream(Path.Combine(dir, ".gnk.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var (exit, _, stderr) = Gnk.Run("train", "--n", "20", "--m", "20", "--out", dir);
            Assert.Equal(2, exit);
            Assert.Contains("another gnk run is writing", stderr);
        }
        Assert.Equal(0, Gnk.Run("train", "--n", "20", "--m", "20", "--test", "0", "--out", dir).Exit);
    }

    [Theory]
    [InlineData("200", "backtracking", "solver auto: exact")]
    [InlineData("600", "backtracking", "solver auto: exact")]
    [InlineData("600", "fixed", "solver auto: pcg (Arbel's fixed step")]
    [InlineData("30000", "fixed", "solver auto: nystrom")]
    public void Solver_auto_takes_a_dense_step_where_its_matrices_fit_and_nystrom_where_not(string n, string step, string expected)
    {
        // A 4 GiB heap limit makes the choice the same on every machine: N = 30,000 needs 13 GiB for the exact step.
        var limit = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x100000000" };
        var (exit, stdout, stderr) = Gnk.Run(limit, "train", "--solver", "auto", "--n", n, "--m", "20", "--max-iter", "1", "--test", "0",
            "--step", step, "--out", Folder("auto-" + n + step));
        Assert.True(exit == 0, stderr);
        Assert.Contains(expected, stdout);
    }

    // Storing all 9000 rows of Φ, E and the row panel would take 47 MB of a 43 MB budget: 4096 rows at a time fit.
    [Fact]
    public void Nystrom_recomputes_its_activations_where_storing_them_would_exceed_the_budget()
    {
        var (exit, stdout, stderr) = Gnk.Run("train", "--solver", "nystrom", "--rank", "16", "--n", "9000", "--m", "200", "--d", "3", "--memory-budget", "0.04",
            "--cg-tol", "1e-2", "--step", "fixed", "--max-iter", "2", "--test", "0", "--out", Folder("budget"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("activations recomputed 4096 rows at a time", stdout);

        var (tooSmall, _, message) = Gnk.Run("train", "--solver", "nystrom", "--n", "9000", "--m", "200", "--memory-budget", "0.001", "--out", Folder("budget-small"));
        Assert.Equal(2, tooSmall);
        Assert.Contains("a larger --memory-budget", message);
        Assert.Single(message.Trim().Split('\n'));
    }

    // N = 20,000, M = 2000 in 0.75 GiB: at k = 512 all rows would need 0.86 GB, so the activations are recomputed, and
    // k = 1024 with one block of rows held takes 0.37 GB, under three quarters of the budget: --rank 0 picks 1024. A
    // budget of 0.45 GiB leaves k = 1024 too little (0.37 GB > 0.36 GB), and a given --rank is kept.
    [Theory]
    [InlineData("0", "0.75", 1024)]
    [InlineData("0", "0.45", 512)]
    [InlineData("512", "0.75", 512)]
    public void Nystrom_rank_0_takes_1024_where_recomputing_and_it_fits(string rank, string budget, int expected)
    {
        var (exit, stdout, stderr) = Gnk.Run("train", "--solver", "nystrom", "--rank", rank, "--n", "20000", "--m", "2000", "--d", "3",
            "--memory-budget", budget, "--cg-tol", "1e-2", "--step", "fixed", "--max-iter", "1", "--test", "0", "--out", Folder("rank-" + rank + "-" + budget));
        Assert.True(exit == 0, stderr);
        Assert.Contains("activations recomputed", stdout);
        Assert.Contains($"Nyström rank k = {expected}", stdout);
    }

    // ε₀ far above this small NTK's λ_min: Arbel's ε = max(ε₀, λ_min) is ε₀ at every step, in the CSV.
    [Theory]
    [InlineData("exact")]
    [InlineData("pcg")]
    [InlineData("nystrom")]
    public void The_damping_floor_reaches_every_step(string solver)
    {
        string folder = Folder("floor-" + solver);
        var (exit, _, stderr) = Gnk.Run("train", "--solver", solver, "--damping-floor", "0.25", "--n", "40", "--m", "30", "--step", "fixed",
            "--max-iter", "3", "--test", "0", "--out", folder);
        Assert.True(exit == 0, stderr);
        var lines = File.ReadAllLines(Path.Combine(folder, "gn.csv"));
        int column = Array.IndexOf(lines[0].Split(','), "damping");
        Assert.Equal([0.25, 0.25, 0.25], lines.Skip(2).Select(l => double.Parse(l.Split(',')[column], CultureInfo.InvariantCulture)).ToArray());
    }

    [Fact]
    public void An_option_the_method_does_not_use_is_named()
    {
        var (exit, _, stderr) = Gnk.Run("train", "--method", "lm", "--lr", "5", "--n", "20", "--m", "20", "--test", "0", "--max-iter", "2", "--out", Folder("ignored"));
        Assert.Equal(0, exit);
        Assert.Contains("warning: --lr is not used by LevenbergMarquardt", stderr);
    }

    // LM and GGN-SCORE take exact or pcg: pcg runs (its CG iterations in the CSV), nystrom is named and not used.
    [Fact]
    public void Lm_and_ggn_score_take_pcg_and_name_the_solvers_they_do_not_take()
    {
        string folder = Folder("ggn-pcg");
        var (exit, _, stderr) = Gnk.Run("train", "--method", "ggn-score", "--solver", "pcg", "--cg-tol", "1e-8", "--n", "40", "--m", "30",
            "--max-iter", "6", "--test", "0", "--out", folder);
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("warning", stderr);
        var lines = File.ReadAllLines(Path.Combine(folder, "ggn-score.csv"));
        int column = Array.IndexOf(lines[0].Split(','), "cg_iterations");
        Assert.Contains(lines.Skip(2), l => int.Parse(l.Split(',')[column], CultureInfo.InvariantCulture) > 0);

        (exit, _, stderr) = Gnk.Run("train", "--method", "lm", "--solver", "nystrom", "--cg-tol", "1e-8", "--n", "20", "--m", "20", "--test", "0",
            "--max-iter", "2", "--out", Folder("lm-nystrom"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("warning: --solver nystrom is not used by LevenbergMarquardt (it takes exact or pcg)", stderr);
        Assert.Contains("warning: --cg-tol is not used by LevenbergMarquardt without --solver pcg", stderr);
    }

    [Fact]
    public void The_version_is_the_package_version()
    {
        var (exit, stdout, _) = Gnk.Run("--version");
        Assert.Equal(0, exit);
        Assert.StartsWith(typeof(Platform).Assembly.GetName().Version!.ToString(3), stdout.Trim());
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_signal_ends_the_run_with_its_files_written(string signal, int exitCode)
    {
        string dir = Folder("signal");
        using var gnk = Gnk.Start(new Dictionary<string, string>(),
            "train", "--step", "fixed", "--n", "300", "--m", "2000", "--test", "200", "--max-iter", "100000", "--tol", "0", "--out", dir);
        var stderr = gnk.StandardError.ReadToEndAsync();
        string rest;
        try
        {
            var clock = Stopwatch.StartNew();
            int iterations = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && gnk.StandardOutput.ReadLine() is { } line)
                if (line.StartsWith("gn: iteration", StringComparison.Ordinal) && ++iterations == 2) break;
            Assert.Equal(2, iterations);
            Process.Start("kill", ["-" + signal, gnk.Id.ToString()])!.WaitForExit();
            // Bounded: a process that ignores the signal (as one started with SIGINT ignored does) must fail the test, not hang it.
            rest = await gnk.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(gnk.WaitForExit(60_000), "gnk did not end after the signal");
        }
        finally
        {
            if (!gnk.HasExited) gnk.Kill(entireProcessTree: true); // a failed test must not leave a 100,000-step run behind
        }
        string errors = await stderr;
        Assert.True(exitCode == gnk.ExitCode, $"exit {gnk.ExitCode}: {errors}");
        Assert.Contains($"interrupted by SIG{signal}", errors);

        string[] csv = File.ReadAllLines(Path.Combine(dir, "gn.csv"));
        Assert.StartsWith("iteration,train_loss", csv[0]);
        Assert.True(csv.Length >= 3, $"{csv.Length} lines");
        Assert.True(new FileInfo(Path.Combine(dir, "loss.png")).Length > 1000);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.Equal("Interrupted", (string)summary["status"]!);
        Assert.Equal(csv.Length - 2, (int)summary["iterations"]!);
        Assert.Contains("wrote", rest);
    }
}
