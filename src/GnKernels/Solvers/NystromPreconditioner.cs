using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// The randomized Nyström preconditioner of Frangella, Tropp and Udell (2023) for (A + μI)z = r with A = J·Jᵀ, built
/// from k columns of A at uniformly sampled indices S — never the N×N matrix, never J. With C = A[:, S] and
/// W = A[S, S] = Q·D·Qᵀ, the approximation is Â = C·W⁺·Cᵀ = B·Bᵀ with B = C·Q·D^(−1/2) (directions with
/// Dᵢ ≤ 10⁻¹⁰·max D dropped), and from BᵀB = V·Σ²·Vᵀ its eigendecomposition Â = U·Λ·Uᵀ with U = B·R, R = V·Σ⁻¹,
/// Λ = Σ². Then P⁻¹ = U·diag((λ_min(Λ) + μ)/(Λ + μ))·Uᵀ + (I − U·Uᵀ): the k largest directions of A are flattened to
/// the level of the smallest one captured, so CG's iterations depend on the spectrum below it (the effective dimension
/// at μ). U is never formed: P⁻¹ applies through B and the k×k matrix R (two k×k products more per application, against
/// a rotation of N×k per build).
/// Memory: one N×k matrix (the columns, turned into B in place) and a block of rows of it, allocated once; each build
/// costs two GEMMs of N×M×k through the structured NTK, one rotation of N×k by k×k and one SYRK of N×k (4NMk + 3Nk²
/// flops). Dropped directions are kept as zero columns, so every shape stays k and nothing is reallocated.
/// </summary>
internal sealed class NystromPreconditioner : IPreconditioner, IDisposable
{
    private readonly int _n, _rank;
    private readonly DenseMatrix<double> _basis, _block, _small, _smallVectors, _rotation, _eigenScratch;
    private readonly int[] _indices;
    private readonly double[] _values, _weights, _projection, _rotated, _unit, _product, _parameters;
    private int _kept;

    /// <summary><paramref name="blockRows"/>: the rows rotated in place at a time (a scratch of that many rows of k).</summary>
    public NystromPreconditioner(int n, int p, int rank, int blockRows = 4096)
    {
        (_n, _rank) = (n, rank);
        _basis = DenseMatrix<double>.CreateUninitialized(n, rank);
        _block = DenseMatrix<double>.CreateUninitialized(Math.Min(n, blockRows), rank);
        _small = DenseMatrix<double>.CreateUninitialized(rank, rank);
        _smallVectors = DenseMatrix<double>.CreateUninitialized(rank, rank);
        _rotation = DenseMatrix<double>.CreateUninitialized(rank, rank);
        _eigenScratch = DenseMatrix<double>.CreateUninitialized(rank, rank); // dsyevr destroys its input
        _indices = new int[rank];
        (_values, _weights, _projection, _rotated) = (new double[rank], new double[rank], new double[rank], new double[rank]);
        (_unit, _product, _parameters) = (new double[n], new double[n], new double[p]);
    }

    /// <summary>Directions kept at the last build (k less those W cannot resolve).</summary>
    public int Rank => _kept;

    /// <summary>The indices S sampled at the last build (ascending).</summary>
    internal ReadOnlySpan<int> SampledIndices => _indices;

    /// <summary>Rebuilds at the current Jacobian for the damping μ; <paramref name="seed"/> picks the columns.</summary>
    public void Build(IJacobian jacobian, double mu, int seed)
    {
        SampleIndices(seed);
        if (jacobian is IKernelColumns structured) structured.KernelColumns(_indices, _basis);
        else GenericColumns(jacobian);

        // W = C[S, :] = Q·D·Qᵀ; B = C·Q·D^(−1/2), a zero column for each direction W does not resolve.
        for (int i = 0; i < _rank; i++) _basis.Row(_indices[i]).CopyTo(_small.Row(i));
        SymmetricEigen.ComputeValidated(_small, 0, _values, _smallVectors, _eigenScratch); // row k of _smallVectors is eigenvector k
        double top = _values[^1];
        int first = 0;
        while (first < _rank && !(_values[first] > 1e-10 * top)) first++;
        if (first == _rank || !(top > 0)) { _kept = 0; return; }
        _kept = _rank - first;
        for (int i = 0; i < _rank; i++)
            for (int k = 0; k < _rank; k++)
                _rotation[i, k] = k < first ? 0 : _smallVectors[k, i] / Math.Sqrt(_values[k]);
        RotateInPlace(); // C → B

        // BᵀB = V·Σ²·Vᵀ (its lower triangle, which the eigensolver reads); R = V·Σ⁻¹, zero where Σ = 0, so U = B·R has
        // orthonormal columns; Λ = Σ².
        Blas.SyrkLower(1.0, _basis, Transpose.Transposed, 0.0, _small);
        SymmetricEigen.ComputeValidated(_small, 0, _values, _smallVectors, _eigenScratch);
        double cutoff = 1e-12 * Math.Max(_values[^1], 0);
        for (int i = 0; i < _rank; i++)
            for (int k = 0; k < _rank; k++)
                _rotation[i, k] = _values[k] > cutoff ? _smallVectors[k, i] / Math.Sqrt(_values[k]) : 0;

        // P⁻¹ = I + U·diag(w)·Uᵀ with w = (λ_min + μ)/(λ + μ) − 1, λ_min the smallest eigenvalue captured.
        double floor = double.PositiveInfinity;
        foreach (double v in _values) if (v > cutoff) floor = Math.Min(floor, v);
        for (int k = 0; k < _rank; k++) _weights[k] = _values[k] > cutoff ? (floor + mu) / (_values[k] + mu) - 1 : 0;
    }

    /// <summary>z = P⁻¹·r = r + B·R·diag(w)·Rᵀ·Bᵀ·r.</summary>
    public void Apply(ReadOnlySpan<double> r, Span<double> z)
    {
        r.CopyTo(z);
        if (_kept == 0) return;
        Blas.Gemv(1.0, _basis, Transpose.Transposed, r, 0.0, _projection);
        Blas.Gemv(1.0, _rotation, Transpose.Transposed, _projection, 0.0, _rotated); // Uᵀr
        System.Numerics.Tensors.TensorPrimitives.Multiply(_rotated, _weights, _rotated);
        Blas.Gemv(1.0, _rotation, Transpose.None, _rotated, 0.0, _projection);
        Blas.Gemv(1.0, _basis, Transpose.None, _projection, 1.0, z);
    }

    /// <summary>
    /// The N×k buffer times the k×k rotation, in place a block of rows at a time: C and B share one buffer, so the
    /// preconditioner holds N·k doubles, not 2·N·k.
    /// </summary>
    private void RotateInPlace()
    {
        for (int r0 = 0; r0 < _n; r0 += (int)_block.Rows)
        {
            int rows = Math.Min((int)_block.Rows, _n - r0);
            var block = SubMatrix<double>.RowsOf(_block, 0, rows);
            Blas.Gemm(1.0, SubMatrix<double>.RowsOf(_basis, r0, rows), Transpose.None, _rotation, Transpose.None, 0.0, block);
            for (int r = 0; r < rows; r++) _block.Row(r).CopyTo(_basis.Row(r0 + r));
        }
    }

    // k distinct indices, uniformly (a partial Fisher-Yates over 0 … N−1 would need N ints; rejection is enough for k ≪ N).
    private void SampleIndices(int seed)
    {
        var random = new Random(seed);
        if (_rank == _n) { for (int i = 0; i < _n; i++) _indices[i] = i; return; }
        var chosen = new HashSet<int>(_rank);
        for (int i = 0; i < _rank; i++)
        {
            int j;
            do j = random.Next(_n); while (!chosen.Add(j));
            _indices[i] = j;
        }
        Array.Sort(_indices);
    }

    // A[:, j] = J·(Jᵀ·e_j), one column at a time, for Jacobians without a structured form.
    private void GenericColumns(IJacobian jacobian)
    {
        for (int k = 0; k < _rank; k++)
        {
            Array.Clear(_unit);
            _unit[_indices[k]] = 1;
            jacobian.MultiplyTransposed(_unit, _parameters);
            jacobian.Multiply(_parameters, _product);
            for (int r = 0; r < _n; r++) _basis[r, k] = _product[r];
        }
    }

    public void Dispose()
    {
        foreach (var m in new[] { _basis, _block, _small, _smallVectors, _rotation, _eigenScratch }) m.Dispose();
    }
}
