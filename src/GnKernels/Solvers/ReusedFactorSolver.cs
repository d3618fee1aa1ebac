using System.Diagnostics;
using System.Numerics.Tensors;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// The damped solves of Levenberg-Marquardt and GGN-SCORE, (J·W·Jᵀ + εI)·z = b with δ = −W·Jᵀz (W = I or a diagonal
/// metric), at one point after another. <see cref="GaussNewtonSolver.Exact"/>: each point's matrix is assembled once
/// and factored for every ε it is solved with (LM's rejected trials). <see cref="GaussNewtonSolver.Pcg"/>: conjugate
/// gradients with matrix-free products, preconditioned by the Cholesky factor the last assembly left — of an earlier
/// point's matrix with the shift it was last solved with, which preconditions any nearby point and shift — so every
/// trial at a point reuses it; the matrix is assembled again as <see cref="FactorRefresh"/> decides, and at once when
/// CG fails (that solve is then exact, counted in <see cref="Fallbacks"/>). Each CG solve starts from the last z.
/// </summary>
internal sealed class ReusedFactorSolver : IDisposable
{
    private readonly GaussNewtonSystem _system;
    private readonly ConjugateGradient? _cg;
    private readonly CholeskyPreconditioner _factor;
    private readonly FactorRefresh _refresh;
    private readonly double[] _z;
    private readonly double _tolerance;
    private readonly int _maxIterations;
    private double _exactSeconds, _cgSeconds; // this point's assembly with its first exact solve (0: none yet); its CG solves

    public ReusedFactorSolver(StepContext context, StepForm form)
    {
        var options = context.Options;
        bool iterative = options.LinearSolver == GaussNewtonSolver.Pcg;
        _system = new GaussNewtonSystem(context.N, context.P, iterative ? StepForm.Kernel : form, options.EstimateCondition);
        _factor = new CholeskyPreconditioner(_system.Factorization);
        _refresh = new FactorRefresh(options.PreconditionerRefreshIterations);
        _z = new double[context.N];
        _tolerance = options.CgTolerance;
        _maxIterations = options.CgMaxIterations;
        if (iterative) _cg = new ConjugateGradient(context.N, context.P);
    }

    /// <summary>Whether this point's matrix was assembled (always, without CG).</summary>
    public bool Assembled { get; private set; }

    /// <summary>Whether CG's preconditioner was refreshed at this point (an assembly with <see cref="GaussNewtonSolver.Pcg"/>).</summary>
    public bool Refreshed => Assembled && _cg is not null;

    /// <summary>Seconds spent assembling this point's matrix.</summary>
    public double AssemblySeconds { get; private set; }

    /// <summary>CG iterations at this point.</summary>
    public int Iterations { get; private set; }

    /// <summary>CG solves at this point that failed and were solved exactly instead.</summary>
    public int Fallbacks { get; private set; }

    /// <summary>z of the last solve (N entries).</summary>
    public ReadOnlySpan<double> SolveVector => _cg is null ? _system.SolveVector : _z;

    /// <summary>Starts the solves at a new point.</summary>
    public void MoveTo()
    {
        (Assembled, AssemblySeconds, Iterations, Fallbacks, _exactSeconds, _cgSeconds) = (false, 0, 0, 0, 0, 0);
    }

    /// <summary>The largest diagonal entry of this point's matrix J·W·Jᵀ, assembling it for that.</summary>
    public double MaxDiagonal(IJacobian jacobian, ReadOnlySpan<double> metricInverse)
    {
        Assemble(jacobian, metricInverse);
        return _system.MaxDiagonal();
    }

    /// <summary>δ = −W·Jᵀz with (J·W·Jᵀ + εI)·z = b, by CG from the held factor where it may, else exactly.</summary>
    public StepDiagnostics Solve(IJacobian jacobian, ReadOnlySpan<double> metricInverse, double epsilon, ReadOnlySpan<double> b,
        Span<double> step, int k)
    {
        long start = Stopwatch.GetTimestamp();
        if (_cg is not null && !Assembled && !_refresh.Due)
        {
            var outcome = _cg.Solve(jacobian, epsilon, _factor, b, _z, _tolerance, _maxIterations, warmStart: true,
                transposedZ: step, metricInverse: metricInverse, deadline: _refresh.Deadline());
            Iterations += _cg.Iterations;
            _cgSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (outcome == CgOutcome.Converged)
            {
                TensorPrimitives.Negate<double>(step, step);
                return Diagnostics(epsilon, b);
            }
            Fallbacks++;
        }
        Assemble(jacobian, metricInverse);
        long solveStart = Stopwatch.GetTimestamp();
        var diagnostics = CheckedSolve.Run(_system, epsilon, b, step, k);
        if (_exactSeconds == 0) _exactSeconds = AssemblySeconds + Stopwatch.GetElapsedTime(solveStart).TotalSeconds;
        if (_cg is not null) _system.SolveVector.CopyTo(_z);
        return diagnostics;
    }

    /// <summary>
    /// The point's solves are done: feeds the refresh rule with what its linear algebra cost — the assembly with one
    /// exact solve, or the CG solves of every trial (trials' forward passes cost either way the same).
    /// </summary>
    public void Finish()
    {
        if (_cg is null) return;
        if (Assembled) _refresh.Assembled(_exactSeconds);
        else _refresh.Iterated(_cgSeconds, Iterations);
    }

    private void Assemble(IJacobian jacobian, ReadOnlySpan<double> metricInverse)
    {
        if (Assembled) return;
        long start = Stopwatch.GetTimestamp();
        _system.Assemble(jacobian, metricInverse);
        AssemblySeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        Assembled = true;
    }

    /// <summary>
    /// What <see cref="GaussNewtonSystem.TrySolve"/> reports, from CG's residual ρ = b − (K + εI)z: the linearized
    /// residual after the step is b − K·z = ρ + εz, and zᵀK·z = zᵀ(b − ρ − εz).
    /// </summary>
    private StepDiagnostics Diagnostics(double epsilon, ReadOnlySpan<double> b)
    {
        ReadOnlySpan<double> rho = _cg!.Residual;
        double bb = TensorPrimitives.Dot(b, b), zz = TensorPrimitives.Dot<double>(_z, _z), rhoRho = TensorPrimitives.Dot(rho, rho);
        double rhoZ = TensorPrimitives.Dot<double>(rho, _z), bz = TensorPrimitives.Dot<double>(b, _z);
        double after = rhoRho + 2 * epsilon * rhoZ + epsilon * epsilon * zz; // ‖ρ + εz‖²
        return new StepDiagnostics(epsilon, 0, 0.5 * (bb - after), bz - rhoZ - epsilon * zz);
    }

    public void Dispose() => _system.Dispose();
}
