using System.Numerics.Tensors;

namespace GnKernels.Solvers;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) on a parameter vector: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², then
/// w ← w − η·m̂/(√v̂ + ε) with the bias-corrected m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ). The baseline Buffelli et al. compare
/// exact Gauss-Newton with; any model that gives a gradient can use it.
/// </summary>
public sealed class Adam
{
    private readonly double[] _first, _second;

    /// <summary>State for <paramref name="parameters"/> parameters with the usual defaults.</summary>
    public Adam(int parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parameters, 1);
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            Guard.ThrowArgument(nameof(learningRate), $"the learning rate must be finite and > 0; it is {learningRate}.");
        if (!(beta1 >= 0 && beta1 < 1)) Guard.ThrowArgument(nameof(beta1), $"beta1 must lie in [0, 1); it is {beta1}.");
        if (!(beta2 >= 0 && beta2 < 1)) Guard.ThrowArgument(nameof(beta2), $"beta2 must lie in [0, 1); it is {beta2}.");
        if (!(epsilon > 0) || double.IsInfinity(epsilon)) Guard.ThrowArgument(nameof(epsilon), $"epsilon must be finite and > 0; it is {epsilon}.");
        (_first, _second) = (new double[parameters], new double[parameters]);
        (LearningRate, Beta1, Beta2, Epsilon) = (learningRate, beta1, beta2, epsilon);
    }

    /// <summary>η.</summary>
    public double LearningRate { get; }

    /// <summary>β₁, the decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>β₂, the decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to √v̂.</summary>
    public double Epsilon { get; }

    /// <summary>Steps taken since construction or <see cref="Reset"/>.</summary>
    public int Steps { get; private set; }

    /// <summary>One step on <paramref name="w"/> with the gradient <paramref name="gradient"/> at w.</summary>
    public void Step(Span<double> w, ReadOnlySpan<double> gradient)
    {
        Guard.Length(w.Length, _first.Length, nameof(w), $"the {_first.Length} parameters this optimizer was made for");
        Guard.Length(gradient.Length, _first.Length, nameof(gradient), $"the {_first.Length} parameters this optimizer was made for");
        Guard.Finite(gradient, nameof(gradient));
        Steps++;
        double c1 = 1 - Math.Pow(Beta1, Steps), c2 = 1 - Math.Pow(Beta2, Steps);
        double b1 = Beta1, b2 = Beta2, rate = LearningRate / c1, eps = Epsilon, root = 1 / Math.Sqrt(c2);
        for (int i = 0; i < w.Length; i++)
        {
            double g = gradient[i];
            double m = _first[i] = b1 * _first[i] + (1 - b1) * g;
            double v = _second[i] = b2 * _second[i] + (1 - b2) * g * g;
            w[i] -= rate * m / (Math.Sqrt(v) * root + eps);
        }
    }

    /// <summary>Forgets the moments and the step count.</summary>
    public void Reset()
    {
        Steps = 0;
        Array.Clear(_first);
        Array.Clear(_second);
    }
}
