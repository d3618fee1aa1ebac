namespace GnKernels.Solvers;

/// <summary>The training methods of <see cref="Trainer"/>.</summary>
public enum TrainingMethod
{
    /// <summary>
    /// Gauss-Newton with Arbel et al.'s damping ε = max(ε₀, λ_min(A)) along δw = −Jᵀ(A + εI)⁻¹(f − y); the step
    /// follows <see cref="TrainingOptions.GaussNewtonStep"/> (a line search by default, Arbel's fixed step by name).
    /// </summary>
    GaussNewton,

    /// <summary>Levenberg-Marquardt on the raw residual with Nielsen's damping; rejected steps leave w unchanged.</summary>
    LevenbergMarquardt,

    /// <summary>Gradient descent on L = (1/2N)·‖f − y‖²; the step follows <see cref="TrainingOptions.GradientDescentStep"/>.</summary>
    GradientDescent,

    /// <summary>Random features: hidden layer frozen, minimum-norm interpolating output layer in one solve.</summary>
    RandomFeatures,

    /// <summary>GGN-SCORE (Adeoye et al.): generalized GN with a pseudo-Huber self-concordant regularizer setting the step.</summary>
    GgnScore,
}

/// <summary>How Gauss-Newton moves along its direction δw = −Jᵀ(A + εI)⁻¹(f − y).</summary>
public enum GaussNewtonStepRule
{
    /// <summary>
    /// w ← w + α·δw with α from λ/N (λ = N by default, the full step) halved until the loss falls by Armijo's rule
    /// (L(w + αδw) ≤ L(w) + 10⁻⁴·α·∇L·δw): the loss never rises; if no α does it, the run ends as
    /// <see cref="TrainingStatus.Stalled"/>.
    /// </summary>
    Backtracking,

    /// <summary>
    /// Arbel et al.'s fixed step w ← w − λ·Jᵀ(A + εI)⁻¹g with g = (f − y)/N, λ = 10 by default (a step of λ/N on the
    /// raw residual; λ = N is pure Gauss-Newton). No acceptance test: use it to reproduce the paper.
    /// </summary>
    Fixed,
}

/// <summary>How Gauss-Newton solves its linear system.</summary>
public enum GaussNewtonSolver
{
    /// <summary>Assemble A = J·Jᵀ (or JᵀJ) and factor A + εI by Cholesky every step.</summary>
    Exact,

    /// <summary>
    /// Preconditioned conjugate gradients on (J·Jᵀ + εI)z = r with matrix-free products, preconditioned by the Cholesky
    /// factor of an earlier step's matrix — for <see cref="Models.TwoLayerSilu"/> assembled and factored in float32 as
    /// <see cref="Mixed"/> does, its step refined by CG (half the memory, about 0.75 of a double assembly's time), for
    /// other models in double — refreshed once a step costs more than the average step since the last
    /// assembly, that one included (or see <see cref="TrainingOptions.PreconditionerRefreshIterations"/>); between
    /// assemblies Arbel's ε comes from an eigenvector estimate carried from step to step. A failed solve falls back to
    /// the exact step (counted in <see cref="IterationRecord.Retries"/>). Kernel form only. It pays where assembling
    /// J·Jᵀ (2N²M flops) costs many matrix-free products (4NM(d+1) flops each, memory-bound): large N.
    /// </summary>
    Pcg,

    /// <summary>
    /// Conjugate gradients with matrix-free products, preconditioned by a randomized Nyström approximation of J·Jᵀ from
    /// <see cref="TrainingOptions.NystromRank"/> sampled columns (Frangella, Tropp and Udell): no N×N matrix is ever
    /// formed, so memory is O(N·(M + k)) and N can exceed what the dense forms fit. The damping is ε₀
    /// (<see cref="TrainingOptions.DampingFloor"/>, or a fixed ε or schedule): λ_min(A) is not estimated, and it is 0
    /// whenever N exceeds P. The preconditioner is rebuilt when a solve took longer than its last build, or failed; each
    /// solve starts from the last step's z.
    /// </summary>
    Nystrom,

    /// <summary>
    /// Every step assembles J·Jᵀ and factors A + εI in float32 (SSYRK, SPOTRF: about twice the double rate, half the
    /// memory); conjugate gradients in double with matrix-free products, preconditioned by that factor, refine z to
    /// <see cref="TrainingOptions.LinearTolerance"/> (1e-10 by default). ε = max(ε₀, λ_min) with λ_min from Lanczos on
    /// the float32 factor. When the float32 factor or CG fails the step falls back to the exact double step (counted in
    /// <see cref="IterationRecord.Retries"/>). Kernel form, <see cref="Models.TwoLayerSilu"/> only.
    /// </summary>
    Mixed,

    /// <summary>
    /// Conjugate gradients with matrix-free products and no preconditioner: the least memory of all (Φ and E, a few
    /// N-vectors), for systems damped well above the bulk of A's spectrum, and the baseline the preconditioners are
    /// measured against. The damping is that of <see cref="Nystrom"/>; each solve starts from the last step's z, and a
    /// solve that does not converge ends the run as not solvable.
    /// </summary>
    Cg,
}

/// <summary>How gradient descent sets its step w ← w − η·∇L.</summary>
public enum GradientStepRule
{
    /// <summary>
    /// η = λ/L̂ with L̂ = λ_max(JJᵀ)/N at the start (the loss's Gauss-Newton smoothness there), λ = 1 by default:
    /// stable and scale-free, so it converges in hundreds to thousands of steps whatever the output scaling.
    /// </summary>
    Normalized,

    /// <summary>
    /// η = λ, λ = 10 by default: Arbel et al.'s GD. With the 1/M output scaling ∇L is O(1/M) per parameter, so the
    /// paper runs up to 10⁷ iterations; use it to reproduce their curves, not to train quickly.
    /// </summary>
    Literal,
}

/// <summary>How a training run ended.</summary>
public enum TrainingStatus
{
    /// <summary>A convergence test held (relative loss, gradient, function change or step tolerance; or the callback said so): see the message.</summary>
    Converged,

    /// <summary>The iteration limit was reached.</summary>
    MaxIterations,

    /// <summary>The time limit was reached.</summary>
    MaxTime,

    /// <summary>The per-iteration callback asked to stop.</summary>
    Stopped,

    /// <summary>
    /// The loss became NaN or ∞, or rose above <see cref="TrainingOptions.DivergenceRatio"/> × its initial value, at
    /// <see cref="TrainingResult.FailedIteration"/> (the weights are those before that step); or the run reached its
    /// iteration or time limit with the loss above its initial value (the weights are the last ones).
    /// </summary>
    Diverged,

    /// <summary>No acceptable step was found (line search or Levenberg-Marquardt rejections exhausted); the weights are the last accepted ones.</summary>
    Stalled,

    /// <summary>The linear system could not be solved even after raising the damping; the weights are the last good ones.</summary>
    NotSolvable,
}
