namespace GnKernels.Solvers;

/// <summary>
/// One iteration of a training run (iteration 0 is the starting point), in the spirit of Ceres' IterationSummary.
/// Quantities a method does not compute are NaN. Times are seconds.
/// </summary>
public sealed record IterationRecord
{
    /// <summary>Iteration number; 0 is the initial point.</summary>
    public int Iteration { get; init; }
    /// <summary>L = (1/2N)·Σ(f − y)² on the training set after this iteration.</summary>
    public double TrainLoss { get; init; }
    /// <summary>The same loss on the test set (NaN without one, or between test evaluations).</summary>
    public double TestLoss { get; init; } = double.NaN;
    /// <summary>‖∇L‖ = ‖Jᵀ(f − y)‖/N at the point the step started from.</summary>
    public double GradientNorm { get; init; } = double.NaN;
    /// <summary>‖Δw‖ of the step taken (0 for a rejected step).</summary>
    public double StepNorm { get; init; } = double.NaN;
    /// <summary>Damping ε (or μ) the step was solved with.</summary>
    public double Damping { get; init; } = double.NaN;
    /// <summary>λ_min of the NTK (GN only); below the damping floor ε₀ an upper bound ≤ ε₀ (enough for max(ε₀, λ_min)).</summary>
    public double LambdaMin { get; init; } = double.NaN;
    /// <summary>LAPACK's 1/κ₁ estimate of the damped system.</summary>
    public double ReciprocalCondition { get; init; } = double.NaN;
    /// <summary>Step size α (GGN-SCORE) or learning rate applied.</summary>
    public double StepSize { get; init; } = double.NaN;
    /// <summary>Whether the step was accepted (LM may reject).</summary>
    public bool Accepted { get; init; } = true;
    /// <summary>Damping increases (non-positive-definite retries and LM rejections) in this iteration.</summary>
    public int Retries { get; init; }
    /// <summary>Conjugate-gradient iterations of the step's solve (<see cref="GaussNewtonSolver.Pcg"/>); 0 for a direct solve.</summary>
    public int LinearIterations { get; init; }
    /// <summary>Whether this step assembled and factored the matrix that preconditions the next iterative solves.</summary>
    public bool PreconditionerRefreshed { get; init; }
    /// <summary>Forward pass(es): activations, outputs, losses.</summary>
    public double ForwardSeconds { get; init; }
    /// <summary>Assembling the NTK (or JᵀJ).</summary>
    public double NtkSeconds { get; init; }
    /// <summary>Cholesky factorizations and the λ_min estimate.</summary>
    public double FactorSeconds { get; init; }
    /// <summary>Triangular solves and Jacobian products.</summary>
    public double SolveSeconds { get; init; }
    /// <summary>Updating the weights.</summary>
    public double UpdateSeconds { get; init; }
    /// <summary>Wall time since the run started.</summary>
    public double ElapsedSeconds { get; init; }
    /// <summary>‖w − w₀‖ at this iterate.</summary>
    public double Distance { get; init; } = double.NaN;
    /// <summary>‖[U, b] − [U₀, b₀]‖_F: how far the hidden layer moved (two-layer network only).</summary>
    public double HiddenDistance { get; init; } = double.NaN;
    /// <summary>‖v − v₀‖: how far the output layer moved (two-layer network only).</summary>
    public double OutputDistance { get; init; } = double.NaN;
    /// <summary>λ_min of the NTK A = JJᵀ at this iterate, from all its eigenvalues (with <see cref="TrainingOptions.KernelMetricsInterval"/>).</summary>
    public double NtkLambdaMin { get; init; } = double.NaN;
    /// <summary>λ_max of the NTK.</summary>
    public double NtkLambdaMax { get; init; } = double.NaN;
    /// <summary>κ = λ_max/λ_min of the NTK (+∞ when λ_min ≤ 0 in rounding).</summary>
    public double NtkCondition { get; init; } = double.NaN;
    /// <summary>tr(A⁺) = Σ 1/λᵢ over eigenvalues above N·ε·λ_max: ‖J⁺‖²_F, tr(A⁻¹) when A is well conditioned.</summary>
    public double NtkPseudoInverseTrace { get; init; } = double.NaN;
    /// <summary>‖A − A₀‖_F/‖A₀‖_F: how far the NTK moved from its value at the start.</summary>
    public double NtkDrift { get; init; } = double.NaN;
    /// <summary>
    /// Share of ‖U‖²_F in the span of the teacher's hidden weights (<see cref="TrainingOptions.TeacherHiddenWeights"/>):
    /// about M*/d for random directions, 1 when every unit lies in the teacher's subspace.
    /// </summary>
    public double TeacherAlignment { get; init; } = double.NaN;
}
