namespace GnKernels.Solvers;

/// <summary>
/// How a Gauss-Newton step gets its direction δw = −Jᵀ(A + εI)⁻¹r (kernel form) or −(JᵀJ + εI)⁻¹Jᵀr (parameter form):
/// one strategy per <see cref="GaussNewtonSolver"/>, each owning its matrices, preconditioner and damping choice.
/// <see cref="GaussNewtonMethod"/> turns the direction into a step (fixed or backtracking).
/// </summary>
internal interface IGaussNewtonDirection : IDisposable
{
    /// <summary>
    /// Fills <paramref name="direction"/> (P entries) with δw at the step's point and returns the step's record so far:
    /// gradient norm, damping, λ_min, linear iterations, phase times.
    /// </summary>
    IterationRecord Compute(StepContext c, int k, ref PhaseClock clock, Span<double> direction);

    /// <summary>z = (A + εI)⁻¹r of the last step (N entries) in the kernel form; the parameter form's solve vector otherwise.</summary>
    ReadOnlySpan<double> SolveVector { get; }
}
