using System.Numerics.Tensors;

namespace GnKernels.Solvers;

/// <summary>
/// <see cref="GaussNewtonSolver.Pcg"/>: conjugate gradients on (A + εI)z = r with matrix-free products, preconditioned
/// by the Cholesky factor of the last assembled matrix (float32 by <see cref="MixedPrecisionDirection"/> for the
/// two-layer network, double by <see cref="ExactDirection"/> otherwise), assembled again as <see cref="FactorRefresh"/>
/// decides; when CG fails that step is the refreshing one, counted as a retry.
/// </summary>
internal sealed class PcgDirection(StepContext context) : IGaussNewtonDirection
{
    // The refreshing step: float32 assembly and factor with CG refinement for the two-layer network (about 0.75 of a
    // double assembly's time, and as good a preconditioner: its rounding is far below the drift between refreshes),
    // the exact double step for any other Jacobian. Chosen at the first step.
    private IGaussNewtonDirection? _refresher;
    private readonly ConjugateGradient _cg = new(context.N, context.P);
    private const int Batch = 4;
    private readonly double[] _z = new double[context.N], _eigenvector = new double[context.N], _partner = new double[context.N];
    // Batches: up to four N-vectors in (r, v, w, z₀) and their Jᵀ out; up to two of those in again and their J out.
    private readonly double[] _rows = new double[Batch * context.N], _parameters = new double[Batch * context.P], _kernel = new double[2 * context.N];
    private readonly FactorRefresh _refresh = new(context.Options.PreconditionerRefreshIterations);
    private IPreconditioner? _factor;
    private double _refreshDamping;
    // _eigenvector follows λ_min's eigenvector between assemblies, with _partner the direction it moves along next.
    private bool _iterative, _eigenvectorTracked, _partnerTracked;

    public ReadOnlySpan<double> SolveVector => _iterative ? _z : _refresher!.SolveVector;

    public IterationRecord Compute(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        // Due until the first assembly, so the factor exists whenever it is not.
        if (!_refresh.Due && Iterative(c, k, ref clock, direction) is { } record) return record;
        bool fallback = !_refresh.Due;
        _refresher ??= c.Jacobian is Models.TwoLayerSiluLinearization ? new MixedPrecisionDirection(c) : new ExactDirection(c);
        record = _refresher.Compute(c, k, ref clock, direction);
        _factor = _refresher is MixedPrecisionDirection mixed ? mixed.Factor : _factor ?? new CholeskyPreconditioner(((ExactDirection)_refresher).System.Factorization);
        _refreshDamping = record.Damping;
        _refresh.Assembled(record.NtkSeconds + record.FactorSeconds + record.SolveSeconds);
        (_iterative, _eigenvectorTracked) = (false, false);
        return record with { PreconditionerRefreshed = true, Retries = record.Retries + (fallback ? 1 : 0) };
    }

    /// <summary>
    /// δw = −Jᵀz by PCG at Arbel's ε from the tracked eigenvector; null if CG failed (the time counts as solve time).
    /// What the step needs before CG — the gradient's Jᵀr, the eigenvector estimate's Jᵀv and Jᵀw and then A·v, the
    /// warm start's Jᵀz₀ and A·z₀ — comes from one batched pass over J for Jᵀ and one for J, each costing about what
    /// one product does.
    /// </summary>
    private IterationRecord? Iterative(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        var options = c.Options;
        int n = c.N, p = c.P;
        double? given = options.ScheduledDamping(k) ?? options.FixedDamping; // the factor preconditions any nearby ε
        bool track = given is null && StartEigenvector(), partner = track && _partnerTracked, warm = _iterative;

        int count = 0;
        c.Residual.CopyTo(Rows(count++));
        if (track) _eigenvector.CopyTo(Rows(count++));
        if (partner) _partner.CopyTo(Rows(count++));
        if (warm) _z.CopyTo(Rows(count++));
        c.Jacobian.MultiplyTransposed(_rows.AsSpan(0, count * n), _parameters.AsSpan(0, count * p), count);
        TensorPrimitives.Divide(Parameters(0), n, c.Gradient); // ∇L = Jᵀr/N, as StepContext.GradientNorm leaves it
        double gradientNorm = TensorPrimitives.Norm<double>(c.Gradient);

        double lambdaMin = track ? RayleighRitz(partner) : double.NaN; // v and Jᵀv now the Ritz pair's
        bool needAv = track && lambdaMin > options.DampingFloor;
        // J·[Jᵀv, Jᵀz₀]: the eigenvector's product moves next to the warm start's, so one pass takes both.
        int products = (needAv ? 1 : 0) + (warm ? 1 : 0);
        if (needAv) Parameters(1).CopyTo(Parameters(count - products));
        if (products > 0)
            c.Jacobian.Multiply(_parameters.AsSpan((count - products) * p, products * p), _kernel.AsSpan(0, products * n), products);
        if (needAv && !partner) lambdaMin = FirstRayleighRitz(c, lambdaMin, _kernel.AsSpan(0, n));
        else _partnerTracked = needAv && NextPartner(lambdaMin, _kernel.AsSpan(0, n));

        double epsilon = given ?? (track ? ArbelDamping.Choose(lambdaMin, options.DampingFloor) : _refreshDamping);
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

    private Span<double> Parameters(int i) => _parameters.AsSpan(i * (_parameters.Length / Batch), _parameters.Length / Batch);

    /// <summary>
    /// The unit eigenvector estimate v for Arbel's ε: carried from the last step, or at first the Ritz vector the last
    /// assembly's Lanczos left; false without one (λ_min was never estimated: the factor's ε is kept).
    /// </summary>
    private bool StartEigenvector()
    {
        if (!_eigenvectorTracked)
        {
            ReadOnlySpan<double> ritz = _refresher switch
            {
                MixedPrecisionDirection mixed => mixed.RitzVector,
                ExactDirection exact => exact.System.RitzVector,
                _ => default,
            };
            if (ritz.IsEmpty) return false;
            ritz.CopyTo(_eigenvector);
            (_eigenvectorTracked, _partnerTracked) = (true, false);
        }
        TensorPrimitives.Divide(_eigenvector, TensorPrimitives.Norm<double>(_eigenvector), _eigenvector);
        return true;
    }

    /// <summary>
    /// λ_min of the current A as Arbel's rule needs it, without a factor of A: the Rayleigh quotient ‖Jᵀv‖² of the
    /// eigenvector estimate v, or with its partner w (orthonormal to v) the smaller Ritz value of A on span{v, w}; either
    /// bounds λ_min from above. Its 2×2 projection [[‖Jᵀv‖², (Jᵀv)·(Jᵀw)], [·, ‖Jᵀw‖²]] needs only the Jᵀ products
    /// of the batch; v and its Jᵀv (batch entry 1) become the Ritz vector's.
    /// </summary>
    private double RayleighRitz(bool partner)
    {
        Span<double> jtv = Parameters(1);
        double rho = TensorPrimitives.SumOfSquares<double>(jtv);
        if (!partner) return rho;
        ReadOnlySpan<double> jtw = Parameters(2);
        double b = TensorPrimitives.Dot<double>(jtv, jtw), cc = TensorPrimitives.SumOfSquares(jtw);
        var (lambda, cos, sin) = SmallerRitzPair(rho, b, cc);
        TensorPrimitives.Multiply<double>(_eigenvector, cos, _eigenvector);
        TensorPrimitives.MultiplyAdd(_partner, sin, _eigenvector, _eigenvector);
        TensorPrimitives.Multiply<double>(jtv, cos, jtv);
        TensorPrimitives.MultiplyAdd(jtw, sin, jtv, jtv);
        return lambda;
    }

    /// <summary>
    /// Without a partner (the first iterative step of a cycle), Rayleigh-Ritz on v and w = P⁻¹(A·v − ρv) now, for
    /// one Jᵀ product more, as the partner's would have been; the next step's partner is the other Ritz vector of
    /// span{v, w}, and from then on the batches carry the tracking.
    /// </summary>
    private double FirstRayleighRitz(StepContext c, double rho, ReadOnlySpan<double> av)
    {
        if (!NextPartner(rho, av)) { _partnerTracked = false; return rho; }
        Span<double> v = _eigenvector, w = _partner, jtv = Parameters(1), jtw = Parameters(0); // Jᵀr is spent: the gradient is taken
        c.Jacobian.MultiplyTransposed(w, jtw);
        double b = TensorPrimitives.Dot<double>(jtv, jtw), cc = TensorPrimitives.SumOfSquares<double>(jtw);
        var (lambda, cos, sin) = SmallerRitzPair(rho, b, cc);
        for (int i = 0; i < v.Length; i++) (v[i], w[i]) = (cos * v[i] + sin * w[i], cos * w[i] - sin * v[i]);
        _partnerTracked = true;
        return lambda;
    }

    /// <summary>The smaller eigenvalue of [[ρ, b], [b, cc]] and its unit eigenvector (cos, sin).</summary>
    private static (double Lambda, double Cos, double Sin) SmallerRitzPair(double rho, double b, double cc)
    {
        double half = 0.5 * (rho - cc), root = Math.Sqrt(half * half + b * b);
        double angle = 0.5 * Math.Atan2(-2 * b, cc - rho);
        return (0.5 * (rho + cc) - root, Math.Cos(angle), Math.Sin(angle));
    }

    /// <summary>
    /// The next step's partner w = P⁻¹(A·v − λv) made orthonormal to v, P the held factor: one preconditioned step of
    /// the eigenvector's tracking as A drifts (the next step's Rayleigh-Ritz on span{v, w}). False if w vanishes.
    /// </summary>
    private bool NextPartner(double lambda, ReadOnlySpan<double> av)
    {
        Span<double> v = _eigenvector, w = _partner;
        TensorPrimitives.MultiplyAdd(v, -lambda, av, w);
        _factor!.Apply(w, w);
        TensorPrimitives.MultiplyAdd(v, -TensorPrimitives.Dot<double>(w, v), w, w);
        double norm = TensorPrimitives.Norm<double>(w);
        if (!(norm > 0) || !double.IsFinite(norm)) return false;
        TensorPrimitives.Divide(w, norm, w);
        return true;
    }

    public void Dispose() => _refresher?.Dispose();
}
