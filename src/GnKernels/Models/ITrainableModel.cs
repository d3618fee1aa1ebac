namespace GnKernels.Models;

/// <summary>
/// What the solvers train: a least-squares problem with residuals r(w) = f(w) − y over N samples and P parameters,
/// minimizing L(w) = ‖r(w)‖²/(2N). <see cref="TwoLayerSiluRegression"/> is one; any model with a Jacobian can be
/// another (<see cref="ExplicitJacobian"/> wraps a dense one).
/// </summary>
/// <remarks>
/// The solvers call <see cref="Linearize"/> once per accepted point and <see cref="Residual"/> for trial points
/// (line searches, rejected Levenberg-Marquardt steps) and test sets; a trial must not disturb the last
/// linearization. Implementations may assume one caller at a time.
/// </remarks>
public interface ITrainableModel
{
    /// <summary>N, the number of residuals (samples).</summary>
    int SampleCount { get; }

    /// <summary>P, the number of parameters.</summary>
    int ParameterCount { get; }

    /// <summary>
    /// Writes r = f(w) − y into <paramref name="residual"/> (N) and returns the Jacobian J = ∂f/∂w at
    /// <paramref name="w"/> (P), valid until the next call; its products and Gram matrices are what the solvers use.
    /// </summary>
    IJacobian Linearize(ReadOnlySpan<double> w, Span<double> residual);

    /// <summary>Writes r = f(w) − y into <paramref name="residual"/> (N) without touching the last linearization.</summary>
    void Residual(ReadOnlySpan<double> w, Span<double> residual);
}
