using System.Numerics.Tensors;

namespace GnKernels.Solvers;

/// <summary>
/// <see cref="GaussNewtonSolver.Nystrom"/>: no N×N matrix. CG on (A + εI)z = r with matrix-free products,
/// preconditioned by the Nyström approximation (<see cref="NystromPreconditioner"/>), built at the first step and again
/// when the last solve took longer than the last build (or needed more than
/// <see cref="TrainingOptions.PreconditionerRefreshIterations"/> iterations, if set) or this one fails; a solve that
/// fails right after a build ends the run as not solvable. ε = ε₀ or the fixed or scheduled ε; each solve starts from
/// the last step's z.
/// </summary>
internal sealed class NystromDirection(StepContext context) : IGaussNewtonDirection
{
    private readonly NystromPreconditioner _nystrom = new(context.N, context.P,
        context.Options.NystromRank > 0 ? Math.Min(context.Options.NystromRank, context.N) : Math.Min(context.N, 512));
    private readonly ConjugateGradient _cg = new(context.N, context.P);
    private readonly double[] _z = new double[context.N];
    private double _buildSeconds = double.NaN; // what the last build cost: the price of a rebuild
    private bool _refreshNext, _iterative;

    public ReadOnlySpan<double> SolveVector => _z;

    public IterationRecord Compute(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        var options = c.Options;
        double epsilon = options.ScheduledDamping(k) ?? options.FixedDamping ?? options.DampingFloor;
        double gradientNorm = c.GradientNorm();
        bool built = false;
        double buildSeconds = 0;
        clock.Lap();
        for (int attempt = 0; ; attempt++)
        {
            if (double.IsNaN(_buildSeconds) || _refreshNext || attempt > 0)
            {
                _nystrom.Build(c.Jacobian, epsilon, seed: k);
                buildSeconds = clock.Lap();
                (_buildSeconds, _refreshNext, built) = (buildSeconds, false, true);
            }
            // The last step's z starts this solve (a failed solve's z is not trusted).
            var outcome = _cg.Solve(c.Jacobian, epsilon, _nystrom, c.Residual, _z, options.CgTolerance, options.CgMaxIterations,
                warmStart: _iterative && attempt == 0, transposedZ: direction);
            double solveSeconds = clock.Lap();
            if (outcome == CgOutcome.Converged)
            {
                _iterative = true;
                _refreshNext = options.PreconditionerRefreshIterations is { } cap ? _cg.Iterations > cap : solveSeconds > _buildSeconds;
                TensorPrimitives.Negate<double>(direction, direction);
                return new IterationRecord
                {
                    Iteration = k, GradientNorm = gradientNorm, Damping = epsilon, LinearIterations = _cg.Iterations, PreconditionerRefreshed = built,
                    Retries = attempt, FactorSeconds = buildSeconds, SolveSeconds = solveSeconds + clock.Lap(),
                };
            }
            _iterative = false;
            if (built)
                throw new NotSolvableException(
                    $"iteration {k}: conjugate gradients with a fresh Nyström preconditioner of rank {_nystrom.Rank} ended {outcome} after {_cg.Iterations} iterations " +
                    $"(tolerance {options.CgTolerance:G2}); raise MaxLinearIterations or NystromRank, or the damping ε = {epsilon:G3}.");
        }
    }

    public void Dispose() => _nystrom.Dispose();
}
