namespace GnKernels.Solvers;

/// <summary>Settings of a training run. Defaults follow the papers; see each property.</summary>
public sealed record TrainingOptions
{
    /// <summary>Which method to run.</summary>
    public TrainingMethod Method { get; init; } = TrainingMethod.GaussNewton;

    /// <summary>
    /// λ. GN: the step along δw = −Jᵀ(A + εI)⁻¹(f − y) is λ/N (λ = N is pure Gauss-Newton): with
    /// <see cref="GaussNewtonStepRule.Backtracking"/> the line search's first trial (default N), with
    /// <see cref="GaussNewtonStepRule.Fixed"/> every step (default 10, Arbel's). GD: see <see cref="GradientDescentStep"/>.
    /// Not used by LM, RF and GGN-SCORE.
    /// </summary>
    public double? LearningRate { get; init; }

    /// <summary>How GN moves along its direction: a backtracking line search (default) or Arbel's fixed step.</summary>
    public GaussNewtonStepRule GaussNewtonStep { get; init; } = GaussNewtonStepRule.Backtracking;

    /// <summary>How GD's step is set (<see cref="GradientStepRule.Normalized"/> by default).</summary>
    public GradientStepRule GradientDescentStep { get; init; } = GradientStepRule.Normalized;

    /// <summary>
    /// How GN solves its linear system: exactly (default), or by conjugate gradients preconditioned by an earlier factor
    /// (Pcg), a float32 factor (Mixed), a Nyström sketch (Nystrom) or nothing (Cg). LM and GGN-SCORE take Exact or Pcg (every
    /// damping trial and step solved by CG from the factor of an earlier assembly); GD and RF solve no such system.
    /// </summary>
    public GaussNewtonSolver LinearSolver { get; init; } = GaussNewtonSolver.Exact;

    /// <summary>Nyström: the number k of sampled NTK columns (0, the default: min(N, 512)); memory 2·N·k doubles (the preconditioner's basis, the linearization's column scratch).</summary>
    public int NystromRank { get; init; }

    /// <summary>
    /// CG (<see cref="GaussNewtonSolver.Pcg"/>, <see cref="GaussNewtonSolver.Mixed"/>, <see cref="GaussNewtonSolver.Nystrom"/>,
    /// <see cref="GaussNewtonSolver.Cg"/>): stop at ‖r − (A + εI)z‖ ≤ this × ‖r‖. Null: 1e-6 for all but Mixed, where
    /// the linearized residual after the step is then the exact step's to a millionth of ‖r‖ (at (2000, 5000, 10) a hundred Arbel steps end at the exact
    /// run's losses to four digits, with a third fewer CG iterations than at 1e-10); 1e-10 for Mixed, whose point is
    /// the double-precision solution from a float32 factor. Give 1e-10 for Pcg's steps to the exact ones' digits.
    /// </summary>
    public double? LinearTolerance { get; init; }

    /// <summary>
    /// CG: the iteration limit of one solve, after which Pcg falls back to the exact step and Nystrom rebuilds its
    /// preconditioner; null: 50 for Pcg and Mixed, 500 for Nystrom (at a small ε₀ it needs hundreds), 5000 for Cg.
    /// </summary>
    public int? MaxLinearIterations { get; init; }

    /// <summary>ρₖ of <see cref="DampingSchedule"/>, checked; null without a schedule.</summary>
    internal double? ScheduledDamping(int k)
    {
        if (DampingSchedule is not { } schedule) return null;
        double rho = schedule(k);
        if (!(rho >= 0 && double.IsFinite(rho)))
            throw new ArgumentOutOfRangeException(nameof(DampingSchedule), rho, $"The damping schedule gave ρ = {rho} at iteration {k}; every value must be finite and ≥ 0.");
        return rho;
    }

    /// <summary>The CG tolerance the solver uses (<see cref="LinearTolerance"/> or its default).</summary>
    internal double CgTolerance => LinearTolerance ?? (LinearSolver == GaussNewtonSolver.Mixed ? 1e-10 : 1e-6);

    /// <summary>The CG iteration limit the solver uses (<see cref="MaxLinearIterations"/> or its default).</summary>
    internal int CgMaxIterations => MaxLinearIterations ?? LinearSolver switch
    {
        GaussNewtonSolver.Nystrom => 500,
        GaussNewtonSolver.Cg => 5000,
        _ => 50,
    };

    /// <summary>
    /// PCG and Nyström: a solve that needed more iterations than this refreshes the preconditioner at the next step;
    /// null (the default) decides by cost — PCG once a step cost more than the average step since the last assembly,
    /// that one included; Nyström once a solve took longer than the last build. A count makes runs repeatable
    /// bit for bit (the cost rules depend on the clock).
    /// </summary>
    public int? PreconditionerRefreshIterations { get; init; }

    /// <summary>Fixed damping ε for GN; null uses Arbel's ε = max(ε₀, λ_min(A)).</summary>
    public double? FixedDamping { get; init; }

    /// <summary>
    /// GN: a damping schedule ρₖ, called with the iteration k (1, 2, …) for the ε of that step, as in Levenberg-Marquardt
    /// dynamics with a prescribed damping (Cayci); replaces Arbel's rule. Null (default): no schedule. Setting it and
    /// <see cref="FixedDamping"/> together is an error; each value must be finite and ≥ 0.
    /// </summary>
    public Func<int, double>? DampingSchedule { get; init; }

    /// <summary>ε₀ of Arbel's rule (1e-7).</summary>
    public double DampingFloor { get; init; } = ArbelDamping.DefaultFloor;

    /// <summary>How λ_min(A) is found for Arbel's rule (Lanczos by default; <see cref="SmallestEigenvalueMethod.Exact"/> for dsyevr).</summary>
    public SmallestEigenvalueMethod SmallestEigenvalue { get; init; } = SmallestEigenvalueMethod.Lanczos;

    /// <summary>The Lanczos estimate's relative tolerance on 1/(λ_min + ε₀) (1e-3); it errs high, by about this much.</summary>
    public double SmallestEigenvalueTolerance { get; init; } = 1e-3;

    /// <summary>LM's initial μ, relative to the largest diagonal entry of the first NTK (Nielsen: τ·max Aᵢᵢ, τ = 1e-3).</summary>
    public double InitialDampingScale { get; init; } = 1e-3;

    /// <summary>Stop when the training loss is ≤ this fraction of the initial loss (1e-6).</summary>
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>Stop when ‖∇L‖ at the start of an iteration is ≤ this (0: off).</summary>
    public double GradientTolerance { get; init; }

    /// <summary>Stop when an iteration changes the loss by ≤ this fraction of it, |ΔL| ≤ tol·L (0: off).</summary>
    public double FunctionTolerance { get; init; }

    /// <summary>Stop when a step is ‖Δw‖ ≤ tol·(‖w‖ + tol) (0: off).</summary>
    public double StepTolerance { get; init; }

    /// <summary>A loss above this multiple of the initial loss ends the run as <see cref="TrainingStatus.Diverged"/> (10).</summary>
    public double DivergenceRatio { get; init; } = 10;

    /// <summary>Iteration limit.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Wall-time limit (none by default).</summary>
    public TimeSpan MaxTime { get; init; } = TimeSpan.MaxValue;

    /// <summary>Kernel (N×N) or parameter (P×P) form; automatic picks the smaller.</summary>
    public StepForm Form { get; init; } = StepForm.Automatic;

    /// <summary>Estimate 1/κ₁ of the damped system each iteration (LAPACK pocon, O(N²) per estimate).</summary>
    public bool EstimateCondition { get; init; } = true;

    /// <summary>
    /// Evaluate the test loss every this many iterations (and always at the start and the end); 0 (the default)
    /// evaluates it whenever the time spent on it so far is within <see cref="TestTimeShare"/> of the run's.
    /// </summary>
    public int TestInterval { get; init; }

    /// <summary>With <see cref="TestInterval"/> = 0: the share of the run's time the test loss may take (0.02).</summary>
    public double TestTimeShare { get; init; } = 0.02;

    /// <summary>GGN-SCORE: regularization weight τ (1e-4).</summary>
    public double GgnTau { get; init; } = 1e-4;

    /// <summary>GGN-SCORE: pseudo-Huber μ; null uses √M.</summary>
    public double? GgnMu { get; init; }

    /// <summary>
    /// GGN-SCORE: the constant L of the authors' step rule α = min(1, s/(1 + M_g·η)) with s = min(1/L, 1); null
    /// gives s = 0.5, their code's value when neither L nor a step is set.
    /// </summary>
    public double? GgnLipschitz { get; init; }

    /// <summary>
    /// GGN-SCORE: false (default) uses H = diag(h''(θ)) as the authors' released code does; true uses the textbook
    /// H = τ·diag(h''(θ)), the Hessian of the regularizer as it appears in the objective.
    /// </summary>
    public bool GgnTextbookMetric { get; init; }

    /// <summary>
    /// Measure the NTK's λ_min, λ_max, condition number, tr(A⁺) and drift from A₀ every this many iterations (and at
    /// the start and the end) into <see cref="IterationRecord"/>; 0 (default) does not. Each costs an N×N assembly and
    /// eigenvalue decomposition (O(N²M + N³)) and 3 N×N buffers.
    /// </summary>
    public int KernelMetricsInterval { get; init; }

    /// <summary>
    /// The teacher's hidden weights (M*×d, row-major; <see cref="GnKernels.Data.SyntheticDataset.TeacherHiddenWeights"/>)
    /// to record <see cref="IterationRecord.TeacherAlignment"/>; null (default) does not.
    /// </summary>
    public double[]? TeacherHiddenWeights { get; init; }

    /// <summary>Called after every iteration with its record and views of w and the solve vector; see <see cref="IterationCallback"/>.</summary>
    public IterationCallback? OnIteration { get; init; }
}
