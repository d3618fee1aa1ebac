using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// Gauss-Newton with Arbel's damping ε = max(ε₀, λ_min(A)) (or a fixed ε): the direction δw = −Jᵀ(A + εI)⁻¹r in the
/// kernel form (−(JᵀJ + εI)⁻¹Jᵀr in the parameter form), then either a backtracking line search from α₀ = λ/N
/// (<see cref="GaussNewtonStepRule.Backtracking"/>, λ = N by default: the full step, halved until the loss falls
/// by Armijo's rule) or Arbel et al.'s fixed step w ← w + (λ/N)·δw (<see cref="GaussNewtonStepRule.Fixed"/>, λ = 10).
/// With <see cref="GaussNewtonSolver.Pcg"/> the kernel-form system is solved by conjugate gradients with the Cholesky
/// factor of the last assembled matrix as preconditioner (<see cref="ConjugateGradient"/>), and ε kept from that
/// assembly; the matrix is assembled and factored again (the exact step) when a CG step cost more than the average
/// step since that assembly, the assembly included (or needed more than
/// <see cref="TrainingOptions.PreconditionerRefreshIterations"/> iterations, if set), or when CG fails. With <see cref="GaussNewtonSolver.Nystrom"/> no N×N matrix exists: CG is preconditioned by
/// <see cref="NystromPreconditioner"/>, rebuilt (from new columns) when a solve took longer than the last build or
/// failed; a solve that fails right after a build ends the run as not solvable. With <see cref="GaussNewtonSolver.Mixed"/>
/// every step assembles and factors A in float32 and CG in double refines the solve to full accuracy; the exact step
/// is the fallback.
/// </summary>
internal sealed class GaussNewtonMethod(StepContext context) : IStepMethod
{
    /// <summary>Armijo's sufficient-decrease constant and the number of halvings before the step counts as stalled.</summary>
    private const double Armijo = 1e-4;
    private const int MaxHalvings = 40;

    private GaussNewtonSystem? _system = context.Options.LinearSolver is GaussNewtonSolver.Nystrom or GaussNewtonSolver.Mixed ? null : NewSystem(context);
    private readonly SinglePrecisionFactor? _single = context.Options.LinearSolver == GaussNewtonSolver.Mixed ? new(context.N) : null;
    private readonly double[] _direction = new double[context.P], _jd = new double[context.N], _z = new double[context.N],
        _z2 = new double[context.N], _eigenvector = new double[context.N];
    private bool _eigenvectorTracked; // _eigenvector follows λ_min's eigenvector between assemblies (pcg)
    private readonly ConjugateGradient? _cg = context.Options.LinearSolver == GaussNewtonSolver.Exact ? null : new ConjugateGradient(context.N, context.P);
    private readonly NystromPreconditioner? _nystrom = context.Options.LinearSolver == GaussNewtonSolver.Nystrom
        ? new NystromPreconditioner(context.N, context.P, context.Options.NystromRank > 0 ? Math.Min(context.Options.NystromRank, context.N) : Math.Min(context.N, 512))
        : null;
    private double _buildSeconds = double.NaN; // what the last Nyström build cost: the price of a rebuild
    private CholeskyPreconditioner? _cholesky;
    private double _preconditionerDamping = double.NaN; // ε of the factor held as preconditioner; NaN: none yet
    private double _cycleSeconds;                         // what the steps since the last assembly cost, that one included
    private int _cycleSteps;
    private bool _refreshNext, _iterative;

    public ReadOnlySpan<double> SolveVector => _iterative ? _z : _system!.SolveVector;

    public StepOutcome Step(StepContext c, int k)
    {
        var options = c.Options;
        var clock = PhaseClock.Start();
        var record = _nystrom is not null ? NystromDirection(c, k, ref clock)
            : _single is not null ? MixedDirection(c, k, ref clock) ?? ExactDirection(c, k, ref clock, fallback: true)
            : _cg is not null && !_refreshNext && !double.IsNaN(_preconditionerDamping)
            ? IterativeDirection(c, k, ref clock) ?? ExactDirection(c, k, ref clock, fallback: true)
            : ExactDirection(c, k, ref clock, fallback: false);
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

    /// <summary>Assembles A, chooses ε, factors and solves: δw = −Jᵀ(A + εI)⁻¹r. The factor becomes PCG's preconditioner.</summary>
    private IterationRecord ExactDirection(StepContext c, int k, ref PhaseClock clock, bool fallback)
    {
        var options = c.Options;
        _iterative = false;
        var system = _system ??= NewSystem(c); // the mixed solver's fallback allocates it on first use
        system.Assemble(c.Jacobian);
        double gradientNorm = GradientNorm(c);
        double ntk = clock.Lap();

        double lambdaMin = double.NaN;
        double epsilon = Scheduled(options, k) ?? options.FixedDamping ?? system.ChooseArbelDamping(options.DampingFloor, out lambdaMin,
            options.SmallestEigenvalue, options.SmallestEigenvalueTolerance);
        double factor = clock.Lap();

        var diagnostics = CheckedSolve.Run(system, epsilon, c.Residual, _direction, k);
        double rcond = options.EstimateCondition ? system.ReciprocalCondition() : double.NaN;
        double solve = clock.Lap();
        (_preconditionerDamping, _refreshNext, _cycleSeconds, _cycleSteps) = (diagnostics.Damping, false, ntk + factor + solve, 1);
        _eigenvectorTracked = false; // the next iterative step starts from this step's Ritz vector
        if (options.LinearSolver == GaussNewtonSolver.Pcg) _cholesky ??= new CholeskyPreconditioner(system.Factorization); // the factor object is reused
        return new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, Damping = diagnostics.Damping, LambdaMin = lambdaMin,
            ReciprocalCondition = rcond, Retries = diagnostics.Retries + (fallback ? 1 : 0), NtkSeconds = ntk, FactorSeconds = factor,
            SolveSeconds = solve, PreconditionerRefreshed = options.LinearSolver == GaussNewtonSolver.Pcg,
        };
    }

    /// <summary>
    /// δw = −Jᵀz with (A + εI)z = r solved by PCG at the preconditioner's ε, without assembling A; null if CG failed
    /// (the caller takes the exact step instead, and the time spent here counts as solve time).
    /// </summary>
    private IterationRecord? IterativeDirection(StepContext c, int k, ref PhaseClock clock)
    {
        var options = c.Options;
        double gradientNorm = c.GradientNorm();
        double lambdaMin = double.NaN;
        // The factor preconditions any nearby ε.
        double epsilon = Scheduled(options, k) ?? options.FixedDamping ?? ArbelDampingWithoutFactor(c, out lambdaMin);
        var outcome = _cg!.Solve(c.Jacobian, epsilon, _cholesky!, c.Residual, _z,
            options.CgTolerance, options.CgMaxIterations, warmStart: _iterative);
        if (outcome != CgOutcome.Converged) { _iterative = false; return null; }
        _iterative = true;
        c.Jacobian.MultiplyTransposed(_z, _direction);
        TensorPrimitives.Negate<double>(_direction, _direction);
        double seconds = clock.Lap();
        (_cycleSeconds, _cycleSteps) = (_cycleSeconds + seconds, _cycleSteps + 1);
        _refreshNext = options.PreconditionerRefreshIterations is { } cap ? _cg.Iterations > cap : RefreshAfter(seconds, _cycleSeconds, _cycleSteps);
        return new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, Damping = epsilon, LambdaMin = lambdaMin, LinearIterations = _cg.Iterations, SolveSeconds = seconds,
        };
    }

    /// <summary>
    /// Arbel's ε = max(ε₀, λ_min) without a factor of the current A. The eigenvector estimate v (at first the Ritz
    /// vector the last assembled step's Lanczos left) gives ρ = ‖Jᵀv‖²/‖v‖² ≥ λ_min for one Jᵀ product: ρ ≤ ε₀ settles
    /// Arbel's rule exactly. Above ε₀, one preconditioned step tracks the eigenvector as A drifts (Rayleigh-Ritz on
    /// v and w = P⁻¹(Av − ρv), P the held factor: two products more), and its smaller Ritz value is λ_min, still an
    /// upper bound. Without a start vector (λ_min was never estimated) the factor's ε is kept.
    /// </summary>
    private double ArbelDampingWithoutFactor(StepContext c, out double lambdaMin)
    {
        lambdaMin = double.NaN;
        var options = c.Options;
        if (!_eigenvectorTracked)
        {
            ReadOnlySpan<double> ritz = _system!.RitzVector;
            if (ritz.IsEmpty) return _preconditionerDamping;
            ritz.CopyTo(_eigenvector);
            _eigenvectorTracked = true;
        }
        Span<double> v = _eigenvector, av = _jd, w = _z2, jtv = _direction; // _direction is formed after the solve
        TensorPrimitives.Divide(v, TensorPrimitives.Norm<double>(v), v);
        c.Jacobian.MultiplyTransposed(v, jtv);
        double rho = TensorPrimitives.Dot<double>(jtv, jtv);
        if (rho <= options.DampingFloor) { lambdaMin = rho; return options.DampingFloor; }

        c.Jacobian.Multiply(jtv, av);                                  // A·v
        TensorPrimitives.MultiplyAdd(v, -rho, av, w);                  // the residual A·v − ρv
        _cholesky!.Apply(w, w);
        TensorPrimitives.MultiplyAdd(v, -TensorPrimitives.Dot<double>(w, v), w, w); // w ⟂ v, unit length
        double wNorm = TensorPrimitives.Norm<double>(w);
        if (!(wNorm > 0)) { lambdaMin = rho; return ArbelDamping.Choose(rho, options.DampingFloor); }
        TensorPrimitives.Divide(w, wNorm, w);
        c.Jacobian.MultiplyTransposed(w, jtv);
        double b = TensorPrimitives.Dot<double>(av, w), cc = TensorPrimitives.Dot<double>(jtv, jtv);
        // The smaller eigenvalue of [[ρ, b], [b, cc]] and its eigenvector (cos, sin) in the basis (v, w).
        double half = 0.5 * (rho - cc), root = Math.Sqrt(half * half + b * b);
        lambdaMin = 0.5 * (rho + cc) - root;
        double angle = 0.5 * Math.Atan2(-2 * b, cc - rho);              // rotates v toward the smaller Ritz pair
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        TensorPrimitives.Multiply(v, cos, v);
        TensorPrimitives.MultiplyAdd(w, sin, v, v);
        return ArbelDamping.Choose(lambdaMin, options.DampingFloor);
    }

    /// <summary>
    /// δw = −Jᵀz with (A + εI)z = r by CG in double, preconditioned by this step's A assembled and factored in float32
    /// (<see cref="SinglePrecisionFactor"/>); ε from Lanczos on that factor. If A + εI has no float32 factor, the
    /// factor of A + (ε + N·2⁻²⁴·max Aᵢᵢ)·I (the assembly's rounding scale) preconditions instead. Null if neither
    /// exists or CG fails: the caller takes the exact double step, counted as a retry.
    /// </summary>
    private IterationRecord? MixedDirection(StepContext c, int k, ref PhaseClock clock)
    {
        var options = c.Options;
        if (c.Jacobian is not TwoLayerSiluLinearization linearization)
            throw new NotSupportedException($"GaussNewtonSolver.Mixed needs the structured float32 NTK of TwoLayerSilu; this model's Jacobian is a {c.Jacobian.GetType().Name}. Use GaussNewtonSolver.Exact or .Pcg.");
        var single = _single!;
        single.Assemble(linearization);
        double gradientNorm = c.GradientNorm();
        double ntk = clock.Lap();

        double lambdaMin = double.NaN;
        double epsilon = Scheduled(options, k) ?? options.FixedDamping ?? single.ChooseArbelDamping(options.DampingFloor,
            options.SmallestEigenvalueTolerance, out lambdaMin);
        bool factored = single.TryFactor(epsilon) || single.TryFactor(epsilon + c.N * Math.ScaleB(single.MaxDiagonal, -24));
        double factor = clock.Lap();
        _iterative = false;
        if (!factored) return null;
        var outcome = _cg!.Solve(c.Jacobian, epsilon, single, c.Residual, _z, options.CgTolerance, options.CgMaxIterations);
        if (outcome != CgOutcome.Converged) return null;
        _iterative = true;
        c.Jacobian.MultiplyTransposed(_z, _direction);
        TensorPrimitives.Negate<double>(_direction, _direction);
        return new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, Damping = epsilon, LambdaMin = lambdaMin, LinearIterations = _cg.Iterations,
            NtkSeconds = ntk, FactorSeconds = factor, SolveSeconds = clock.Lap(),
        };
    }

    /// <summary>
    /// δw = −Jᵀz with (A + εI)z = r by CG preconditioned by the Nyström approximation (built at the first step, and
    /// again when the last solve took longer than the last build or this one fails), ε = ε₀ or the fixed/scheduled ε.
    /// </summary>
    private IterationRecord NystromDirection(StepContext c, int k, ref PhaseClock clock)
    {
        var options = c.Options;
        double epsilon = Scheduled(options, k) ?? options.FixedDamping ?? options.DampingFloor;
        double gradientNorm = c.GradientNorm();
        bool built = false;
        double buildSeconds = 0;
        clock.Lap();
        for (int attempt = 0; ; attempt++)
        {
            if (double.IsNaN(_buildSeconds) || _refreshNext || attempt > 0)
            {
                _nystrom!.Build(c.Jacobian, epsilon, seed: k);
                buildSeconds = clock.Lap();
                (_buildSeconds, _refreshNext, built) = (buildSeconds, false, true);
            }
            // The last step's z starts this solve (a failed solve's z is not trusted).
            var outcome = _cg!.Solve(c.Jacobian, epsilon, _nystrom!, c.Residual, _z, options.CgTolerance, options.CgMaxIterations,
                warmStart: _iterative && attempt == 0);
            double solveSeconds = clock.Lap();
            if (outcome == CgOutcome.Converged)
            {
                _iterative = true;
                _refreshNext = options.PreconditionerRefreshIterations is { } cap ? _cg.Iterations > cap : solveSeconds > _buildSeconds;
                c.Jacobian.MultiplyTransposed(_z, _direction);
                TensorPrimitives.Negate<double>(_direction, _direction);
                return new IterationRecord
                {
                    Iteration = k, GradientNorm = gradientNorm, Damping = epsilon, LinearIterations = _cg.Iterations, PreconditionerRefreshed = built,
                    Retries = attempt, FactorSeconds = buildSeconds, SolveSeconds = solveSeconds + clock.Lap(),
                };
            }
            _iterative = false;
            if (built)
                throw new NotSolvableException(
                    $"iteration {k}: conjugate gradients with a fresh Nyström preconditioner of rank {_nystrom!.Rank} ended {outcome} after {_cg.Iterations} iterations " +
                    $"(tolerance {options.CgTolerance:G2}); raise MaxLinearIterations or NystromRank, or the damping ε = {epsilon:G3}.");
        }
    }

    /// <summary>
    /// The preconditioner ages, so the solves grow dearer step by step: refresh once a step cost more than the average
    /// step of its cycle (the assembly that began it and this step included). When the costs grow steadily this is
    /// the cycle length with the least long-run cost per step.
    /// </summary>
    internal static bool RefreshAfter(double stepSeconds, double cycleSeconds, int cycleSteps) => stepSeconds > cycleSeconds / cycleSteps;

    private static GaussNewtonSystem NewSystem(StepContext c) => new(c.N, c.P,
        c.Options.LinearSolver == GaussNewtonSolver.Exact ? c.Options.Form : StepForm.Kernel, c.Options.EstimateCondition);

    /// <summary>ρₖ of <see cref="TrainingOptions.DampingSchedule"/>, checked; null without a schedule.</summary>
    private static double? Scheduled(TrainingOptions options, int k)
    {
        if (options.DampingSchedule is not { } schedule) return null;
        double rho = schedule(k);
        if (!(rho >= 0 && double.IsFinite(rho)))
            throw new ArgumentOutOfRangeException(nameof(options.DampingSchedule), rho, $"The damping schedule gave ρ = {rho} at iteration {k}; every value must be finite and ≥ 0.");
        return rho;
    }

    /// <summary>
    /// ‖∇L‖ = ‖Jᵀr‖/N; in the kernel form from the just-assembled A = JJᵀ as √(rᵀAr)/N, O(N²) instead of another pass
    /// over J (its rounding is relative to λ_max/λ_min·Nε, ample for a diagnostic).
    /// </summary>
    private double GradientNorm(StepContext c)
    {
        if (_system!.Form != StepForm.Kernel) return c.GradientNorm();
        Blas.SymvLower(1.0, _system.Matrix, c.Residual, 0.0, _jd);
        return Math.Sqrt(Math.Max(TensorPrimitives.Dot<double>(c.Residual, _jd), 0)) / c.N;
    }

    public void Dispose()
    {
        _system?.Dispose();
        _single?.Dispose();
        _nystrom?.Dispose();
    }
}
