using System.Numerics.Tensors;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// GGN-SCORE (Adeoye et al.) with the pseudo-Huber regularizer h(t) = √(μ² + t²) − μ: b = K⁻¹[(f − y) − τ·J·H⁻¹·∇h],
/// K = J·H⁻¹·Jᵀ + N·I, d = −H⁻¹(Jᵀb + τ∇h), w ← w + α·d with the step rule of the authors' released code:
/// α = min(1, s/(1 + M_g·η)), η = ‖τ∇h‖ in the metric H⁻¹, s = min(1/L, 1) for a constant L (0.5 without one).
/// The weighted kernel J·H⁻¹·Jᵀ has no Hadamard form (H⁻¹ differs per input weight), so assembling it costs N²P
/// flops; with <see cref="GaussNewtonSolver.Pcg"/> K·p is applied matrix-free and CG is preconditioned by an earlier
/// step's factor (<see cref="ReusedFactorSolver"/>).
/// </summary>
internal sealed class GgnScoreMethod(StepContext context) : IStepMethod
{
    private readonly ReusedFactorSolver _solver = new(context, StepForm.Kernel);
    private readonly double[] _hInverse = new double[context.P], _dh = new double[context.P], _q = new double[context.P];
    private readonly double[] _step = new double[context.P], _rhs = new double[context.N];
    private readonly double _mu = context.Options.GgnMu ?? Math.Sqrt(context.Model is TwoLayerSiluRegression r ? r.Network.Width : context.P);
    private readonly double _baseStep = context.Options.GgnLipschitz is { } l ? Math.Min(1 / l, 1) : 0.5;

    public ReadOnlySpan<double> SolveVector => _solver.SolveVector;

    public StepOutcome Step(StepContext c, int k)
    {
        double tau = c.Options.GgnTau, mu = _mu;
        var clock = PhaseClock.Start();
        _solver.MoveTo();
        double etaSquared = 0;
        for (int i = 0; i < c.W.Length; i++)
        {
            double r2 = mu * mu + c.W[i] * c.W[i], root = Math.Sqrt(r2);
            double h1 = c.W[i] / root, h2 = mu * mu / (r2 * root);
            _dh[i] = h1;
            _hInverse[i] = 1 / (c.Options.GgnTextbookMetric ? tau * h2 : h2);
            etaSquared += h1 * h1 * _hInverse[i];
        }

        TensorPrimitives.Multiply(_hInverse, _dh, _q);                 // q = H⁻¹∇h
        c.Jacobian.Multiply(_q, _rhs);                                  // J·q
        TensorPrimitives.MultiplyAdd(_rhs, -tau, c.Residual, _rhs);     // r − τ·J·q
        var diagnostics = _solver.Solve(c.Jacobian, _hInverse, c.N, _rhs, _step, k); // step = −H⁻¹Jᵀb
        TensorPrimitives.MultiplyAdd(_q, -tau, _step, _step);
        double solve = clock.Lap();
        _solver.Finish();

        // η = ‖τ∇h‖ in the metric the step uses, H⁻¹ (the authors' code: η = √(λ∇hᵀ·H⁻¹·λ∇h)); with the textbook
        // H = τ·h'' that is √τ·‖∇h‖, the dual local norm of the regularizer τ·h that the step-size theory is about.
        double eta = tau * Math.Sqrt(etaSquared);
        double mg = 2 * Math.Pow(c.W.Length, 0.2) * Math.Pow(mu, -0.7);
        double alpha = Math.Min(1, _baseStep / (1 + mg * eta));
        double gradientNorm = c.GradientNorm();
        clock.Lap();
        TensorPrimitives.MultiplyAdd(_step, alpha, c.W, c.W);
        return new(new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, StepNorm = alpha * TensorPrimitives.Norm<double>(_step), Damping = diagnostics.Damping,
            StepSize = alpha, Retries = diagnostics.Retries + _solver.Fallbacks, NtkSeconds = _solver.AssemblySeconds,
            SolveSeconds = solve - _solver.AssemblySeconds, LinearIterations = _solver.Iterations, PreconditionerRefreshed = _solver.Refreshed,
            UpdateSeconds = clock.Lap(),
        });
    }

    public void Dispose() => _solver.Dispose();
}
