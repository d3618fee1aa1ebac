using System.Diagnostics;
using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>How a conjugate-gradient solve ended.</summary>
internal enum CgOutcome
{
    /// <summary>‖b − (A + εI)z‖ ≤ tolerance·‖b‖.</summary>
    Converged,

    /// <summary>The iteration limit or the deadline came first.</summary>
    Stagnated,

    /// <summary>pᵀ(A + εI)p ≤ 0: the operator or the preconditioner is not positive definite.</summary>
    Indefinite,
}

/// <summary>
/// Preconditioned conjugate gradients on the kernel-form GN system (J·W·Jᵀ + εI)·z = r (W = I, or a diagonal metric
/// W = M⁻¹ for GGN-SCORE), the product applied matrix-free as J·(W·Jᵀp) + εp through the model's <see cref="IJacobian"/> (about 4NM(d+1) flops, against 2N²M to assemble J·Jᵀ),
/// and the preconditioner a Cholesky factor of an earlier iterate's shifted matrix (along a GN run with small steps
/// the matrix changes slowly, so a few iterations reach a tight tolerance) or a Nyström approximation (no N×N
/// matrix at all). Buffers are allocated once.
/// </summary>
internal sealed class ConjugateGradient(int rows, int columns)
{
    private readonly double[] _residual = new double[rows], _direction = new double[rows], _product = new double[rows],
        _preconditioned = new double[rows], _parameters = new double[columns];

    /// <summary>Iterations of the last solve.</summary>
    public int Iterations { get; private set; }

    /// <summary>b − (J·W·Jᵀ + εI)·z of the last solve, as CG's recurrence carries it (N entries).</summary>
    public ReadOnlySpan<double> Residual => _residual;

    /// <summary>
    /// z ≈ (J·W·Jᵀ + εI)⁻¹·b with W = diag(<paramref name="metricInverse"/>) (P entries; empty: W = I),
    /// preconditioned by <paramref name="preconditioner"/>, starting from z = 0 or, with <paramref name="warmStart"/>,
    /// from the z passed in (one product more; along a run of small steps the last step's z is close to this one's). <paramref name="transposedZ"/> (P entries, or empty) receives W·Jᵀz, the GN
    /// step's direction, without a product of its own: every product forms W·Jᵀp on its way, so W·Jᵀz is summed as
    /// W·Jᵀz₀ + Σ αₖ·W·Jᵀpₖ alongside z (what the caller would otherwise pay one more pass over J for; its rounding
    /// differs from Jᵀ applied to the final z by a few ULPs of the terms). Past <paramref name="deadline"/> (a
    /// <see cref="Stopwatch"/> timestamp) no further iteration starts. A caller that has formed
    /// W·Jᵀz₀ and J·W·Jᵀz₀ for the warm start (batched with products of its own) passes them as
    /// <paramref name="startTransposed"/> and <paramref name="startKernel"/>, and the start costs no product.
    /// </summary>
    public CgOutcome Solve(IJacobian jacobian, double epsilon, IPreconditioner preconditioner, ReadOnlySpan<double> b, Span<double> z,
        double tolerance, int maxIterations, bool warmStart = false, Span<double> transposedZ = default, ReadOnlySpan<double> metricInverse = default,
        long deadline = long.MaxValue, ReadOnlySpan<double> startTransposed = default, ReadOnlySpan<double> startKernel = default)
    {
        bool tracked = !transposedZ.IsEmpty;
        double bNorm = TensorPrimitives.Norm(b), target = tolerance * bNorm;
        Iterations = 0;
        if (warmStart)
        {
            if (startKernel.IsEmpty) Apply(jacobian, epsilon, metricInverse, z, _product);
            else
            {
                startTransposed.CopyTo(_parameters);
                TensorPrimitives.MultiplyAdd(z, epsilon, startKernel, _product);
            }
            TensorPrimitives.Subtract(b, _product, _residual); // r = b − (J·W·Jᵀ + εI)z
            if (tracked) _parameters.CopyTo(transposedZ);
        }
        else
        {
            z.Clear();
            b.CopyTo(_residual);
            transposedZ.Clear();
        }
        if (bNorm == 0) { z.Clear(); transposedZ.Clear(); _residual.AsSpan().Clear(); return CgOutcome.Converged; }
        if (TensorPrimitives.Norm<double>(_residual) <= target) return CgOutcome.Converged;
        Precondition(preconditioner);
        _preconditioned.CopyTo(_direction, 0);
        double rz = TensorPrimitives.Dot<double>(_residual, _preconditioned);
        while (Iterations < maxIterations && (deadline == long.MaxValue || Stopwatch.GetTimestamp() < deadline))
        {
            Iterations++;
            Apply(jacobian, epsilon, metricInverse, _direction, _product);
            double curvature = TensorPrimitives.Dot<double>(_direction, _product);
            if (!(curvature > 0)) return CgOutcome.Indefinite;
            double alpha = rz / curvature;
            TensorPrimitives.MultiplyAdd(_direction, alpha, z, z);
            if (tracked) TensorPrimitives.MultiplyAdd(_parameters, alpha, transposedZ, transposedZ); // Apply left Jᵀp there
            TensorPrimitives.MultiplyAdd(_product, -alpha, _residual, _residual);
            if (TensorPrimitives.Norm<double>(_residual) <= target) return CgOutcome.Converged;
            Precondition(preconditioner);
            double rzNext = TensorPrimitives.Dot<double>(_residual, _preconditioned);
            TensorPrimitives.MultiplyAdd(_direction, rzNext / rz, _preconditioned, _direction); // p = M⁻¹r + β·p
            rz = rzNext;
        }
        return CgOutcome.Stagnated;
    }

    private void Precondition(IPreconditioner preconditioner) => preconditioner.Apply(_residual, _preconditioned);

    /// <summary>result = (J·W·Jᵀ + εI)·p, matrix-free.</summary>
    private void Apply(IJacobian jacobian, double epsilon, ReadOnlySpan<double> metricInverse, ReadOnlySpan<double> p, Span<double> result)
    {
        jacobian.MultiplyTransposed(p, _parameters);
        if (!metricInverse.IsEmpty) TensorPrimitives.Multiply(_parameters, metricInverse, _parameters);
        jacobian.Multiply(_parameters, result);
        TensorPrimitives.MultiplyAdd(p, epsilon, result, result);
    }
}
