namespace GnKernels.Solvers;

/// <summary>Settings of a training run. Defaults follow the papers; see each property.</summary>
public sealed record TrainingOptions
{
    /// <summary>Which method to run.</summary>
    public TrainingMethod Method { get; init; } = TrainingMethod.GaussNewton;

    /// <summary>
    /// λ. GN: the step is w ← w − λ·Jᵀ(A + εI)⁻¹(f − y)/N, so λ = 10 (Arbel, the default) is a step of λ/N on the raw
    /// residual and λ = N is pure Gauss-Newton. GD: see <see cref="GradientDescentStep"/>. Not used by LM, RF and GGN-SCORE.
    /// </summary>
    public double? LearningRate { get; init; }

    /// <summary>How GD's step is set (<see cref="GradientStepRule.Normalized"/> by default).</summary>
    public GradientStepRule GradientDescentStep { get; init; } = GradientStepRule.Normalized;

    /// <summary>Fixed damping ε for GN; null uses Arbel's ε = max(ε₀, λ_min(A)).</summary>
    public double? FixedDamping { get; init; }

    /// <summary>ε₀ of Arbel's rule (1e-7).</summary>
    public double DampingFloor { get; init; } = ArbelDamping.DefaultFloor;

    /// <summary>LM's initial μ, relative to the largest diagonal entry of the first NTK (Nielsen: τ·max Aᵢᵢ, τ = 1e-3).</summary>
    public double InitialDampingScale { get; init; } = 1e-3;

    /// <summary>Stop when the training loss is ≤ this fraction of the initial loss (1e-6).</summary>
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>Iteration limit.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Wall-time limit (none by default).</summary>
    public TimeSpan MaxTime { get; init; } = TimeSpan.MaxValue;

    /// <summary>Kernel (N×N) or parameter (P×P) form; automatic picks the smaller.</summary>
    public StepForm Form { get; init; } = StepForm.Automatic;

    /// <summary>Estimate 1/κ₁ of the damped system each iteration (LAPACK pocon, O(N²) per estimate).</summary>
    public bool EstimateCondition { get; init; } = true;

    /// <summary>Evaluate the test loss every this many iterations (and at the start and end).</summary>
    public int TestInterval { get; init; } = 1;

    /// <summary>GGN-SCORE: regularization weight τ (1e-4).</summary>
    public double GgnTau { get; init; } = 1e-4;

    /// <summary>GGN-SCORE: pseudo-Huber μ; null uses √M.</summary>
    public double? GgnMu { get; init; }

    /// <summary>
    /// GGN-SCORE: false (default) uses H = diag(h''(θ)) as the authors' released code does; true uses the textbook
    /// H = τ·diag(h''(θ)), the Hessian of the regularizer as it appears in the objective.
    /// </summary>
    public bool GgnTextbookMetric { get; init; }

    /// <summary>Called after every iteration with its record; return false to stop the run.</summary>
    public Func<IterationRecord, bool>? OnIteration { get; init; }
}
