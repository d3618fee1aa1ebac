using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// The current NTK assembled and factored in float32 (SSYRK and SPOTRF run at about twice their double twins' rate,
/// in half the memory), as the preconditioner of a conjugate-gradient solve in double that restores full accuracy:
/// mixed-precision iterative refinement in its CG form. Its rounding (about 2⁻²⁴ of the entries it sums) is far
/// below the damping ε in the runs this serves, so a handful of double products reach a relative residual of 1e-10.
/// λ_min for Arbel's damping comes from Lanczos on the float32 factor: within the float32 rounding of A (a few 2⁻²⁴·λ_max)
/// of λ_min in double.
/// </summary>
internal sealed class SinglePrecisionFactor : IPreconditioner, IDisposable
{
    private readonly DenseMatrix<float> _matrix, _gram;
    private readonly Cholesky<float> _cholesky;
    private readonly float[] _vector;
    private SmallestEigenvalue? _lanczos;

    public SinglePrecisionFactor(int order)
    {
        _matrix = new DenseMatrix<float>(order, order);
        _gram = DenseMatrix<float>.CreateUninitialized(order, order);
        _cholesky = new Cholesky<float>(_matrix, keepInput: true);
        _vector = new float[order];
    }

    /// <summary>The largest diagonal entry of the assembled matrix: the scale of its float32 rounding.</summary>
    public double MaxDiagonal { get; private set; }

    /// <summary>Assembles the float32 NTK at the linearization's point; the next factorization starts from it.</summary>
    public void Assemble(TwoLayerSiluLinearization linearization)
    {
        linearization.Ntk(_matrix, _gram);
        _cholesky.Reset();
        float max = 0;
        for (int i = 0; i < _matrix.Rows; i++) max = Math.Max(max, _matrix[i, i]);
        MaxDiagonal = max;
    }

    /// <summary>Factors A + shift·I in float32 (kept if already factored at that shift); false if not positive definite.</summary>
    public bool TryFactor(double shift) =>
        (_cholesky.IsFactored && _cholesky.Shift == (float)shift) || _cholesky.TryFactor((float)shift, out _);

    /// <summary>
    /// Arbel's ε = max(floor, λ_min) with λ_min from Lanczos on the factor of A + floor·I (which stays factored for a
    /// solve at ε = floor); NaN λ_min and ε = floor if that factor does not exist in float32.
    /// </summary>
    public double ChooseArbelDamping(double floor, double tolerance, out double smallestEigenvalue)
    {
        smallestEigenvalue = TryFactor(floor)
            ? (_lanczos ??= new SmallestEigenvalue((int)_matrix.Rows)).Estimate(this, _cholesky.Shift, tolerance, enoughBelow: floor)
            : double.NaN;
        return double.IsNaN(smallestEigenvalue) ? floor : ArbelDamping.Choose(smallestEigenvalue, floor);
    }

    /// <summary>The Ritz vector of the last λ_min estimate (unit length), or empty if there was none.</summary>
    public ReadOnlySpan<double> RitzVector => _lanczos is null ? default : _lanczos.RitzVector;

    /// <summary>Start the next λ_min estimate from <paramref name="vector"/> (e.g. the previous iterate's Ritz vector).</summary>
    public void StartLanczosFrom(ReadOnlySpan<double> vector) => (_lanczos ??= new SmallestEigenvalue((int)_matrix.Rows)).StartFrom(vector);

    /// <summary>z = (A + shift·I)⁻¹·r through the float32 factor (r rounded to float32, z widened back).</summary>
    public void Apply(ReadOnlySpan<double> r, Span<double> z)
    {
        TensorPrimitives.ConvertTruncating<double, float>(r, _vector);
        _cholesky.Solve(_vector);
        TensorPrimitives.ConvertChecked<float, double>(_vector, z);
    }

    public void Dispose()
    {
        _matrix.Dispose();
        _gram.Dispose();
    }
}
