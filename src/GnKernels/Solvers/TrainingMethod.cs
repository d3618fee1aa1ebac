namespace GnKernels.Solvers;

/// <summary>The training methods of <see cref="Trainer"/>.</summary>
public enum TrainingMethod
{
    /// <summary>Gauss-Newton as in Arbel et al.: w ← w − λ·Jᵀ(A + εI)⁻¹g, g = (f − y)/N, ε = max(ε₀, λ_min(A)).</summary>
    GaussNewton,

    /// <summary>Levenberg-Marquardt on the raw residual with Nielsen's damping; rejected steps leave w unchanged.</summary>
    LevenbergMarquardt,

    /// <summary>Gradient descent on L = (1/2N)·‖f − y‖² with step λ/L̂, L̂ = λ_max(JJᵀ)/N at the start.</summary>
    GradientDescent,

    /// <summary>Random features: hidden layer frozen, minimum-norm interpolating output layer in one solve.</summary>
    RandomFeatures,

    /// <summary>GGN-SCORE (Adeoye et al.): generalized GN with a pseudo-Huber self-concordant regularizer setting the step.</summary>
    GgnScore,
}

/// <summary>How a training run ended.</summary>
public enum TrainingStatus
{
    /// <summary>The training loss fell to the relative tolerance times the initial loss.</summary>
    Converged,

    /// <summary>The iteration limit was reached.</summary>
    MaxIterations,

    /// <summary>The time limit was reached.</summary>
    MaxTime,

    /// <summary>The per-iteration callback asked to stop.</summary>
    Stopped,

    /// <summary>The loss became NaN or ∞ (<see cref="TrainingResult.FailedIteration"/>); the weights are those before that step.</summary>
    Diverged,

    /// <summary>The linear system could not be solved even after raising the damping; the weights are the last good ones.</summary>
    NotSolvable,
}
