namespace GnKernels.Solvers;

/// <summary>How λ_min of an assembled Gauss-Newton matrix is found for Arbel's damping.</summary>
public enum SmallestEigenvalueMethod
{
    /// <summary>
    /// Lanczos on the inverse through the step's own Cholesky factor, warm-started: a few solves. An upper bound;
    /// within its tolerance of λ_min on well-separated spectra.
    /// </summary>
    Lanczos,

    /// <summary>LAPACK's <c>dsyevr</c> on a copy of the matrix: exact to rounding, O(N³) and one more N×N buffer.</summary>
    Exact,
}
