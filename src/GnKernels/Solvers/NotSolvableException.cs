namespace GnKernels.Solvers;

/// <summary>
/// A Gauss-Newton system stayed numerically indefinite (or non-finite) after the allowed number of damping
/// increases. The weights were not changed.
/// </summary>
public sealed class NotSolvableException(string message) : ArithmeticException(message);
