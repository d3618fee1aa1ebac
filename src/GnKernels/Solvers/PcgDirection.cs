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
    private readonly double[] _z = new double[context.N], _product = new double[context.N], _residual = new double[context.N],
        _eigenvector = new double[context.N];
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

    /// <summary>δw = −Jᵀz by PCG at Arbel's ε from the tracked eigenvector; null if CG failed (the time counts as solve time).</summary>
    private IterationRecord? Iterative(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        var options = c.Options;
        double gradientNorm = c.GradientNorm();
        double lambdaMin = double.NaN;
        // The factor preconditions any nearby ε.
        double epsilon = options.ScheduledDamping(k) ?? options.FixedDamping ?? ArbelDampingWithoutFactor(c, direction, out lambdaMin);
        var outcome = _cg.Solve(c.Jacobian, epsilon, _factor!, c.Residual, _z, options.CgTolerance, options.CgMaxIterations, warmStart: _iterative,
            transposedZ: direction, deadline: _refresh.Deadline());
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

    /// <summary>
    /// Arbel's ε = max(ε₀, λ_min) without a factor of the current A. The eigenvector estimate v (at first the Ritz
    /// vector the last assembly's Lanczos left) gives ρ = ‖Jᵀv‖²/‖v‖² ≥ λ_min for one Jᵀ product: ρ ≤ ε₀ settles
    /// Arbel's rule exactly. Above ε₀, one preconditioned step tracks the eigenvector as A drifts (Rayleigh-Ritz on
    /// v and w = P⁻¹(Av − ρv), P the held factor: two products more), and its smaller Ritz value is λ_min, still an
    /// upper bound. Without a start vector (λ_min was never estimated) the factor's ε is kept.
    /// <paramref name="scratch"/> (P entries) is free until the solve.
    /// </summary>
    private double ArbelDampingWithoutFactor(StepContext c, Span<double> scratch, out double lambdaMin)
    {
        lambdaMin = double.NaN;
        var options = c.Options;
        if (!_eigenvectorTracked)
        {
            ReadOnlySpan<double> ritz = _exact.System.RitzVector;
            if (ritz.IsEmpty) return _exact.Damping;
            ritz.CopyTo(_eigenvector);
            _eigenvectorTracked = true;
        }
        Span<double> v = _eigenvector, av = _product, w = _residual, jtv = scratch;
        TensorPrimitives.Divide(v, TensorPrimitives.Norm<double>(v), v);
        c.Jacobian.MultiplyTransposed(v, jtv);
        double rho = TensorPrimitives.Dot<double>(jtv, jtv);
        if (rho <= options.DampingFloor) { lambdaMin = rho; return options.DampingFloor; }

        c.Jacobian.Multiply(jtv, av);                                  // A·v
        TensorPrimitives.MultiplyAdd(v, -rho, av, w);                  // the residual A·v − ρv
        _factor!.Apply(w, w);
        TensorPrimitives.MultiplyAdd(v, -TensorPrimitives.Dot<double>(w, v), w, w); // w ⟂ v, unit length
        double wNorm = TensorPrimitives.Norm<double>(w);
        if (!(wNorm > 0)) { lambdaMin = rho; return ArbelDamping.Choose(rho, options.DampingFloor); }
        TensorPrimitives.Divide(w, wNorm, w);
        c.Jacobian.MultiplyTransposed(w, jtv);
        double b = TensorPrimitives.Dot<double>(av, w), cc = TensorPrimitives.Dot<double>(jtv, jtv);
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
