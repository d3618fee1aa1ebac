using GnKernels.Cli.Sweep;

namespace GnKernels.Tests.Cli;

public class SweepStatisticsTests
{
    [Fact]
    public void The_band_is_the_geometric_mean_with_a_t_interval_in_log10()
    {
        // log10 values −3, −2, −1: mean −2, sd 1, t(0.975, 2) = 4.302653, half-width 4.302653/√3.
        var band = SweepStatistics.Band([1e-3, 1e-2, 1e-1]);
        double half = 4.302652729911275 / Math.Sqrt(3);
        Assert.Equal(1e-2, band.Mean, 1e-15);
        Assert.Equal(Math.Pow(10, -2 - half), band.Low, 1e-12);
        Assert.Equal(Math.Pow(10, -2 + half), band.High, 1e-6);
        Assert.Equal(3, band.Count);
    }

    [Fact]
    public void Non_positive_and_non_finite_losses_are_left_out_and_one_run_has_no_interval()
    {
        var band = SweepStatistics.Band([0.5, 0, double.NaN, double.PositiveInfinity]);
        Assert.Equal(1, band.Count);
        Assert.Equal(0.5, band.Mean, 1e-15);
        Assert.True(double.IsNaN(band.Low) && double.IsNaN(band.High));
        Assert.Equal(0, SweepStatistics.Band([]).Count);
    }

    [Fact]
    public void An_exact_power_law_gives_its_rate_with_a_zero_width_interval()
    {
        var runs = new[] { 100, 200, 400, 800 }.SelectMany(n => new[] { (n, 3.0 * Math.Pow(n, -1.76)), (n, 3.0 * Math.Pow(n, -1.76)) }).ToList();
        var fit = SweepStatistics.Rate(runs);
        Assert.Equal(1.76, fit.Alpha, 1e-12);
        Assert.Equal(fit.Alpha, fit.Low, 1e-6);
        Assert.Equal(fit.Alpha, fit.High, 1e-6);
        Assert.Equal(8, fit.Count);
    }

    [Fact]
    public void The_rate_interval_widens_with_scatter_and_covers_the_true_rate()
    {
        var random = new Random(5);
        var runs = new List<(int, double)>();
        foreach (int n in new[] { 100, 200, 400, 800 })
            for (int seed = 0; seed < 5; seed++)
                runs.Add((n, Math.Pow(n, -2) * Math.Exp(0.3 * (random.NextDouble() - 0.5))));
        var fit = SweepStatistics.Rate(runs);
        Assert.InRange(2.0, fit.Low, fit.High);
        Assert.True(fit.High - fit.Low > 0.01);
    }

    [Fact]
    public void One_N_or_fewer_than_three_runs_gives_no_rate()
    {
        Assert.True(double.IsNaN(SweepStatistics.Rate([(100, 1e-2), (100, 2e-2), (100, 3e-2)]).Alpha));
        Assert.True(double.IsNaN(SweepStatistics.Rate([(100, 1e-2), (200, 2e-3)]).Alpha));
    }
}
