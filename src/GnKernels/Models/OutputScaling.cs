namespace GnKernels.Models;

/// <summary>The factor s in f(x) = s·Σᵢ vᵢ·silu(uᵢ·x + bᵢ).</summary>
public enum OutputScaling
{
    /// <summary>s = 1/M: the mean-field scaling of Arbel et al. (2023).</summary>
    MeanField,

    /// <summary>s = 1/√M: the neural-tangent-kernel scaling (GGN-SCORE's experiments).</summary>
    Ntk,
}
