using System.Globalization;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Cli;

/// <summary>`gnk reversible` through the real process, scaled down: the files, GN's speed in steps, and bad input.</summary>
public class GnkReversibleTests
{
    private static string Digits => Path.Combine(AppContext.BaseDirectory, "digits.csv");

    private static readonly string[] Small =
        ["reversible", "--data", Digits, "--test", "100", "--full-batch", "60", "--hidden", "80", "--batch", "40", "--epochs", "3",
         "--gn-iterations", "10", "--full-iterations", "100", "--probe", "4"];

    [Fact]
    public void Full_batch_Gauss_Newton_needs_far_fewer_steps_than_Adam_and_SGD()
    {
        string folder = Directory.CreateTempSubdirectory("gnk-reversible-").FullName;
        var (exit, stdout, stderr) = Gnk.Run([.. Small, "--out", folder]);
        Assert.True(exit == 0, stderr);
        var full = Rows(Path.Combine(folder, "full-batch.csv"));
        Assert.Equal(["gn", "adam", "sgd"], full.Select(r => r[0]).Distinct());
        int StepsToOnePercent(string optimizer)
        {
            var run = full.Where(r => r[0] == optimizer).ToList();
            double start = Value(run[0], 4);
            return run.FirstOrDefault(r => Value(r, 4) <= 0.01 * start) is { } hit ? int.Parse(hit[1], CultureInfo.InvariantCulture) : int.MaxValue;
        }
        Assert.True(StepsToOnePercent("gn") * 5 < StepsToOnePercent("adam"), $"gn {StepsToOnePercent("gn")} steps, adam {StepsToOnePercent("adam")}");
        Assert.True(StepsToOnePercent("gn") * 5 < StepsToOnePercent("sgd"), $"gn {StepsToOnePercent("gn")} steps, sgd {StepsToOnePercent("sgd")}");

        var mini = Rows(Path.Combine(folder, "minibatch.csv"));
        Assert.Equal(3 * 4, mini.Count);                                   // epochs 0…3 for each optimizer
        Assert.All(mini, r => Assert.InRange(Value(r, 8), -1e-12, 1 + 1e-12)); // CKA
        Assert.All(mini.Where(r => r[2] == "0"), r => Assert.Equal(0, Value(r, 7), 12)); // the NTK has not moved at the start
        foreach (string png in new[] { "full-batch.png", "minibatch.png", "laziness.png" }) Assert.True(File.Exists(Path.Combine(folder, png)), png);
        Assert.Contains("best test loss", stdout);
    }

    [Theory]
    [InlineData("--hidden", "30", "raise --hidden or lower --full-batch")]
    [InlineData("--activation", "tanh", "tanh")]
    [InlineData("--sgd-lr", "50", "sgd diverged at step")]
    [InlineData("--data", "no-such.csv", "no such file")]
    [InlineData("--damping", "-1", "--damping must lie in [0, 1e6]")]
    public void Bad_input_is_one_line_and_exit_code_2(string option, string value, string expected)
    {
        var args = Small.ToList();
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([option, value]);
        var (exit, _, stderr) = Gnk.Run([.. args, "--out", Directory.CreateTempSubdirectory("gnk-reversible-").FullName]);
        Assert.Equal(2, exit);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    private static List<string[]> Rows(string path) => File.ReadAllLines(path).Skip(1).Select(l => l.Split(',')).ToList();

    private static double Value(string[] row, int column) => double.Parse(row[column], CultureInfo.InvariantCulture);
}
