using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// Random features: the hidden layer of a <see cref="TwoLayerSiluRegression"/> stays frozen and the output layer
/// takes the minimum-norm correction Δv = −J_vᵀ·K⁺·r, K = J_v·J_vᵀ = s²·Φ·Φᵀ, by the truncated pseudo-inverse. One
/// step interpolates when the features allow (M ≥ N); a second refines its rounding; then there is nothing more.
/// </summary>
internal sealed class RandomFeaturesMethod : IStepMethod
{
    private const double RelativeCutoff = 1e-12;
    private const int Steps = 2;

    private readonly TwoLayerSiluRegression _model;
    private readonly DenseMatrix<double> _kernel;
    private readonly double[] _z;

    public RandomFeaturesMethod(StepContext context)
    {
        _model = context.Model as TwoLayerSiluRegression ?? throw new ArgumentException(
            $"Random features train the output layer of a two-layer network; the model is a {context.Model.GetType().Name}. Pass a {nameof(TwoLayerSiluRegression)} or choose another method.",
            nameof(TrainingOptions.Method));
        _kernel = new DenseMatrix<double>(context.N, context.N);
        _z = new double[context.N];
    }

    public ReadOnlySpan<double> SolveVector => _z;

    public StepOutcome Step(StepContext c, int k)
    {
        if (k > Steps)
            return new(new IterationRecord { Iteration = k, Accepted = false }, StepEnd.Exhausted,
                "random features: the minimum-norm solution and one refinement are done; the features cannot fit the data further.");
        var clock = PhaseClock.Start();
        double s = _model.Network.Scale;
        DenseMatrix<double> phi = _model.Linearization.Activations;
        Blas.SyrkLower(s * s, phi, Transpose.None, 0.0, _kernel);
        double ntk = clock.Lap();

        var solution = SymmetricPseudoInverse.Solve(_kernel, c.Residual, _z, RelativeCutoff);
        double factor = clock.Lap();
        Span<double> v = _model.Network.OutputWeights(c.W);
        Blas.Gemv(-s, phi, Transpose.Transposed, _z, 1.0, v);
        return new(new IterationRecord
        {
            Iteration = k, NtkSeconds = ntk, FactorSeconds = factor, SolveSeconds = clock.Lap(), Damping = solution.Cutoff,
            LambdaMin = solution.SmallestEigenvalue, StepSize = solution.Rank,
        });
    }

    public void Dispose() => _kernel.Dispose();
}
