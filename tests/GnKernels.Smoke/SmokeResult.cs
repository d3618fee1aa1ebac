namespace GnKernels.Smoke;

/// <summary>What one run of the smoke checks computed, on one machine: the values the comparison reads.</summary>
public sealed record SmokeResult
{
    /// <summary>Platform.Describe() of the run: architecture, SIMD path and the OpenBLAS it loaded.</summary>
    public required string Platform { get; init; }
    public required double[] SiluInput { get; init; }
    public required double[] Silu { get; init; }
    public required double[] SiluDerivative { get; init; }
    public required float[] SiluFloat { get; init; }
    /// <summary>x of the damped Cholesky solve (A + εI)x = b.</summary>
    public required double[] CholeskySolution { get; init; }
    public required double CholeskyRelativeResidual { get; init; }
    public required double InitialLoss { get; init; }
    public required double LossAfterStep { get; init; }
    /// <summary>The parameters after one GN step.</summary>
    public required double[] ParametersAfterStep { get; init; }
    /// <summary>Self-checks that failed on this machine, each one line; empty when all passed.</summary>
    public required string[] Failures { get; init; }
}
