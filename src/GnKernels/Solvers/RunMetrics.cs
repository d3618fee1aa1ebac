using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// The quantities the papers plot, measured at each iterate: how far w moved from w₀ (per layer for the two-layer
/// network), the NTK's spectrum — λ_min, λ_max, κ = λ_max/λ_min and tr(A⁺) = ‖J⁺‖²_F from all its eigenvalues (syevr)
/// — and its drift ‖A − A₀‖_F/‖A₀‖_F, and the alignment of the hidden weights with a teacher's. Distances and the
/// alignment cost O(P) and are always measured; the NTK's cost an assembly and an eigenvalue decomposition (O(N²M +
/// N³)), so they run every <see cref="TrainingOptions.KernelMetricsInterval"/> iterations and at the end.
/// </summary>
internal sealed class RunMetrics : IDisposable
{
    private const double MachineEpsilon = 2.220446049250313e-16; // 2⁻⁵²
    private readonly double[] _w0;
    private readonly Range _hidden, _output; // the two layers' parameters, when the model is the two-layer network
    private readonly bool _layered;
    private readonly int _interval;
    private readonly int _inputDimension, _units;
    private readonly double[]? _teacherBasis; // orthonormal rows spanning the teacher's hidden weight vectors
    private readonly GaussNewtonSystem? _kernel;
    private readonly DenseMatrix<double>? _initialKernel;
    private readonly double[] _eigenvalues;
    private double _initialNorm = double.NaN;

    public RunMetrics(StepContext c)
    {
        _w0 = (double[])c.W.Clone();
        var network = (c.Model as TwoLayerSiluRegression)?.Network;
        _layered = network is not null;
        if (network is not null) (_hidden, _output) = (..network.OutputWeightsOffset, network.OutputWeightsOffset..);
        _interval = c.Options.KernelMetricsInterval;
        (_inputDimension, _units) = (network?.InputDimension ?? 0, network?.Width ?? 0);
        if (c.Options.TeacherHiddenWeights is { } teacher)
        {
            if (network is null)
                Guard.ThrowArgument(nameof(c.Options.TeacherHiddenWeights), "TeacherHiddenWeights needs a TwoLayerSiluRegression model (the alignment is of its hidden weights).");
            if (teacher.Length == 0 || teacher.Length % network!.InputDimension != 0)
                Guard.ThrowArgument(nameof(c.Options.TeacherHiddenWeights), $"TeacherHiddenWeights has {teacher.Length} values; it must hold whole rows of d = {network!.InputDimension} (the teacher's M*×d hidden weights).");
            _teacherBasis = OrthonormalRows(teacher, network.InputDimension);
        }
        _eigenvalues = new double[c.Options.KernelMetricsInterval > 0 ? c.N : 0];
        if (c.Options.KernelMetricsInterval > 0)
        {
            _kernel = new GaussNewtonSystem(c.N, c.P, StepForm.Kernel);
            _initialKernel = DenseMatrix<double>.CreateUninitialized(c.N, c.N);
        }
    }

    /// <summary>The record with the metrics of the current iterate (c.W, linearized) filled in.</summary>
    public IterationRecord Measure(IterationRecord record, StepContext c, bool kernel)
    {
        record = record with
        {
            Distance = Distance(c.W, ..),
            HiddenDistance = _layered ? Distance(c.W, _hidden) : double.NaN,
            OutputDistance = _layered ? Distance(c.W, _output) : double.NaN,
            TeacherAlignment = _teacherBasis is null ? double.NaN : Alignment(c.W.AsSpan(_hidden)),
        };
        return kernel && _kernel is not null ? Kernel(record, c) : record;
    }

    /// <summary>Whether iteration <paramref name="k"/> measures the NTK (the last one is measured by the caller's Finish).</summary>
    public bool KernelDue(int k) => _kernel is not null && k % _interval == 0;

    public bool HasKernel(IterationRecord r) => _kernel is null || !double.IsNaN(r.NtkLambdaMax);

    private IterationRecord Kernel(IterationRecord record, StepContext c)
    {
        _kernel!.Assemble(c.Jacobian);
        var a = _kernel.Matrix;
        int n = (int)a.Rows;
        if (double.IsNaN(_initialNorm))
        {
            for (int i = 0; i < n; i++) a.Row(i)[..(i + 1)].CopyTo(_initialKernel!.Row(i));
            _initialNorm = LowerFrobenius(a, null);
        }
        double drift = LowerFrobenius(a, _initialKernel) / _initialNorm;
        SymmetricEigen.Compute(a, 0, _eigenvalues);
        double min = _eigenvalues[0], max = _eigenvalues[^1];
        // Eigenvalues below LAPACK's rank cutoff N·ε·λ_max are rounding, not directions J resolves.
        double cutoff = n * MachineEpsilon * max, trace = 0;
        foreach (double lambda in _eigenvalues) if (lambda > cutoff) trace += 1 / lambda;
        return record with
        {
            NtkLambdaMin = min, NtkLambdaMax = max, NtkCondition = min > 0 ? max / min : double.PositiveInfinity,
            NtkPseudoInverseTrace = trace, NtkDrift = drift,
        };
    }

    private double Distance(ReadOnlySpan<double> w, Range range)
    {
        var (offset, length) = range.GetOffsetAndLength(w.Length);
        double sum = 0;
        for (int i = offset; i < offset + length; i++) sum += (w[i] - _w0[i]) * (w[i] - _w0[i]);
        return Math.Sqrt(sum);
    }

    // Share of ‖U‖²_F in the teacher's span: M*/d for random directions, 1 when every unit lies in it. U is the first
    // M·d hidden values; a bias (after them) is not part of any unit's direction.
    private double Alignment(ReadOnlySpan<double> hidden)
    {
        int d = _inputDimension;
        double inside = 0, total = 0;
        for (int i = 0; i < _units; i++)
        {
            var u = hidden.Slice(i * d, d);
            total += TensorPrimitives.Dot(u, u);
            for (int q = 0; q < _teacherBasis!.Length / d; q++)
            {
                double projection = TensorPrimitives.Dot(u, _teacherBasis.AsSpan(q * d, d));
                inside += projection * projection;
            }
        }
        return total > 0 ? inside / total : double.NaN;
    }

    // Modified Gram-Schmidt over the teacher's rows, dropping those already in the span.
    private static double[] OrthonormalRows(double[] rows, int d)
    {
        var basis = new List<double[]>();
        for (int r = 0; r < rows.Length / d; r++)
        {
            double[] v = rows.AsSpan(r * d, d).ToArray();
            double norm0 = TensorPrimitives.Norm<double>(v);
            foreach (var b in basis) TensorPrimitives.MultiplyAdd(b, -TensorPrimitives.Dot<double>(v, b), v, v);
            double norm = TensorPrimitives.Norm<double>(v);
            if (norm > 1e-10 * norm0) { TensorPrimitives.Divide(v, norm, v); basis.Add(v); }
        }
        return [.. basis.SelectMany(b => b)];
    }

    // ‖A − B‖_F (B null: ‖A‖_F) of symmetric matrices from their lower triangles.
    private static double LowerFrobenius(DenseMatrix<double> a, DenseMatrix<double>? b)
    {
        double sum = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            var row = a.Row(i);
            for (int j = 0; j <= i; j++)
            {
                double v = b is null ? row[j] : row[j] - b[i, j];
                sum += (i == j ? 1 : 2) * v * v;
            }
        }
        return Math.Sqrt(sum);
    }

    public void Dispose()
    {
        _kernel?.Dispose();
        _initialKernel?.Dispose();
    }
}
