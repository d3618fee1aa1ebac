namespace GnKernels.Solvers;

/// <summary>
/// Called after every iteration with its record, read-only views of the parameters w after the step and of the
/// step's solve vector (z = (A + εI)⁻¹·r for the kernel-form methods; empty for methods without one). The views are
/// valid only during the call: copy what you keep. Returns what the run does next.
/// </summary>
public delegate IterationDecision IterationCallback(IterationRecord record, ReadOnlySpan<double> parameters, ReadOnlySpan<double> solveVector);

/// <summary>What an <see cref="IterationCallback"/> asks the run to do next.</summary>
public enum IterationDecision
{
    /// <summary>Go on.</summary>
    Continue,

    /// <summary>Stop now; the run ends with <see cref="TrainingStatus.Stopped"/>.</summary>
    Stop,

    /// <summary>Stop now and count the run as converged (<see cref="TrainingStatus.Converged"/>).</summary>
    Succeed,
}
