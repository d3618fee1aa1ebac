using System.Numerics.Tensors;

namespace GnKernels.Solvers;

/// <summary>
/// Stochastic gradient descent with optional heavy-ball momentum μ: b ← μ·b + g, w ← w − η·b (plain steps for μ = 0).
/// </summary>
public sealed class Sgd
{
    private readonly double[] _velocity;

    /// <summary>State for <paramref name="parameters"/> parameters.</summary>
    public Sgd(int parameters, double learningRate, double momentum = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parameters, 1);
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            Guard.ThrowArgument(nameof(learningRate), $"the learning rate must be finite and > 0; it is {learningRate}.");
        if (!(momentum >= 0 && momentum < 1)) Guard.ThrowArgument(nameof(momentum), $"momentum must lie in [0, 1); it is {momentum}.");
        _velocity = new double[parameters];
        (LearningRate, Momentum) = (learningRate, momentum);
    }

    /// <summary>η.</summary>
    public double LearningRate { get; }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>One step on <paramref name="w"/> with the gradient <paramref name="gradient"/> at w.</summary>
    public void Step(Span<double> w, ReadOnlySpan<double> gradient)
    {
        Guard.Length(w.Length, _velocity.Length, nameof(w), $"the {_velocity.Length} parameters this optimizer was made for");
        Guard.Length(gradient.Length, _velocity.Length, nameof(gradient), $"the {_velocity.Length} parameters this optimizer was made for");
        Guard.Finite(gradient, nameof(gradient));
        TensorPrimitives.MultiplyAdd(_velocity, Momentum, gradient, _velocity);
        TensorPrimitives.MultiplyAdd(_velocity, -LearningRate, w, w);
    }
}
