using System.Numerics.Tensors;

namespace GnKernels.Solvers;

/// <summary>
/// Levenberg-Marquardt on the raw residual with Nielsen's damping: ρ = actual / predicted reduction of ½‖r‖²;
/// a rejected trial does not move w and is solved again with more damping — from the same assembled matrix, or with
/// <see cref="GaussNewtonSolver.Pcg"/> by CG from the same held factor (<see cref="ReusedFactorSolver"/>).
/// </summary>
internal sealed class LevenbergMarquardtMethod(StepContext context) : IStepMethod
{
    private const int MaxRejections = 30;

    private readonly ReusedFactorSolver _solver = new(context, context.Options.Form);
    private readonly double[] _step = new double[context.P];
    private NielsenDamping? _nielsen;

    public ReadOnlySpan<double> SolveVector => _solver.SolveVector;

    public StepOutcome Step(StepContext c, int k)
    {
        var clock = PhaseClock.Start();
        _solver.MoveTo();
        double gradientNorm = c.GradientNorm();
        _nielsen ??= new NielsenDamping(c.Options.InitialDampingScale * Math.Max(_solver.MaxDiagonal(c.Jacobian, default), 1e-300));

        double solve = clock.Lap(), forward = 0; // the gradient, and on the first step the assembly
        int retries = 0;
        for (int attempt = 0; attempt <= MaxRejections; attempt++)
        {
            clock.Lap();
            var diagnostics = _solver.Solve(c.Jacobian, default, _nielsen.Mu, c.Residual, _step, k);
            solve += clock.Lap();
            retries += diagnostics.Retries;

            TensorPrimitives.Add(c.W, _step, c.TrialW);
            double trial = c.TrialLoss();
            forward += clock.Lap();
            double rho = c.N * (c.Loss - trial) / diagnostics.PredictedReduction;
            if (_nielsen.Update(rho))
            {
                c.TrialW.CopyTo(c.W, 0);
                return new(Record(k, gradientNorm, solve, forward) with
                {
                    StepNorm = TensorPrimitives.Norm<double>(_step), Damping = diagnostics.Damping, Retries = retries + _solver.Fallbacks, StepSize = 1,
                });
            }
            retries++;
        }
        return new(Record(k, gradientNorm, solve, forward) with { StepNorm = 0, Damping = _nielsen.Mu, Accepted = false, Retries = retries + _solver.Fallbacks },
            StepEnd.Stalled,
            $"iteration {k}: {MaxRejections + 1} trial steps in a row raised the loss (damping μ grew to {_nielsen.Mu:G3}); the loss is at its floor or the Jacobian is inconsistent with the residuals.");
    }

    /// <summary>The step's record with its phase times and CG counts; the assembly's time is NTK time, not solve time.</summary>
    private IterationRecord Record(int k, double gradientNorm, double solve, double forward)
    {
        _solver.Finish();
        return new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, NtkSeconds = _solver.AssemblySeconds, SolveSeconds = solve - _solver.AssemblySeconds,
            ForwardSeconds = forward, LinearIterations = _solver.Iterations, PreconditionerRefreshed = _solver.Refreshed,
        };
    }

    public void Dispose() => _solver.Dispose();
}
