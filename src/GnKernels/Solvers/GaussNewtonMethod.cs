using System.Numerics.Tensors;

namespace GnKernels.Solvers;

/// <summary>
/// Gauss-Newton: a direction δw = −Jᵀ(A + εI)⁻¹r (kernel form; −(JᵀJ + εI)⁻¹Jᵀr in the parameter form) from the
/// strategy <see cref="TrainingOptions.LinearSolver"/> names (<see cref="ExactDirection"/>, <see cref="PcgDirection"/>,
/// <see cref="MixedPrecisionDirection"/>, <see cref="NystromDirection"/>, <see cref="CgDirection"/>), each with Arbel's damping ε = max(ε₀,
/// λ_min(A)) as far as it can tell (or a fixed or scheduled ε); then either a backtracking line search from α₀ = λ/N
/// (<see cref="GaussNewtonStepRule.Backtracking"/>, λ = N by default: the full step, halved until the loss falls by
/// Armijo's rule) or Arbel et al.'s fixed step w ← w + (λ/N)·δw (<see cref="GaussNewtonStepRule.Fixed"/>, λ = 10).
/// </summary>
internal sealed class GaussNewtonMethod(StepContext context) : IStepMethod
{
    /// <summary>Armijo's sufficient-decrease constant and the number of halvings before the step counts as stalled.</summary>
    private const double Armijo = 1e-4;
    private const int MaxHalvings = 40;

    private readonly IGaussNewtonDirection _directions = context.Options.LinearSolver switch
    {
        GaussNewtonSolver.Pcg => new PcgDirection(context),
        GaussNewtonSolver.Mixed => new MixedPrecisionDirection(context),
        GaussNewtonSolver.Nystrom => new NystromDirection(context),
        GaussNewtonSolver.Cg => new CgDirection(context),
        _ => new ExactDirection(context),
    };
    private readonly double[] _direction = new double[context.P], _jd = new double[context.N];

    public ReadOnlySpan<double> SolveVector => _directions.SolveVector;

    public StepOutcome Step(StepContext c, int k)
    {
        var options = c.Options;
        var clock = PhaseClock.Start();
        var record = _directions.Compute(c, k, ref clock, _direction);
        bool fixedStep = options.GaussNewtonStep == GaussNewtonStepRule.Fixed;
        double alpha = (options.LearningRate ?? (fixedStep ? 10 : c.N)) / c.N;
        if (fixedStep)
        {
            TensorPrimitives.MultiplyAdd(_direction, alpha, c.W, c.W);
            return new(record with { StepSize = alpha * c.N, StepNorm = alpha * TensorPrimitives.Norm<double>(_direction), UpdateSeconds = clock.Lap() });
        }

        // Backtracking: L(w + αδ) ≤ L(w) + c·α·∇L·δ, with ∇L·δ = rᵀ(Jδ)/N < 0 for a damped GN direction.
        c.Jacobian.Multiply(_direction, _jd);
        double slope = TensorPrimitives.Dot<double>(c.Residual, _jd) / c.N;
        double forward = 0;
        int halvings = 0;
        for (; slope < 0 && halvings <= MaxHalvings; halvings++, alpha *= 0.5)
        {
            TensorPrimitives.MultiplyAdd(_direction, alpha, c.W, c.TrialW);
            clock.Lap();
            double trial = c.TrialLoss();
            forward += clock.Lap();
            if (trial <= c.Loss + Armijo * alpha * slope)
            {
                c.TrialW.CopyTo(c.W, 0);
                return new(record with
                {
                    StepSize = alpha * c.N, StepNorm = alpha * TensorPrimitives.Norm<double>(_direction), Retries = record.Retries + halvings,
                    ForwardSeconds = forward, UpdateSeconds = clock.Lap(),
                });
            }
        }
        return new(record with { StepNorm = 0, Accepted = false, Retries = record.Retries + halvings, ForwardSeconds = forward },
            StepEnd.Stalled,
            slope < 0
                ? $"iteration {k}: no step along the Gauss-Newton direction lowered the loss (α halved {MaxHalvings} times from λ/N); the loss is at its floor in double precision or the damping ε = {record.Damping:G3} is too small."
                : $"iteration {k}: the Gauss-Newton direction is not a descent direction (slope {slope:G3}); the Jacobian is inconsistent with the residuals.");
    }

    public void Dispose() => _directions.Dispose();
}
