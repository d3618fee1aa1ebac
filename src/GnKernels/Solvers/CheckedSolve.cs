namespace GnKernels.Solvers;

/// <summary>A damped solve that turns "not solvable" into the typed failure the driver reports.</summary>
internal static class CheckedSolve
{
    public static StepDiagnostics Run(GaussNewtonSystem system, double damping, ReadOnlySpan<double> rhs, Span<double> step, int k)
    {
        if (!system.TrySolve(damping, rhs, step, out var diagnostics))
            throw new NotSolvableException(
                $"iteration {k}: the {system.Form} system stayed indefinite after {diagnostics.Retries} damping increases (last ε = {diagnostics.Damping:G3}).");
        return diagnostics;
    }
}
