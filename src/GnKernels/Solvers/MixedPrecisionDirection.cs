using System.Numerics.Tensors;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// <see cref="GaussNewtonSolver.Mixed"/>: every step assembles A and factors A + εI in float32
/// (<see cref="SinglePrecisionFactor"/>), and CG in double with matrix-free products, preconditioned by that factor,
/// refines z to full accuracy; ε from Lanczos on the float32 factor. If A + εI has no float32 factor, the factor of
/// A + (ε + N·2⁻²⁴·max Aᵢᵢ)·I (the assembly's rounding scale) preconditions instead; if neither exists or CG fails, the
/// step is the exact double one (<see cref="ExactDirection"/>, allocated on first use), counted as a retry.
/// </summary>
internal sealed class MixedPrecisionDirection(StepContext context) : IGaussNewtonDirection
{
    private readonly SinglePrecisionFactor _single = new(context.N);
    private readonly ConjugateGradient _cg = new(context.N, context.P);
    private readonly double[] _z = new double[context.N];
    private ExactDirection? _exact;
    private CholeskyPreconditioner? _exactFactor;
    private bool _iterative;

    public ReadOnlySpan<double> SolveVector => _iterative ? _z : _exact!.SolveVector;

    /// <summary>The last step's factor, float32 or (after a fallback) double: what <see cref="PcgDirection"/> preconditions with.</summary>
    public IPreconditioner Factor => _iterative ? _single : _exactFactor ??= new CholeskyPreconditioner(_exact!.System.Factorization);

    /// <summary>The Ritz vector of the last step's λ_min estimate, or empty.</summary>
    public ReadOnlySpan<double> RitzVector => _iterative ? _single.RitzVector : _exact!.System.RitzVector;

    public IterationRecord Compute(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        if (Refined(c, k, ref clock, direction) is { } record) return record;
        record = (_exact ??= new ExactDirection(c)).Compute(c, k, ref clock, direction);
        return record with { Retries = record.Retries + 1 };
    }

    private IterationRecord? Refined(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        var options = c.Options;
        if (c.Jacobian is not TwoLayerSiluLinearization linearization)
            throw new NotSupportedException($"GaussNewtonSolver.Mixed needs the structured float32 NTK of TwoLayerSilu; this model's Jacobian is a {c.Jacobian.GetType().Name}. Use GaussNewtonSolver.Exact or .Pcg.");
        _single.Assemble(linearization);
        double gradientNorm = c.GradientNorm();
        double ntk = clock.Lap();

        double lambdaMin = double.NaN;
        double epsilon = options.ScheduledDamping(k) ?? options.FixedDamping ?? _single.ChooseArbelDamping(options.DampingFloor,
            options.SmallestEigenvalueTolerance, out lambdaMin);
        bool factored = _single.TryFactor(epsilon) || _single.TryFactor(epsilon + c.N * Math.ScaleB(_single.MaxDiagonal, -24));
        double factor = clock.Lap();
        _iterative = false;
        if (!factored) return null;
        if (_cg.Solve(c.Jacobian, epsilon, _single, c.Residual, _z, options.CgTolerance, options.CgMaxIterations, transposedZ: direction) != CgOutcome.Converged)
            return null;
        _iterative = true;
        TensorPrimitives.Negate<double>(direction, direction);
        return new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, Damping = epsilon, LambdaMin = lambdaMin, LinearIterations = _cg.Iterations,
            NtkSeconds = ntk, FactorSeconds = factor, SolveSeconds = clock.Lap(),
        };
    }

    public void Dispose()
    {
        _single.Dispose();
        _exact?.Dispose();
    }
}
