using System.Numerics.Tensors;
using GnKernels.Linalg;

namespace GnKernels.Solvers;

/// <summary>
/// Gauss-Newton with Arbel's damping ε = max(ε₀, λ_min(A)) (or a fixed ε): the direction δw = −Jᵀ(A + εI)⁻¹r in the
/// kernel form (−(JᵀJ + εI)⁻¹Jᵀr in the parameter form), then either a backtracking line search from α₀ = λ/N
/// (<see cref="GaussNewtonStepRule.Backtracking"/>, λ = N by default: the full step, halved until the loss falls
/// by Armijo's rule) or Arbel et al.'s fixed step w ← w + (λ/N)·δw (<see cref="GaussNewtonStepRule.Fixed"/>, λ = 10).
/// </summary>
internal sealed class GaussNewtonMethod(StepContext context) : IStepMethod
{
    /// <summary>Armijo's sufficient-decrease constant and the number of halvings before the step counts as stalled.</summary>
    private const double Armijo = 1e-4;
    private const int MaxHalvings = 40;

    private readonly GaussNewtonSystem _system = new(context.N, context.P, context.Options.Form, context.Options.EstimateCondition);
    private readonly double[] _direction = new double[context.P], _jd = new double[context.N];

    public ReadOnlySpan<double> SolveVector => _system.SolveVector;

    public StepOutcome Step(StepContext c, int k)
    {
        var options = c.Options;
        var clock = PhaseClock.Start();
        _system.Assemble(c.Jacobian);
        double gradientNorm = GradientNorm(c);
        double ntk = clock.Lap();

        double lambdaMin = double.NaN;
        double epsilon = options.FixedDamping ?? _system.ChooseArbelDamping(options.DampingFloor, out lambdaMin,
            options.SmallestEigenvalue, options.SmallestEigenvalueTolerance);
        double factor = clock.Lap();

        var diagnostics = CheckedSolve.Run(_system, epsilon, c.Residual, _direction, k);
        double rcond = options.EstimateCondition ? _system.ReciprocalCondition() : double.NaN;
        double solve = clock.Lap();

        bool fixedStep = options.GaussNewtonStep == GaussNewtonStepRule.Fixed;
        double alpha = (options.LearningRate ?? (fixedStep ? 10 : c.N)) / c.N;
        var record = new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, Damping = diagnostics.Damping, LambdaMin = lambdaMin,
            ReciprocalCondition = rcond, Retries = diagnostics.Retries, NtkSeconds = ntk, FactorSeconds = factor, SolveSeconds = solve,
        };
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
                ? $"iteration {k}: no step along the Gauss-Newton direction lowered the loss (α halved {MaxHalvings} times from λ/N); the loss is at its floor in double precision or the damping ε = {diagnostics.Damping:G3} is too small."
                : $"iteration {k}: the Gauss-Newton direction is not a descent direction (slope {slope:G3}); the Jacobian is inconsistent with the residuals.");
    }

    /// <summary>
    /// ‖∇L‖ = ‖Jᵀr‖/N; in the kernel form from the just-assembled A = JJᵀ as √(rᵀAr)/N, O(N²) instead of another pass
    /// over J (its rounding is relative to λ_max/λ_min·Nε, ample for a diagnostic).
    /// </summary>
    private double GradientNorm(StepContext c)
    {
        if (_system.Form != StepForm.Kernel) return c.GradientNorm();
        Blas.SymvLower(1.0, _system.Matrix, c.Residual, 0.0, _jd);
        return Math.Sqrt(Math.Max(TensorPrimitives.Dot<double>(c.Residual, _jd), 0)) / c.N;
    }

    public void Dispose() => _system.Dispose();
}
