using System.Numerics.Tensors;

namespace GnKernels.Solvers;

/// <summary>
/// Levenberg-Marquardt on the raw residual with Nielsen's damping: ρ = actual / predicted reduction of ½‖r‖²;
/// a rejected trial does not move w and is solved again from the same assembled matrix with more damping.
/// </summary>
internal sealed class LevenbergMarquardtMethod(StepContext context) : IStepMethod
{
    private const int MaxRejections = 30;

    private readonly GaussNewtonSystem _system = new(context.N, context.P, context.Options.Form, context.Options.EstimateCondition);
    private readonly double[] _step = new double[context.P];
    private NielsenDamping? _nielsen;

    public ReadOnlySpan<double> SolveVector => _system.SolveVector;

    public StepOutcome Step(StepContext c, int k)
    {
        var clock = PhaseClock.Start();
        _system.Assemble(c.Jacobian);
        double ntk = clock.Lap();
        double gradientNorm = c.GradientNorm();
        _nielsen ??= new NielsenDamping(c.Options.InitialDampingScale * Math.Max(_system.MaxDiagonal(), 1e-300));

        double solve = 0, forward = 0;
        int retries = 0;
        for (int attempt = 0; attempt <= MaxRejections; attempt++)
        {
            clock.Lap();
            var diagnostics = CheckedSolve.Run(_system, _nielsen.Mu, c.Residual, _step, k);
            solve += clock.Lap();
            retries += diagnostics.Retries;

            TensorPrimitives.Add(c.W, _step, c.TrialW);
            double trial = c.TrialLoss();
            forward += clock.Lap();
            double rho = c.N * (c.Loss - trial) / diagnostics.PredictedReduction;
            if (_nielsen.Update(rho))
            {
                c.TrialW.CopyTo(c.W, 0);
                return new(new IterationRecord
                {
                    Iteration = k, GradientNorm = gradientNorm, StepNorm = TensorPrimitives.Norm<double>(_step), Damping = diagnostics.Damping,
                    Retries = retries, StepSize = 1, NtkSeconds = ntk, SolveSeconds = solve, ForwardSeconds = forward,
                });
            }
            retries++;
        }
        return new(new IterationRecord
            {
                Iteration = k, GradientNorm = gradientNorm, StepNorm = 0, Damping = _nielsen.Mu, Accepted = false,
                Retries = retries, NtkSeconds = ntk, SolveSeconds = solve, ForwardSeconds = forward,
            },
            StepEnd.Stalled,
            $"iteration {k}: {MaxRejections + 1} trial steps in a row raised the loss (damping μ grew to {_nielsen.Mu:G3}); the loss is at its floor or the Jacobian is inconsistent with the residuals.");
    }

    public void Dispose() => _system.Dispose();
}
