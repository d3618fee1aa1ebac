using System.Numerics.Tensors;

namespace GnKernels.Solvers;

/// <summary>
/// <see cref="GaussNewtonSolver.Cg"/>: CG on (A + εI)z = r with matrix-free products and no preconditioner, each solve
/// from the last step's z; ε = ε₀ or the fixed or scheduled ε, as <see cref="NystromDirection"/> has it. A solve that
/// does not converge ends the run as not solvable: there is nothing to rebuild.
/// </summary>
internal sealed class CgDirection(StepContext context) : IGaussNewtonDirection
{
    private readonly ConjugateGradient _cg = new(context.N, context.P);
    private readonly double[] _z = new double[context.N];
    private bool _iterative;

    public ReadOnlySpan<double> SolveVector => _z;

    public IterationRecord Compute(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        var options = c.Options;
        double epsilon = options.ScheduledDamping(k) ?? options.FixedDamping ?? options.DampingFloor;
        double gradientNorm = c.GradientNorm();
        clock.Lap();
        var outcome = _cg.Solve(c.Jacobian, epsilon, IdentityPreconditioner.Instance, c.Residual, _z, options.CgTolerance, options.CgMaxIterations,
            warmStart: _iterative, transposedZ: direction);
        _iterative = outcome == CgOutcome.Converged;
        if (!_iterative)
            throw new NotSolvableException(
                $"iteration {k}: conjugate gradients without a preconditioner ended {outcome} after {_cg.Iterations} iterations " +
                $"(tolerance {options.CgTolerance:G2}); raise MaxLinearIterations or the damping ε = {epsilon:G3}, or use GaussNewtonSolver.Nystrom.");
        TensorPrimitives.Negate<double>(direction, direction);
        return new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, Damping = epsilon, LinearIterations = _cg.Iterations, SolveSeconds = clock.Lap(),
        };
    }

    public void Dispose() { }
}
