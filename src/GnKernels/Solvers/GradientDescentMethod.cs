using System.Numerics.Tensors;

namespace GnKernels.Solvers;

/// <summary>
/// Gradient descent w ← w − η·∇L: η = λ/L̂ with L̂ = λ_max(JJᵀ)/N at the start (<see cref="GradientStepRule.Normalized"/>,
/// λ = 1) or η = λ (<see cref="GradientStepRule.Literal"/>, λ = 10, Arbel et al.'s).
/// </summary>
internal sealed class GradientDescentMethod(StepContext context) : IStepMethod
{
    private readonly double[] _power = new double[context.P], _image = new double[context.N];
    private double _eta = double.NaN;

    public ReadOnlySpan<double> SolveVector => default;

    public StepOutcome Step(StepContext c, int k)
    {
        var clock = PhaseClock.Start();
        if (double.IsNaN(_eta))
            _eta = c.Options.GradientDescentStep == GradientStepRule.Literal
                ? c.Options.LearningRate ?? 10
                : (c.Options.LearningRate ?? 1) * c.N / LargestNtkEigenvalue(c);
        double gradientNorm = c.GradientNorm();
        TensorPrimitives.MultiplyAdd(c.Gradient, -_eta, c.W, c.W);
        return new(new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, StepNorm = _eta * gradientNorm, StepSize = _eta, SolveSeconds = clock.Lap(),
        });
    }

    /// <summary>λ_max(JJᵀ) by power iteration on JᵀJ with matrix-free products (30 steps suffice for a step size).</summary>
    private double LargestNtkEigenvalue(StepContext c)
    {
        var rng = new Random(7);
        Span<double> v = _power;
        for (int i = 0; i < v.Length; i++) v[i] = rng.NextDouble() - 0.5;
        double lambda = 0;
        for (int it = 0; it < 30; it++)
        {
            TensorPrimitives.Divide(v, TensorPrimitives.Norm<double>(v), v);
            c.Jacobian.Multiply(v, _image);
            c.Jacobian.MultiplyTransposed(_image, v);
            lambda = TensorPrimitives.Norm<double>(v);
        }
        return Math.Max(lambda, double.Epsilon);
    }

    public void Dispose() { }
}
