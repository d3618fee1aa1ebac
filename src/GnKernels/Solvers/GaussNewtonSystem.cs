using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// The Gauss-Newton step primitive for other solvers to build on:
/// (J·M⁻¹·Jᵀ + εI)·z = r, δw = −M⁻¹·Jᵀz (kernel form, N×N), or (JᵀJ + εI)·δ = Jᵀr, δw = −δ (parameter form,
/// P×P, M = I). Both give the same δw for ε &gt; 0 (push-through identity). With M = I, E = εI this is
/// Levenberg-Marquardt; a diagonal metric M gives Marquardt scaling and GGN-SCORE.
/// </summary>
/// <remarks>
/// <see cref="Assemble"/> forms the matrix once per point; <see cref="TrySolve"/> factors it with a shift and may
/// be called again with other damping (rejected LM steps, retries) without re-assembling: the Cholesky keeps the
/// assembled matrix in the spare upper triangle. The matrix is allocated once, in the constructor.
/// </remarks>
public sealed class GaussNewtonSystem : IDisposable
{
    private readonly DenseMatrix<double> _matrix;
    private readonly Cholesky<double> _cholesky;
    private readonly double[] _z, _scratchN, _scratchP, _metricInverse;
    private IJacobian? _jacobian;
    private bool _hasMetric;

    /// <summary>Allocates the N×N (kernel) or P×P (parameter) matrix for a Jacobian of <paramref name="rows"/>×<paramref name="columns"/>.</summary>
    public GaussNewtonSystem(int rows, int columns, StepForm form = StepForm.Automatic, bool estimateCondition = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        Rows = rows;
        Columns = columns;
        Form = form == StepForm.Automatic ? (rows <= columns ? StepForm.Kernel : StepForm.Parameter) : form;
        int order = Form == StepForm.Kernel ? rows : columns;
        _matrix = new DenseMatrix<double>(order, order);
        _cholesky = new Cholesky<double>(_matrix, keepInput: true, estimateCondition);
        _z = new double[order];
        _scratchN = new double[rows];
        _scratchP = new double[columns];
        _metricInverse = new double[columns];
    }

    /// <summary>N, outputs.</summary>
    public int Rows { get; }

    /// <summary>P, parameters.</summary>
    public int Columns { get; }

    /// <summary>The form in use (never <see cref="StepForm.Automatic"/>).</summary>
    public StepForm Form { get; }

    /// <summary>The factorization of the last successful <see cref="TrySolve"/>, e.g. for <see cref="SmallestEigenvalue"/>.</summary>
    public Cholesky<double> Factorization => _cholesky;

    /// <summary>The assembled matrix (lower triangle) before any factorization; valid after <see cref="Assemble"/>.</summary>
    public DenseMatrix<double> Matrix => _matrix;

    /// <summary>
    /// Forms J·M⁻¹·Jᵀ (kernel form) or JᵀJ (parameter form) at the current point. <paramref name="metricInverse"/>
    /// is the diagonal of M⁻¹ (P entries, positive); empty means M = I. The parameter form supports only M = I.
    /// </summary>
    public void Assemble(IJacobian jacobian, ReadOnlySpan<double> metricInverse = default)
    {
        ArgumentNullException.ThrowIfNull(jacobian);
        if (jacobian.Rows != Rows || jacobian.Columns != Columns)
            Guard.ThrowArgument(nameof(jacobian), $"jacobian is {jacobian.Rows}×{jacobian.Columns} but this system was created for {Rows}×{Columns}.");
        _hasMetric = !metricInverse.IsEmpty;
        if (_hasMetric)
        {
            if (Form == StepForm.Parameter)
                Guard.ThrowArgument(nameof(metricInverse), "A parameter metric needs the kernel form; create the system with StepForm.Kernel.");
            Guard.Length(metricInverse.Length, Columns, nameof(metricInverse), $"one entry per parameter, P = {Columns}");
            metricInverse.CopyTo(_metricInverse);
            jacobian.WeightedNtk(metricInverse, _matrix);
        }
        else if (Form == StepForm.Kernel) jacobian.Ntk(_matrix);
        else jacobian.ParameterGram(_matrix);
        _cholesky.Reset();
        _jacobian = jacobian;
    }

    /// <summary>
    /// Solves for the full step δw (before any learning rate) with damping ε, raising ε tenfold (from at least
    /// 1e-12 of the matrix's largest diagonal entry) up to <paramref name="maxRetries"/> times while the shifted
    /// matrix is not numerically positive definite. Returns false, leaving <paramref name="step"/> untouched, if
    /// it never is.
    /// </summary>
    public bool TrySolve(double damping, ReadOnlySpan<double> residual, Span<double> step, out StepDiagnostics diagnostics, int maxRetries = 8)
    {
        var j = _jacobian ?? throw new InvalidOperationException("Call Assemble before TrySolve.");
        if (!(damping >= 0) || double.IsInfinity(damping))
            Guard.ThrowArgument(nameof(damping), $"damping must be finite and ≥ 0; it is {damping}.");
        Guard.Length(residual.Length, Rows, nameof(residual), $"the N = {Rows} outputs");
        Guard.Length(step.Length, Columns, nameof(step), $"the P = {Columns} parameters");
        Guard.Finite(residual, nameof(residual));

        double epsilon = damping;
        int retries = 0;
        // A factor already made with this shift (e.g. for the λ_min estimate) is reused, not recomputed.
        while (!(_cholesky.IsFactored && _cholesky.Shift == epsilon) && !_cholesky.TryFactor(epsilon, out _))
        {
            if (retries == maxRetries) { diagnostics = new(epsilon, retries, 0, 0); return false; }
            epsilon = Math.Max(10 * epsilon, 1e-12 * MaxDiagonal());
            retries++;
        }

        double predicted, normSquared;
        if (Form == StepForm.Kernel)
        {
            residual.CopyTo(_z);
            _cholesky.Solve(_z);
            j.MultiplyTransposed(_z, step);
            if (_hasMetric) TensorPrimitives.Multiply(step, _metricInverse, step);
            TensorPrimitives.Negate(step, step);
            double rz = TensorPrimitives.Dot(residual, _z), zz = TensorPrimitives.Dot<double>(_z, _z);
            double rr = TensorPrimitives.Dot(residual, residual);
            predicted = 0.5 * (rr - epsilon * epsilon * zz); // linearized residual after the step is ε·z
            normSquared = rz - epsilon * zz;                 // zᵀ·A·z with A·z = r − εz
        }
        else
        {
            j.MultiplyTransposed(residual, _z);
            _cholesky.Solve(_z);
            TensorPrimitives.Negate<double>(_z, step);
            j.Multiply(step, _scratchN);
            TensorPrimitives.Add(_scratchN, residual, _scratchN); // r + J·δw
            predicted = 0.5 * (TensorPrimitives.Dot(residual, residual) - TensorPrimitives.Dot<double>(_scratchN, _scratchN));
            normSquared = TensorPrimitives.Dot<double>(_z, _z);
        }
        diagnostics = new(epsilon, retries, predicted, normSquared);
        return true;
    }

    /// <summary>1/κ₁ of the last factored matrix (LAPACK pocon); needs <c>estimateCondition</c> at construction.</summary>
    public double ReciprocalCondition() => _cholesky.ReciprocalCondition();

    /// <summary>Frees the matrix.</summary>
    public void Dispose() => _matrix.Dispose();

    /// <summary>The largest |Aᵢᵢ| of the assembled matrix (its scale, for damping relative to it).</summary>
    internal double MaxDiagonal()
    {
        double max = 0;
        for (int i = 0; i < _matrix.Rows; i++) max = Math.Max(max, Math.Abs(_matrix[i, i]));
        return max;
    }
}
