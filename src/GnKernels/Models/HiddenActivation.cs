using GnKernels.Simd;

namespace GnKernels.Models;

/// <summary>The nonlinearity inside each coupling half-layer of a <see cref="ReversibleMlp"/>.</summary>
public enum HiddenActivation
{
    /// <summary>silu(z) = z·σ(z), through the package's vectorized kernels.</summary>
    Silu,

    /// <summary>max(z, 0), as in Buffelli et al.'s experiments; its derivative at 0 is taken as 0.</summary>
    Relu,
}

/// <summary>Applies a <see cref="HiddenActivation"/> with its derivative, span by span.</summary>
internal static class HiddenActivations
{
    public static void Apply(HiddenActivation activation, ReadOnlySpan<double> z, Span<double> value, Span<double> derivative)
    {
        if (activation == HiddenActivation.Silu)
        {
            if (derivative.IsEmpty) SiluKernels.Silu(z, value);
            else SiluKernels.SiluWithDerivative(z, value, derivative);
            return;
        }
        bool withDerivative = !derivative.IsEmpty;
        for (int i = 0; i < z.Length; i++)
        {
            double zi = z[i];
            value[i] = zi > 0 ? zi : 0;
            if (withDerivative) derivative[i] = zi > 0 ? 1 : 0;
        }
    }
}
