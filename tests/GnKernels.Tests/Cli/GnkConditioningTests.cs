using GnKernels.Tests.Support;

namespace GnKernels.Tests.Cli;

/// <summary>`gnk conditioning` through the real process: Cayci's claim on a small family, and bad input.</summary>
public class GnkConditioningTests
{
    [Fact]
    public void Gauss_Newton_needs_the_same_iterations_whatever_the_conditioning_and_gradient_descent_more()
    {
        string folder = Directory.CreateTempSubdirectory("gnk-conditioning-").FullName;
        var (exit, stdout, stderr) = Gnk.Run("conditioning", "--spreads", "1,3", "--seeds", "1", "--n", "200", "--tol", "1e-8", "--out", folder);
        Assert.True(exit == 0, stderr);
        var rows = File.ReadAllLines(Path.Combine(folder, "runs.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal("Converged", r[4]));
        double Kappa(string spread) => double.Parse(rows.First(r => r[0] == spread)[2], System.Globalization.CultureInfo.InvariantCulture);
        int Iterations(string spread, string method) => int.Parse(rows.Single(r => r[0] == spread && r[3] == method)[5]);
        Assert.True(Kappa("3") > 3 * Kappa("1"), $"κ {Kappa("1")} → {Kappa("3")}");
        Assert.InRange(Math.Abs(Iterations("3", "gn") - Iterations("1", "gn")), 0, 2);
        Assert.True(Iterations("3", "gd") > 2 * Iterations("1", "gd"), $"gd {Iterations("1", "gd")} → {Iterations("3", "gd")}");
        Assert.True(Iterations("1", "gd") > 100 * Iterations("1", "gn"));
        Assert.True(File.Exists(Path.Combine(folder, "iterations-vs-kappa.png")));
        Assert.Contains("gn: iterations ∝ κ^", stdout);
    }

    [Theory]
    [InlineData("--m", "200", "under-parameterized regime")]
    [InlineData("--spreads", "1,x", "'x' is not one")]
    [InlineData("--spreads", "0.5", "[1, 1e6]")]
    [InlineData("--gn-step", "2", "--gn-step must lie in (0, 1]")]
    public void Bad_input_is_one_line_and_exit_code_2(string option, string value, string expected)
    {
        var (exit, _, stderr) = Gnk.Run("conditioning", option, value, "--out", Directory.CreateTempSubdirectory("gnk-conditioning-").FullName);
        Assert.Equal(2, exit);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
