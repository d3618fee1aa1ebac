using System.Numerics.Tensors;

namespace GnKernels.Solvers;

/// <summary>
/// <see cref="GaussNewtonSolver.Pcg"/>: conjugate gradients on (A + εI)z = r with matrix-free products, preconditioned
/// by the Cholesky factor of the last assembled matrix (<see cref="ExactDirection"/>). The factor ages as w moves, so
/// solves grow dearer step by step; the matrix is assembled again once a step costs more than the average step of its
/// cycle (see <see cref="RefreshAfter"/>), past <see cref="TrainingOptions.PreconditionerRefreshIterations"/>
/// iterations if that is set, or when CG fails (that step is then the exact one, counted as a retry).
/// </summary>
internal sealed class PcgDirection(StepContext context) : IGaussNewtonDirection
{
    private readonly ExactDirection _exact = new(context);
    private readonly ConjugateGradient _cg = new(context.N, context.P);
    private readonly double[] _z = new double[context.N], _product = new double[context.N], _residual = new double[context.N],
        _eigenvector = new double[context.N];
    private CholeskyPreconditioner? _factor;
    private double _cycleSeconds; // what the steps since the last assembly cost, that one included
    private int _cycleSteps;
    private bool _refreshNext, _iterative, _eigenvectorTracked; // _eigenvector follows λ_min's eigenvector between assemblies

    public ReadOnlySpan<double> SolveVector => _iterative ? _z : _exact.SolveVector;

    public IterationRecord Compute(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        if (!_refreshNext && _factor is not null && Iterative(c, k, ref clock, direction) is { } record) return record;
        bool fallback = !_refreshNext && _factor is not null;
        record = _exact.Compute(c, k, ref clock, direction);
        _factor ??= new CholeskyPreconditioner(_exact.System.Factorization); // the factor object is reused
        (_cycleSeconds, _cycleSteps, _refreshNext, _iterative, _eigenvectorTracked) = (_exact.Seconds, 1, false, false, false);
        return record with { PreconditionerRefreshed = true, Retries = record.Retries + (fallback ? 1 : 0) };
    }

    /// <summary>
    /// The preconditioner ages, so the solves grow dearer step by step: refresh once a step cost more than the average
    /// step of its cycle (the assembly that began it and this step included). When the costs grow steadily this is
    /// the cycle length with the least long-run cost per step.
    /// </summary>
    internal static bool RefreshAfter(double stepSeconds, double cycleSeconds, int cycleSteps) => stepSeconds > cycleSeconds / cycleSteps;

    /// <summary>δw = −Jᵀz by PCG at Arbel's ε from the tracked eigenvector; null if CG failed (the time counts as solve time).</summary>
    private IterationRecord? Iterative(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        var options = c.Options;
        double gradientNorm = c.GradientNorm();
        double lambdaMin = double.NaN;
        // The factor preconditions any nearby ε.
        double epsilon = options.ScheduledDamping(k) ?? options.FixedDamping ?? ArbelDampingWithoutFactor(c, direction, out lambdaMin);
        var outcome = _cg.Solve(c.Jacobian, epsilon, _factor!, c.Residual, _z, options.CgTolerance, options.CgMaxIterations, warmStart: _iterative,
            transposedZ: direction);
        if (outcome != CgOutcome.Converged) { _iterative = false; return null; }
        _iterative = true;
        TensorPrimitives.Negate<double>(direction, direction);
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
