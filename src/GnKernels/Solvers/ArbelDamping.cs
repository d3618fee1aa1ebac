namespace GnKernels.Solvers;

/// <summary>The damping of Arbel et al. (2023): ε = max(ε₀, λ_min(A)), ε₀ = 1e-7 guarding against round-off.</summary>
public static class ArbelDamping
{
    /// <summary>The paper's ε₀.</summary>
    public const double DefaultFloor = 1e-7;

    /// <summary>max(ε₀, λ_min).</summary>
    public static double Choose(double smallestEigenvalue, double floor = DefaultFloor) => Math.Max(floor, smallestEigenvalue);
}
