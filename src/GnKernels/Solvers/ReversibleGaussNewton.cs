using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>What one <see cref="ReversibleGaussNewton.Direction"/> found: the loss at w and the smallest and largest
/// rank the truncated pseudo-inverses kept over the half-layers (the batch size B when every block could realize its
/// share of the step exactly).</summary>
public readonly record struct ReversibleGaussNewtonStep(double Loss, int SmallestRank, int LargestRank);

/// <summary>
/// The exact, undamped Gauss-Newton direction for a <see cref="ReversibleMlp"/> (Buffelli et al. 2024), block by
/// block. The output change −r (residual r = F(x)·U − y, lifted to the features as −r·Uᵀ) is pulled back to every
/// block's output through the inverse of the blocks after it — forward-mode products through the inverted blocks,
/// t_q = t_{q+2} − φ_q′(s_{q+1})[t_{q+1}] — and each block realizes 1/L of it with its own weights: F's
/// W̃ = Ã_F⁺·(t₁/L), then G's W̃ = Ã_G⁺·(t₂/L − φ_G′[Ã_F·W̃_F]) for what F's change already did to G's input. Ã⁺ is
/// the pseudo-inverse of the half-layer's B×(H+1) activations [act(s·C), 1], through the B×B Gram (or the
/// (H+1)×(H+1) one when B &gt; H+1), truncated at singular values below max(rtol·σ_max, atol) as the authors do.
/// </summary>
/// <remarks>
/// When H+1 ≥ B and nothing is truncated each block's Jacobian is onto, and the direction δ satisfies J·δ = −r
/// exactly: a step w + α·δ moves the linearized outputs by −α·r, the Gauss-Newton step in function space. Each block's
/// part is the minimum-norm solution for that block's share, so with one block δ = −J⁺·r (for a read-out U ≠ I,
/// −J_F⁺·(r·Uᵀ) with J_F the Jacobian of the features); with L &gt; 1 blocks δ is a right inverse of J but not the
/// Moore-Penrose one in general (which would couple the blocks through the (B·d)² kernel Σ J_ℓ·J_ℓᵀ). The authors'
/// code leaves the 1/L to the learning rate. Costs per block two Grams (B²(H+1)) and two eigendecompositions (B³).
/// </remarks>
public sealed class ReversibleGaussNewton : IDisposable
{
    private const double UnitRoundoff = 1.1102230246251565e-16; // 2⁻⁵³

    private readonly ReversibleMlp _network;
    private readonly double _relativeCutoff, _absoluteCutoff;
    private readonly Dictionary<int, Buffers> _buffers = [];
    private bool _disposed;

    /// <summary>
    /// For <paramref name="network"/>, truncating each activation matrix's singular values below
    /// max(<paramref name="relativeCutoff"/>·σ_max, <paramref name="absoluteCutoff"/>) (the authors ran 1e-2 and 1e-5;
    /// 0 and 0 keep every direction above rounding: singular values below √(n·u)·σ_max, about 1e-7·σ_max, count as zero
/// because the Gram route cannot resolve them).
    /// </summary>
    public ReversibleGaussNewton(ReversibleMlp network, double relativeCutoff = 1e-2, double absoluteCutoff = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!(relativeCutoff >= 0 && relativeCutoff < 1))
            Guard.ThrowArgument(nameof(relativeCutoff), $"relativeCutoff must lie in [0, 1); it is {relativeCutoff}.");
        if (!(absoluteCutoff >= 0) || double.IsInfinity(absoluteCutoff))
            Guard.ThrowArgument(nameof(absoluteCutoff), $"absoluteCutoff must be finite and ≥ 0; it is {absoluteCutoff}.");
        _network = network;
        _relativeCutoff = relativeCutoff;
        _absoluteCutoff = absoluteCutoff;
    }

    /// <summary>
    /// δ ≥ 0: each block's activation Gram K is solved as K + δ·λ_max(K)·I on its kept part (Levenberg-Marquardt per
    /// block, the authors' "damped" option): shorter, steadier steps where the activations are nearly dependent, at the
    /// price of J·δ = −r. 0 (the default): the exact pseudo-inverse.
    /// </summary>
    public double Damping
    {
        get;
        init
        {
            if (!(value >= 0) || double.IsInfinity(value))
                Guard.ThrowArgument(nameof(Damping), $"Damping must be finite and ≥ 0; it is {value}.");
            field = value;
        }
    }

    /// <summary>
    /// The full Gauss-Newton direction δ (P entries) at <paramref name="w"/> for the inputs <paramref name="x"/> (B×d)
    /// and targets <paramref name="y"/> (B×k): w + α·δ is the step with learning rate α (1: the linearized outputs
    /// reach the targets).
    /// </summary>
    public ReversibleGaussNewtonStep Direction(DenseMatrix<double> x, DenseMatrix<double> y, ReadOnlySpan<double> w, Span<double> direction)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var net = _network;
        Guard.Length(direction.Length, net.ParameterCount, nameof(direction), $"the P = {net.ParameterCount} parameters");
        var tape = net.Forward(x, w, derivatives: true);
        double loss = net.ResidualLoss(tape, y);
        if (!double.IsFinite(loss))
            throw new ArithmeticException($"The loss at w is {loss}: the outputs overflowed, so the run has diverged; take smaller steps.");
        var buffers = Buffers.For(_buffers, tape.Rows, net);
        var t = tape.Tangents;
        int last = net.HalfLayers;

        // The features must move by −r·Uᵀ (the minimum-norm feature change that moves the outputs by −r).
        if (net.ReadoutMatrix is { } u) Blas.Gemm(-1.0, tape.Residual, Transpose.None, u, Transpose.Transposed, 0.0, tape.Features);
        else TensorPrimitives.Negate<double>(tape.Residual.AsSpan(), tape.Features.AsSpan());
        net.Split(tape.Features, t[last], t[last + 1]);

        int smallest = int.MaxValue, largest = 0;
        double share = 1.0 / net.Blocks;
        for (int block = net.Blocks - 1; block >= 0; block--)
        {
            int f = 2 * block, g = f + 1;
            // F realizes its share of the change of y₁ = s_{f+2}.
            TensorPrimitives.Multiply(t[f + 2].AsSpan(), share, buffers.Target.AsSpan());
            Fit(tape.Activations[f], buffers, net.HalfLayerParameters(direction, f), ref smallest, ref largest);
            // What F's change does to y₁ moves G's input; G makes up the rest of its share of the change of y₂.
            Blas.Gemm(1.0, tape.Activations[f], Transpose.None, buffers.Update, Transpose.None, 0.0, buffers.Change);
            TensorPrimitives.Multiply(t[g + 2].AsSpan(), share, buffers.Target.AsSpan());
            net.InputTangent(tape, g, buffers.Change, buffers.Target, -1.0);
            Fit(tape.Activations[g], buffers, net.HalfLayerParameters(direction, g), ref smallest, ref largest);
            if (block == 0) break;
            // Pull the whole change back to the block's input through its inverse: x₂ = y₂ − φ_G(y₁), x₁ = y₁ − φ_F(x₂).
            t[g].CopyFrom(t[g + 2]);
            net.InputTangent(tape, g, t[f + 2], t[g], -1.0);
            t[f].CopyFrom(t[f + 2]);
            net.InputTangent(tape, f, t[g], t[f], -1.0);
        }
        return new ReversibleGaussNewtonStep(loss, smallest, largest);
    }

    /// <summary>buffers.Update = Ã⁺·buffers.Target, truncated; copied into <paramref name="into"/>.</summary>
    private void Fit(DenseMatrix<double> activations, Buffers buffers, Span<double> into, ref int smallest, ref int largest)
    {
        // Singular values of Ã are square roots of the Gram's eigenvalues: the cut-offs go in squared. The Gram's
        // eigenvalues carry absolute errors near n·u·λ_max, so below that they are rounding, not directions (a dead
        // ReLU unit leaves one at 1e-32 that would otherwise be inverted): the relative cut-off is at least n·u.
        int order = buffers.SampleGram is { } sample ? (int)sample.Rows : (int)buffers.FeatureGram!.Rows;
        double relative = Math.Max(_relativeCutoff * _relativeCutoff, order * UnitRoundoff);
        double absolute = _absoluteCutoff * _absoluteCutoff;
        PseudoInverseSolution kept;
        if (buffers.SampleGram is { } k)
        {
            Blas.SyrkLower(1.0, activations, Transpose.None, 0.0, k);                     // Ã·Ãᵀ, B×B
            kept = SymmetricPseudoInverse.SolveColumns(k, buffers.Target, buffers.Target, relative, absolute, buffers.PseudoInverse, Damping);
            Blas.Gemm(1.0, activations, Transpose.Transposed, buffers.Target, Transpose.None, 0.0, buffers.Update);
        }
        else
        {
            var gram = buffers.FeatureGram!;
            Blas.SyrkLower(1.0, activations, Transpose.Transposed, 0.0, gram);                // Ãᵀ·Ã, (H+1)×(H+1)
            Blas.Gemm(1.0, activations, Transpose.Transposed, buffers.Target, Transpose.None, 0.0, buffers.Update);
            kept = SymmetricPseudoInverse.SolveColumns(gram, buffers.Update, buffers.Update, relative, absolute, buffers.PseudoInverse, Damping);
        }
        buffers.Update.AsSpan().CopyTo(into);
        smallest = Math.Min(smallest, kept.Rank);
        largest = Math.Max(largest, kept.Rank);
    }

    /// <summary>Frees the buffers.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var b in _buffers.Values) b.Dispose();
    }

    /// <summary>Per batch size: the Gram of the smaller side and its pseudo-inverse's workspace, the target and change of a half (B×h), the update ((H+1)×h).</summary>
    private sealed class Buffers : IDisposable
    {
        private Buffers(int rows, ReversibleMlp net)
        {
            int width = net.Hidden + 1;
            if (rows <= width) SampleGram = new DenseMatrix<double>(rows, rows);
            else FeatureGram = new DenseMatrix<double>(width, width);
            PseudoInverse = new SymmetricPseudoInverse.Workspace(Math.Min(rows, width), net.Half);
            Target = new DenseMatrix<double>(rows, net.Half);
            Change = new DenseMatrix<double>(rows, net.Half);
            Update = new DenseMatrix<double>(width, net.Half);
        }

        public DenseMatrix<double>? SampleGram { get; }
        public DenseMatrix<double>? FeatureGram { get; }
        public DenseMatrix<double> Target { get; }
        public DenseMatrix<double> Change { get; }
        public DenseMatrix<double> Update { get; }
        public SymmetricPseudoInverse.Workspace PseudoInverse { get; }

        public static Buffers For(Dictionary<int, Buffers> cache, int rows, ReversibleMlp net)
        {
            if (!cache.TryGetValue(rows, out var b)) cache[rows] = b = new Buffers(rows, net);
            return b;
        }

        public void Dispose()
        {
            SampleGram?.Dispose();
            FeatureGram?.Dispose();
            Target.Dispose();
            Change.Dispose();
            Update.Dispose();
            PseudoInverse.Dispose();
        }
    }
}
