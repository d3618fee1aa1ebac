using System.Numerics.Tensors;
using GnKernels.Linalg;

namespace GnKernels.Solvers;

/// <summary>
/// λ_min of a symmetric positive semi-definite A from an existing Cholesky factor of A + σI: Lanczos on
/// (A + σI)⁻¹, whose largest eigenvalue 1/(λ_min + σ) it finds in a few dozen solves against the factor, with
/// full reorthogonalization (the basis is small). Far cheaper than <c>dsyevr</c> (which reduces A to tridiagonal
/// form, about 5× a Cholesky at N = 2000). All buffers, including the Ritz checks' <c>dstevr</c> workspace, are
/// allocated by the constructor: no call allocates.
/// Each call starts from the previous call's Ritz vector (a training run's matrices change little from step to
/// step, so a few solves suffice), the first from a seeded random vector; <see cref="Reset"/> forgets it.
/// </summary>
public sealed class SmallestEigenvalue
{
    private readonly int _n, _maxIterations;
    private readonly double[][] _basis;
    private readonly double[] _w, _alpha, _beta, _ritz, _previous;
    private readonly double[] _ritzVector, _ritzVectors;
    private readonly TridiagonalEigen _tridiagonal;
    private bool _hasPrevious;

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
        _ritz = new double[2];
        _previous = new double[order];
        _ritzVector = new double[_maxIterations];
        _ritzVectors = new double[2 * _maxIterations];
        _tridiagonal = new TridiagonalEigen(_maxIterations);
    }

    /// <summary>Forget the previous Ritz vector: the next call starts from the seeded random vector.</summary>
    public void Reset() => _hasPrevious = false;

    /// <summary>The Ritz vector of the last estimate (where the next call starts), or empty before the first.</summary>
    public ReadOnlySpan<double> RitzVector => _hasPrevious ? _previous : default;

    /// <summary>Start the next call from <paramref name="vector"/> (e.g. an eigenvector estimate from elsewhere).</summary>
    public void StartFrom(ReadOnlySpan<double> vector)
    {
        Guard.Length(vector.Length, _n, nameof(vector), $"the order {_n} of this estimator");
        Guard.Finite(vector, nameof(vector));
        if (TensorPrimitives.Norm(vector) == 0) Guard.ThrowArgument(nameof(vector), "the start vector is zero; pass a nonzero vector or call Reset.");
        vector.CopyTo(_previous);
        _hasPrevious = true;
    }

    /// <summary>Lanczos steps the last <see cref="Estimate"/> took.</summary>
    public int Iterations { get; private set; }

    /// <summary>
    /// λ_min(A) with relative accuracy about <paramref name="tolerance"/> (on 1/(λ_min + σ)), given the factor of
    /// A + σI. Deterministic for a given sequence of calls. The Ritz value's error is bounded by the residual r and
    /// by r²/gap (gap to the next Ritz value); the smaller bound decides.
    /// Ritz values bound 1/(λ_min + σ) from below, so 1/θ − σ bounds λ_min from above at every step: once it falls to
    /// <paramref name="enoughBelow"/> the call returns that bound (for Arbel's max(ε₀, λ_min) with enoughBelow = ε₀
    /// the damping is then exact, and a numerically singular NTK, whose λ_min sits in a cluster near 0 where
    /// Lanczos converges slowly, costs one solve from a warm start instead of dozens).
    /// </summary>
    public double Estimate(Cholesky<double> factor, double tolerance = 1e-3, double enoughBelow = 0)
    {
        ArgumentNullException.ThrowIfNull(factor);
        if (factor.Order != _n)
            Guard.ThrowArgument(nameof(factor), $"factor has order {factor.Order} but this estimator was created for {_n}.");
        if (!factor.IsFactored) throw new InvalidOperationException("Factor the matrix before estimating its smallest eigenvalue.");
        return Estimate(new FactorInverse(factor), factor.Shift, tolerance, enoughBelow);
    }

    /// <summary>The same through any application of (A + σI)⁻¹ (e.g. a float32 factor's solves), given σ.</summary>
    internal double Estimate<TInverse>(TInverse inverse, double shift, double tolerance, double enoughBelow) where TInverse : IPreconditioner
    {
        Span<double> q0 = _basis[0];
        if (_hasPrevious) _previous.CopyTo(q0);
        else SeededStart(q0);
        TensorPrimitives.Divide(q0, TensorPrimitives.Norm(q0), q0);

        double theta = 0;
        int k = 0;
        for (; k < _maxIterations; k++)
        {
            inverse.Apply(_basis[k], _w);                       // w = (A + σI)⁻¹ q_k
            _alpha[k] = TensorPrimitives.Dot<double>(_w, _basis[k]);
            if (k == 0 && 1 / _alpha[0] - shift <= enoughBelow)
            {
                // α₀ = q₀ᵀ(A + σI)⁻¹q₀ is already a Ritz value: from a warm start one solve settles Arbel's rule.
                theta = _alpha[0];
                _ritzVector[0] = 1;
                k = 1;
                break;
            }
            for (int pass = 0; pass < 2; pass++)                // full reorthogonalization, twice is enough
                for (int j = 0; j <= k; j++)
                {
                    double c = TensorPrimitives.Dot<double>(_w, _basis[j]);
                    TensorPrimitives.MultiplyAdd(_basis[j], -c, _w, _w);
                }
            _beta[k] = TensorPrimitives.Norm<double>(_w);
            // The Ritz value is checked after two steps (enough from a warm start) and then every fourth (each check is a
            // tridiagonal eigenproblem of order k + 1, cheap next to a solve but not free).
            bool last = k == _maxIterations - 1;
            if (k == 1 || k % 4 == 3 || last || _beta[k] <= 1e-14 * Math.Max(theta, _alpha[k]))
            {
                theta = LargestRitzPair(k + 1, out double gap);
                // Residual of the Ritz pair: |β_k · last component of its eigenvector|.
                double residual = Math.Abs(_beta[k] * _ritzVector[k]);
                double bound = Math.Min(residual, gap > 0 ? residual * residual / gap : double.PositiveInfinity);
                if (last || bound <= tolerance * theta || _beta[k] <= 1e-14 * theta || 1 / theta - shift <= enoughBelow) { k++; break; }
            }
            TensorPrimitives.Divide(_w, _beta[k], _basis[k + 1]);
        }
        Iterations = k;
        // The Ritz vector V·s starts the next call.
        Array.Clear(_previous);
        for (int j = 0; j < k; j++) TensorPrimitives.MultiplyAdd(_basis[j], _ritzVector[j], _previous, _previous);
        _hasPrevious = true;
        return 1 / theta - shift;
    }

    // A struct, so the generic call is specialized and nothing is boxed: the double path stays allocation-free.
    private readonly struct FactorInverse(Cholesky<double> factor) : IPreconditioner
    {
        public void Apply(ReadOnlySpan<double> r, Span<double> z)
        {
            r.CopyTo(z);
            factor.Solve(z);
        }
    }

    // A fixed pseudo-random start in [−0.5, 0.5) from SplitMix64: the same on every call and machine, and unlike
    // System.Random it allocates nothing, so a cold start is allocation-free too.
    private static void SeededStart(Span<double> q)
    {
        ulong state = 12345;
        for (int i = 0; i < q.Length; i++)
        {
            ulong z = state += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            q[i] = ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53)) - 0.5;
        }
    }

    // The two largest eigenpairs of the Lanczos tridiagonal T_m (diagonal α, off-diagonal β).
    private double LargestRitzPair(int m, out double gap)
    {
        int count = Math.Min(2, m);
        Span<double> vectors = _ritzVectors.AsSpan(0, count * m);
        _tridiagonal.Compute(_alpha.AsSpan(0, m), _beta.AsSpan(0, m - 1), m - count, _ritz.AsSpan(0, count), vectors);
        vectors.Slice((count - 1) * m, m).CopyTo(_ritzVector);
        gap = count == 2 ? _ritz[1] - _ritz[0] : 0;
        return _ritz[count - 1];
    }
}
