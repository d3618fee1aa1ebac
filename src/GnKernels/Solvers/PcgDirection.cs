using System.Numerics.Tensors;

namespace GnKernels.Solvers;

/// <summary>
/// <see cref="GaussNewtonSolver.Pcg"/>: conjugate gradients on (A + εI)z = r with matrix-free products, preconditioned
/// by the Cholesky factor of the last assembled matrix (<see cref="ExactDirection"/>), assembled again as
/// <see cref="FactorRefresh"/> decides; when CG fails that step is the exact one, counted as a retry.
/// </summary>
internal sealed class PcgDirection(StepContext context) : IGaussNewtonDirection
{
    private readonly ExactDirection _exact = new(context);
    private readonly ConjugateGradient _cg = new(context.N, context.P);
    private readonly double[] _z = new double[context.N], _residual = new double[context.N], _eigenvector = new double[context.N];
    // Batches: up to three N-vectors in (r, v, z₀) and their Jᵀ out; up to two of those in again and their J out.
    private readonly double[] _rows = new double[3 * context.N], _parameters = new double[3 * context.P], _kernel = new double[2 * context.N];
    private readonly FactorRefresh _refresh = new(context.Options.PreconditionerRefreshIterations);
    private CholeskyPreconditioner? _factor;
    private bool _iterative, _eigenvectorTracked; // _eigenvector follows λ_min's eigenvector between assemblies

    public ReadOnlySpan<double> SolveVector => _iterative ? _z : _exact.SolveVector;

    public IterationRecord Compute(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        // Due until the first assembly, so the factor exists whenever it is not.
        if (!_refresh.Due && Iterative(c, k, ref clock, direction) is { } record) return record;
        bool fallback = !_refresh.Due;
        record = _exact.Compute(c, k, ref clock, direction);
        _factor ??= new CholeskyPreconditioner(_exact.System.Factorization); // the factor object is reused
        _refresh.Assembled(_exact.Seconds);
        (_iterative, _eigenvectorTracked) = (false, false);
        return record with { PreconditionerRefreshed = true, Retries = record.Retries + (fallback ? 1 : 0) };
    }

    /// <summary>
    /// δw = −Jᵀz by PCG at Arbel's ε from the tracked eigenvector; null if CG failed (the time counts as solve time).
    /// What the step needs before CG — the gradient's Jᵀr, the Rayleigh quotient's Jᵀv and A·v, the warm start's Jᵀz₀
    /// and A·z₀ — comes from one batched pass over J for Jᵀ and one for J, each costing about what one product does.
    /// </summary>
    private IterationRecord? Iterative(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        var options = c.Options;
        int n = c.N, p = c.P;
        double? given = options.ScheduledDamping(k) ?? options.FixedDamping; // the factor preconditions any nearby ε
        bool track = given is null && StartEigenvector();
        bool warm = _iterative;

        int count = 0;
        c.Residual.CopyTo(Rows(count++));
        if (track) _eigenvector.CopyTo(Rows(count++));
        if (warm) _z.CopyTo(Rows(count++));
        c.Jacobian.MultiplyTransposed(_rows.AsSpan(0, count * n), _parameters.AsSpan(0, count * p), count);
        TensorPrimitives.Divide(Parameters(0), n, c.Gradient); // ∇L = Jᵀr/N, as StepContext.GradientNorm leaves it
        double gradientNorm = TensorPrimitives.Norm<double>(c.Gradient);

        // Jᵀv and Jᵀz₀ are the last entries of the batch, adjacent: J takes those it needs in one pass.
        double rho = track ? TensorPrimitives.SumOfSquares<double>(Parameters(1)) : double.NaN;
        bool needAv = track && rho > options.DampingFloor;
        int products = (needAv ? 1 : 0) + (warm ? 1 : 0);
        if (products > 0)
            c.Jacobian.Multiply(_parameters.AsSpan((count - products) * p, products * p), _kernel.AsSpan(0, products * n), products);

        double lambdaMin = double.NaN;
        double epsilon = given ?? (!track ? _exact.Damping
            : needAv ? RayleighRitz(c, rho, _kernel.AsSpan(0, n), out lambdaMin)
            : options.DampingFloor);
        if (track && !needAv) lambdaMin = rho;

        var outcome = _cg.Solve(c.Jacobian, epsilon, _factor!, c.Residual, _z, options.CgTolerance, options.CgMaxIterations, warmStart: warm,
            transposedZ: direction, deadline: _refresh.Deadline(),
            startTransposed: warm ? Parameters(count - 1) : default, startKernel: warm ? _kernel.AsSpan((products - 1) * n, n) : default);
        if (outcome != CgOutcome.Converged) { _iterative = false; return null; }
        _iterative = true;
        TensorPrimitives.Negate<double>(direction, direction);
        double seconds = clock.Lap();
        _refresh.Iterated(seconds, _cg.Iterations);
        return new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, Damping = epsilon, LambdaMin = lambdaMin, LinearIterations = _cg.Iterations, SolveSeconds = seconds,
        };
    }

    private Span<double> Rows(int i) => _rows.AsSpan(i * _z.Length, _z.Length);

    private Span<double> Parameters(int i) => _parameters.AsSpan(i * (_parameters.Length / 3), _parameters.Length / 3);

    /// <summary>
    /// The unit eigenvector estimate v for Arbel's ε: carried from the last step, or at first the Ritz vector the last
    /// assembly's Lanczos left; false without one (λ_min was never estimated: the factor's ε is kept).
    /// </summary>
    private bool StartEigenvector()
    {
        if (!_eigenvectorTracked)
        {
            ReadOnlySpan<double> ritz = _exact.System.RitzVector;
            if (ritz.IsEmpty) return false;
            ritz.CopyTo(_eigenvector);
            _eigenvectorTracked = true;
        }
        TensorPrimitives.Divide(_eigenvector, TensorPrimitives.Norm<double>(_eigenvector), _eigenvector);
        return true;
    }

    /// <summary>
    /// Arbel's ε = max(ε₀, λ_min) without a factor of the current A. The eigenvector estimate v gives
    /// ρ = ‖Jᵀv‖² ≥ λ_min: ρ ≤ ε₀ settles Arbel's rule exactly (the caller does that). Above ε₀, one preconditioned step
    /// tracks the eigenvector as A drifts — Rayleigh-Ritz on v and w = P⁻¹(Av − ρv), P the held factor, for one Jᵀ
    /// product more — and its smaller Ritz value is λ_min, still an upper bound.
    /// </summary>
    private double RayleighRitz(StepContext c, double rho, ReadOnlySpan<double> av, out double lambdaMin)
    {
        var options = c.Options;
        Span<double> v = _eigenvector, w = _residual, jtw = Parameters(0); // Jᵀr is spent: the gradient is taken
        TensorPrimitives.MultiplyAdd(v, -rho, av, w);                  // the residual A·v − ρv
        _factor!.Apply(w, w);
        TensorPrimitives.MultiplyAdd(v, -TensorPrimitives.Dot<double>(w, v), w, w); // w ⟂ v, unit length
        double wNorm = TensorPrimitives.Norm<double>(w);
        if (!(wNorm > 0)) { lambdaMin = rho; return ArbelDamping.Choose(rho, options.DampingFloor); }
        TensorPrimitives.Divide(w, wNorm, w);
        c.Jacobian.MultiplyTransposed(w, jtw);
        double b = TensorPrimitives.Dot(av, w), cc = TensorPrimitives.Dot<double>(jtw, jtw);
        // The smaller eigenvalue of [[ρ, b], [b, cc]] and its eigenvector (cos, sin) in the basis (v, w).
        double half = 0.5 * (rho - cc), root = Math.Sqrt(half * half + b * b);
        lambdaMin = 0.5 * (rho + cc) - root;
        double angle = 0.5 * Math.Atan2(-2 * b, cc - rho);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        TensorPrimitives.Multiply(v, cos, v);
        TensorPrimitives.MultiplyAdd(w, sin, v, v);
        return ArbelDamping.Choose(lambdaMin, options.DampingFloor);
    }

    public void Dispose() => _exact.Dispose();
}
