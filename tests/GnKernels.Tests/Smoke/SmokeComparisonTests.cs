using GnKernels.Smoke;

namespace GnKernels.Tests.Smoke;

// The cross-architecture comparison (build.cake, Arm64Smoke) must pass a run against itself here and fail each
// quantity that moves past its documented tolerance.
public class SmokeComparisonTests
{
    private static readonly Lazy<SmokeResult> s_here = new(SmokeChecks.Run);

    [Fact]
    public void The_self_checks_pass_here_and_a_run_matches_itself()
    {
        SmokeResult here = s_here.Value;
        Assert.Empty(here.Failures);
        Assert.All(SmokeComparison.Compare(here, here), line => Assert.True(line.Passed, $"{line.Quantity}: {line.Detail}"));
    }

    [Theory]
    [InlineData("silu (double)")]
    [InlineData("silu' (double)")]
    [InlineData("silu (float)")]
    [InlineData("Cholesky solution")]
    [InlineData("parameters after one GN step")]
    [InlineData("initial loss")]
    [InlineData("loss after one GN step")]
    public void A_difference_past_the_tolerance_fails_its_quantity(string quantity)
    {
        SmokeResult here = s_here.Value;
        SmokeResult moved = quantity switch
        {
            "silu (double)" => here with { Silu = Moved(here.Silu, 1200, v => v * (1 + 6 * Math.Pow(2, -52))) },
            "silu' (double)" => here with { SiluDerivative = Moved(here.SiluDerivative, 1500, v => v * (1 + 6 * Math.Pow(2, -52))) },
            "silu (float)" => here with { SiluFloat = [.. here.SiluFloat.Select((v, i) => i == 1500 ? v * (1 + 6 * MathF.Pow(2, -23)) : v)] },
            "Cholesky solution" => here with { CholeskySolution = Moved(here.CholeskySolution, 3, v => v * (1 + 1e-9)) },
            "parameters after one GN step" => here with { ParametersAfterStep = Moved(here.ParametersAfterStep, 0, v => v + 1e-6 * Norm(here.ParametersAfterStep)) },
            "initial loss" => here with { InitialLoss = here.InitialLoss * (1 + 1e-7) },
            _ => here with { LossAfterStep = here.LossAfterStep * (1 + 1e-7) },
        };
        var lines = SmokeComparison.Compare(here, moved);
        Assert.All(lines, line => Assert.Equal(line.Quantity != quantity, line.Passed));
    }

    [Fact]
    public void Results_of_different_inputs_are_not_compared()
    {
        SmokeResult here = s_here.Value;
        var line = Assert.Single(SmokeComparison.Compare(here, here with { SiluInput = Moved(here.SiluInput, 0, v => v + 1) }));
        Assert.False(line.Passed);
    }

    private static double[] Moved(double[] values, int index, Func<double, double> move)
    {
        double[] copy = (double[])values.Clone();
        copy[index] = move(copy[index]);
        return copy;
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));
}
