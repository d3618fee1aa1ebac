using GnKernels.Linalg;

namespace GnKernels.Solvers;

/// <summary>z = M⁻¹·r for a symmetric positive definite M ≈ A + εI: what <see cref="ConjugateGradient"/> is preconditioned with.</summary>
internal interface IPreconditioner
{
    void Apply(ReadOnlySpan<double> r, Span<double> z);
}

/// <summary>The Cholesky factor of an earlier (A + εI): M⁻¹·r by its two triangular solves.</summary>
internal sealed class CholeskyPreconditioner(Cholesky<double> factor) : IPreconditioner
{
    public void Apply(ReadOnlySpan<double> r, Span<double> z)
    {
        r.CopyTo(z);
        factor.Solve(z);
    }
}

/// <summary>No preconditioning: z = r.</summary>
internal sealed class IdentityPreconditioner : IPreconditioner
{
    public static IdentityPreconditioner Instance { get; } = new();

    public void Apply(ReadOnlySpan<double> r, Span<double> z) => r.CopyTo(z);
}
