using System.Numerics.Tensors;
using GnKernels.Linalg;

namespace GnKernels.Solvers;

/// <summary>
/// λ_min of a symmetric positive semi-definite A from an existing Cholesky factor of A + σI: Lanczos on
/// (A + σI)⁻¹, whose largest eigenvalue 1/(λ_min + σ) it finds in a few dozen solves against the factor, with
/// full reorthogonalization (the basis is small). Far cheaper than <c>dsyevr</c> (which reduces A to tridiagonal
/// form, about 5× a Cholesky at N = 2000); buffers are allocated once per order.
/// </summary>
public sealed class SmallestEigenvalue
{
    private readonly int _n, _maxIterations;
    private readonly double[][] _basis;
    private readonly double[] _w, _alpha, _beta, _ritz;

    /// <summary>Buffers for order <paramref name="order"/> and at most <paramref name="maxIterations"/> Lanczos steps.</summary>
    public SmallestEigenvalue(int order, int maxIterations = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 2);
        _n = order;
        _maxIterations = Math.Min(maxIterations, order);
        _basis = new double[_maxIterations + 1][];
        for (int k = 0; k <= _maxIterations; k++) _basis[k] = new double[order];
        _w = new double[order];
        _alpha = new double[_maxIterations];
        _beta = new double[_maxIterations];
        _ritz = new double[1];
    }

    /// <summary>Lanczos steps the last <see cref="Estimate"/> took.</summary>
    public int Iterations { get; private set; }

    /// <summary>
    /// λ_min(A) with relative accuracy about <paramref name="tolerance"/> (on 1/(λ_min + σ)), given the factor of
    /// A + σI. The start vector is fixed (seeded), so results are reproducible.
    /// </summary>
    public double Estimate(Cholesky<double> factor, double tolerance = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(factor);
        if (factor.Order != _n)
            Guard.ThrowArgument(nameof(factor), $"factor has order {factor.Order} but this estimator was created for {_n}.");
        if (!factor.IsFactored) throw new InvalidOperationException("Factor the matrix before estimating its smallest eigenvalue.");

        var rng = new Random(12345);
        Span<double> q0 = _basis[0];
        for (int i = 0; i < _n; i++) q0[i] = rng.NextDouble() - 0.5;
        TensorPrimitives.Divide(q0, TensorPrimitives.Norm(q0), q0);

        double theta = 0;
        int k = 0;
        for (; k < _maxIterations; k++)
        {
            _basis[k].CopyTo(_w, 0);
            factor.Solve(_w);                                   // w = (A + σI)⁻¹ q_k
            _alpha[k] = TensorPrimitives.Dot<double>(_w, _basis[k]);
            for (int pass = 0; pass < 2; pass++)                // full reorthogonalization, twice is enough
                for (int j = 0; j <= k; j++)
                {
                    double c = TensorPrimitives.Dot<double>(_w, _basis[j]);
                    TensorPrimitives.MultiplyAdd(_basis[j], -c, _w, _w);
                }
            _beta[k] = TensorPrimitives.Norm<double>(_w);
            // The Ritz value is checked every fourth step (each check is a small dsyevr with its own buffers).
            bool last = k == _maxIterations - 1;
            if (k % 4 == 3 || last || _beta[k] <= 1e-14 * Math.Max(theta, _alpha[k]))
            {
                theta = LargestRitzValue(k + 1, out double lastComponent);
                // Residual bound of the Ritz pair: |β_k · last component of its eigenvector|.
                if (last || Math.Abs(_beta[k] * lastComponent) <= tolerance * theta || _beta[k] <= 1e-14 * theta) { k++; break; }
            }
            TensorPrimitives.Divide(_w, _beta[k], _basis[k + 1]);
        }
        Iterations = k;
        return 1 / theta - factor.Shift;
    }

    // The tridiagonal matrix is at most maxIterations² and formed afresh each step: negligible next to a solve.
    private double LargestRitzValue(int m, out double lastComponent)
    {
        using var t = new DenseMatrix<double>(m, m);
        for (int i = 0; i < m; i++)
        {
            t[i, i] = _alpha[i];
            if (i > 0) t[i, i - 1] = _beta[i - 1];
        }
        using var vector = new DenseMatrix<double>(1, m);
        SymmetricEigen.Compute(t, m - 1, _ritz, vector);
        lastComponent = vector[0, m - 1];
        return _ritz[0];
    }
}
