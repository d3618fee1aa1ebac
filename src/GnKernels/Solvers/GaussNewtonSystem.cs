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
/// The protocol: <see cref="Assemble"/> forms the matrix once per point; optionally <see cref="ChooseArbelDamping"/>
/// estimates λ_min of that matrix; <see cref="TrySolve"/> factors it with a shift and may be called again with other
/// damping (rejected LM steps, retries) without re-assembling, since the Cholesky keeps the assembled matrix in the
/// spare upper triangle. A factor made for the λ_min estimate at the same shift is reused. The matrix is allocated
/// once, in the constructor.
/// </remarks>
public sealed class GaussNewtonSystem : IDisposable
{
    private readonly DenseMatrix<double> _matrix;
    private readonly Cholesky<double> _cholesky;
    private readonly double[] _z, _scratchN, _scratchP, _metricInverse;
    private IJacobian? _jacobian;
    private SmallestEigenvalue? _lanczos;
    private bool _hasMetric, _disposed;

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

    /// <summary>The factorization of the last successful <see cref="TrySolve"/>.</summary>
    internal Cholesky<double> Factorization => _cholesky;

    /// <summary>The Ritz vector of the last Lanczos λ_min estimate (unit length), or empty if there was none.</summary>
    internal ReadOnlySpan<double> RitzVector => _lanczos is null ? default : _lanczos.RitzVector;

    /// <summary>The assembled matrix (lower triangle) before any factorization; valid after <see cref="Assemble"/>.</summary>
    internal DenseMatrix<double> Matrix => _matrix;

    /// <summary>
    /// The solve vector of the last successful <see cref="TrySolve"/>: z = (J·M⁻¹·Jᵀ + εI)⁻¹·r in the kernel form
    /// (N entries), (JᵀJ + εI)⁻¹·Jᵀr in the parameter form (P entries). Read-only; overwritten by the next solve.
    /// </summary>
    public ReadOnlySpan<double> SolveVector => _z;

    /// <summary>
    /// Forms J·M⁻¹·Jᵀ (kernel form) or JᵀJ (parameter form) at the current point. <paramref name="metricInverse"/>
    /// is the diagonal of M⁻¹ (P entries, positive); empty means M = I. The parameter form supports only M = I.
    /// </summary>
    public void Assemble(IJacobian jacobian, ReadOnlySpan<double> metricInverse = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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
    /// Arbel et al.'s damping ε = max(<paramref name="floor"/>, λ_min(A)) for the assembled matrix A, with λ_min as
    /// estimated in <paramref name="smallestEigenvalue"/>. <see cref="SmallestEigenvalueMethod.Lanczos"/> works
    /// through the factor of A + floor·I (which the next <see cref="TrySolve"/> at ε = floor reuses), starts from the
    /// previous call's Ritz vector and stops once its upper bound is below the floor (then it returns that bound);
    /// <paramref name="tolerance"/> is its relative accuracy on 1/(λ_min + floor). <see cref="SmallestEigenvalueMethod.Exact"/>
    /// uses LAPACK's <c>dsyevr</c> on a copy (O(N³), a temporary N×N buffer). If A + floor·I is not numerically positive
    /// definite, λ_min is NaN and ε is the floor (<see cref="TrySolve"/> then raises it).
    /// </summary>
    public double ChooseArbelDamping(double floor, out double smallestEigenvalue,
        SmallestEigenvalueMethod method = SmallestEigenvalueMethod.Lanczos, double tolerance = 1e-3)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_jacobian is null) throw new InvalidOperationException("Call Assemble before ChooseArbelDamping.");
        if (!(floor > 0) || double.IsInfinity(floor))
            Guard.ThrowArgument(nameof(floor), $"the damping floor ε₀ must be finite and > 0; it is {floor}.");
        if (!(tolerance > 0 && tolerance < 1))
            Guard.ThrowArgument(nameof(tolerance), $"the relative tolerance must lie in (0, 1); it is {tolerance}.");
        if (!Enum.IsDefined(method))
            throw new ArgumentOutOfRangeException(nameof(method), method, "Use SmallestEigenvalueMethod.Lanczos or .Exact.");
        int order = (int)_matrix.Rows;
        if (method == SmallestEigenvalueMethod.Exact)
        {
            _cholesky.RestoreUnfactored();
            smallestEigenvalue = SymmetricEigen.Smallest(_matrix);
        }
        else
        {
            smallestEigenvalue = _cholesky.TryFactor(floor, out _)
                ? (_lanczos ??= new SmallestEigenvalue(order)).Estimate(_cholesky, tolerance, enoughBelow: floor)
                : double.NaN;
        }
        return double.IsNaN(smallestEigenvalue) ? floor : ArbelDamping.Choose(smallestEigenvalue, floor);
    }

    /// <summary>
    /// Solves for the full step δw (before any learning rate) with damping ε, raising ε tenfold (from at least
    /// 1e-12 of the matrix's largest diagonal entry) up to <paramref name="maxRetries"/> times while the shifted
    /// matrix is not numerically positive definite. Returns false, leaving <paramref name="step"/> untouched, if
    /// it never is.
    /// </summary>
    public bool TrySolve(double damping, ReadOnlySpan<double> residual, Span<double> step, out StepDiagnostics diagnostics, int maxRetries = 8)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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
    public double ReciprocalCondition()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _cholesky.ReciprocalCondition();
    }

    /// <summary>Frees the matrices.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _matrix.Dispose();
    }

    /// <summary>The largest |Aᵢᵢ| of the assembled matrix (its scale, for damping relative to it).</summary>
    internal double MaxDiagonal()
    {
        double max = 0;
        for (int i = 0; i < _matrix.Rows; i++) max = Math.Max(max, Math.Abs(_matrix[i, i]));
        return max;
    }
}
