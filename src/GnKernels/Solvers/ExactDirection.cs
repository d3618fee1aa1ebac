using System.Numerics.Tensors;
using GnKernels.Linalg;

namespace GnKernels.Solvers;

/// <summary>
/// The exact step (<see cref="GaussNewtonSolver.Exact"/>): assemble A = J·Jᵀ (or JᵀJ), choose Arbel's ε = max(ε₀,
/// λ_min(A)) by Lanczos on the factor (or a fixed or scheduled ε), factor and solve. Its factor and Ritz vector are
/// what <see cref="PcgDirection"/> reuses between assemblies, and it is every iterative strategy's fallback.
/// </summary>
internal sealed class ExactDirection(StepContext context) : IGaussNewtonDirection
{
    private readonly GaussNewtonSystem _system = new(context.N, context.P,
        context.Options.LinearSolver == GaussNewtonSolver.Exact ? context.Options.Form : StepForm.Kernel, context.Options.EstimateCondition);
    private readonly double[] _product = new double[context.N];

    /// <summary>The system of the last step: its factor and the Lanczos Ritz vector.</summary>
    public GaussNewtonSystem System => _system;

    /// <summary>The ε the last step solved with; NaN before the first.</summary>
    public double Damping { get; private set; } = double.NaN;

    /// <summary>What the last step cost: assembly, damping choice, factorization and solve.</summary>
    public double Seconds { get; private set; }

    public ReadOnlySpan<double> SolveVector => _system.SolveVector;

    public IterationRecord Compute(StepContext c, int k, ref PhaseClock clock, Span<double> direction)
    {
        var options = c.Options;
        _system.Assemble(c.Jacobian);
        double gradientNorm = GradientNorm(c);
        double ntk = clock.Lap();

        double lambdaMin = double.NaN;
        double epsilon = options.ScheduledDamping(k) ?? options.FixedDamping ?? _system.ChooseArbelDamping(options.DampingFloor, out lambdaMin,
            options.SmallestEigenvalue, options.SmallestEigenvalueTolerance);
        double factor = clock.Lap();

        var diagnostics = CheckedSolve.Run(_system, epsilon, c.Residual, direction, k);
        double rcond = options.EstimateCondition ? _system.ReciprocalCondition() : double.NaN;
        double solve = clock.Lap();
        (Damping, Seconds) = (diagnostics.Damping, ntk + factor + solve);
        return new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, Damping = diagnostics.Damping, LambdaMin = lambdaMin,
            ReciprocalCondition = rcond, Retries = diagnostics.Retries, NtkSeconds = ntk, FactorSeconds = factor, SolveSeconds = solve,
        };
    }

    /// <summary>
    /// ‖∇L‖ = ‖Jᵀr‖/N; in the kernel form from the just-assembled A = JJᵀ as √(rᵀAr)/N, O(N²) instead of another pass
    /// over J (its rounding is relative to λ_max/λ_min·Nε, ample for a diagnostic).
    /// </summary>
    private double GradientNorm(StepContext c)
    {
        if (_system.Form != StepForm.Kernel) return c.GradientNorm();
        Blas.SymvLower(1.0, _system.Matrix, c.Residual, 0.0, _product);
        return Math.Sqrt(Math.Max(TensorPrimitives.Dot<double>(c.Residual, _product), 0)) / c.N;
    }

    public void Dispose() => _system.Dispose();
}
