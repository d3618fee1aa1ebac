using System.Numerics.Tensors;
using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// A reversible MLP of additive coupling blocks (Buffelli et al. 2024), mapping Rᵈ → Rᵈ and then, through a fixed
/// read-out U (d×k, orthonormal columns; the identity when k = d), to k outputs. The d features are split into two
/// halves of h = d/2; block ℓ maps (x₁, x₂) to y₁ = x₁ + φ_F(x₂), y₂ = x₂ + φ_G(y₁). Each half-layer is an inverted
/// bottleneck φ(u) = act(u·C)·W + b: a fixed random projection C (h×H, N(0, 1/h), not trained) to the hidden width H,
/// the activation, and a trained linear map W (H×h) with bias b. Written as one sequence of halves,
/// s₀ = x₁, s₁ = x₂ and s_{q+2} = s_q + φ_q(s_{q+1}) for the 2L half-layers q, the network is inverted exactly by
/// s_q = s_{q+2} − φ_q(s_{q+1}), and its output depends linearly on each half-layer's trained weights — which is what
/// makes the exact Gauss-Newton update tractable (<see cref="Solvers.ReversibleGaussNewton"/>).
/// </summary>
/// <remarks>
/// Parameters: for each half-layer q = 0…2L−1 in order (F then G of each block), the (H+1)×h matrix W̃_q = [W_q; b_q]
/// row-major, so P = 2L·(H+1)·h. Samples are rows of a B×d input. The loss is L(w) = Σ_b ‖F(x_b)·U − y_b‖²/(2B).
/// Buffers for a batch size are allocated at its first use and kept (one set per distinct batch size): calls are
/// allocation-free after that. Not thread-safe; dispose it.
/// </remarks>
public sealed class ReversibleMlp : IDisposable
{
    private readonly DenseMatrix<double>[] _projections; // C̃_q: h×(H+1), the last column zero (the bias unit has no input)
    private readonly DenseMatrix<double>[] _weights;     // W̃_q loaded from the caller's w
    private readonly DenseMatrix<double> _parameterBlock; // (H+1)×h scratch: a tangent or a gradient block
    private readonly DenseMatrix<double>? _readout;      // U, or null for the identity
    private readonly Dictionary<int, ReversibleTape> _tapes = [];
    private bool _disposed;

    /// <summary>
    /// A network of <paramref name="blocks"/> coupling blocks on <paramref name="features"/> (even) features with
    /// hidden width <paramref name="hidden"/> and <paramref name="outputs"/> ≤ features outputs; the projections and
    /// the read-out are drawn from <paramref name="seed"/>.
    /// </summary>
    public ReversibleMlp(int features, int blocks, int hidden, int outputs, HiddenActivation activation = HiddenActivation.Silu, int seed = 0)
    {
        if (features < 2 || features % 2 != 0)
            Guard.ThrowArgument(nameof(features), $"features must be even and at least 2 (the coupling splits them in halves); it is {features}.");
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        if (outputs < 1 || outputs > features)
            Guard.ThrowArgument(nameof(outputs), $"outputs must lie in 1…{features} (the read-out has orthonormal columns in the {features} features); it is {outputs}.");
        if (!Enum.IsDefined(activation)) throw new ArgumentOutOfRangeException(nameof(activation), activation, "Use HiddenActivation.Silu or .Relu.");
        Features = features;
        Half = features / 2;
        Blocks = blocks;
        Hidden = hidden;
        Outputs = outputs;
        Activation = activation;
        ParameterCount = checked(2 * blocks * (hidden + 1) * Half);

        var rng = new Random(seed);
        _projections = new DenseMatrix<double>[HalfLayers];
        _weights = new DenseMatrix<double>[HalfLayers];
        double[] column = new double[Hidden];
        for (int q = 0; q < HalfLayers; q++)
        {
            var c = _projections[q] = new DenseMatrix<double>(Half, Hidden + 1);
            for (int i = 0; i < Half; i++)
            {
                // Unit-variance pre-activations for unit-variance inputs: SiLU is then neither linear nor saturated.
                Gaussian.Fill(rng, column, 1 / Math.Sqrt(Half));
                column.CopyTo(c.Row(i));
            }
            _weights[q] = new DenseMatrix<double>(Hidden + 1, Half);
        }
        _parameterBlock = new DenseMatrix<double>(Hidden + 1, Half);
        if (outputs < features) _readout = OrthonormalColumns(features, outputs, rng);
    }

    /// <summary>d, the features (inputs and the last block's outputs).</summary>
    public int Features { get; }

    /// <summary>h = d/2, the features of one half.</summary>
    public int Half { get; }

    /// <summary>L, the coupling blocks.</summary>
    public int Blocks { get; }

    /// <summary>2L: each block is two half-layers (F, then G).</summary>
    public int HalfLayers => 2 * Blocks;

    /// <summary>H, the hidden width of each half-layer.</summary>
    public int Hidden { get; }

    /// <summary>k, the outputs after the read-out.</summary>
    public int Outputs { get; }

    /// <summary>The nonlinearity of the half-layers.</summary>
    public HiddenActivation Activation { get; }

    /// <summary>P = 2L·(H+1)·h.</summary>
    public int ParameterCount { get; }

    /// <summary>Where half-layer q's (H+1)×h block W̃_q starts in the parameter vector.</summary>
    public int ParameterOffset(int halfLayer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(halfLayer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(halfLayer, HalfLayers);
        return halfLayer * (Hidden + 1) * Half;
    }

    /// <summary>Half-layer q's block W̃_q of <paramref name="w"/>.</summary>
    public Span<double> HalfLayerParameters(Span<double> w, int halfLayer) => w.Slice(ParameterOffset(halfLayer), (Hidden + 1) * Half);

    /// <summary>The read-out U (d×k) as a new array; the identity when k = d.</summary>
    public double[,] Readout()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_readout is not null) return _readout.ToArray();
        var u = new double[Features, Features];
        for (int i = 0; i < Features; i++) u[i, i] = 1;
        return u;
    }

    /// <summary>Glorot-normal W (std √(2/(H + h))) and zero biases, from <paramref name="seed"/>.</summary>
    public void InitializeParameters(Span<double> w, int seed)
    {
        Guard.Length(w.Length, ParameterCount, nameof(w), $"the P = {ParameterCount} parameters");
        var rng = new Random(seed);
        int block = (Hidden + 1) * Half, weights = Hidden * Half;
        for (int q = 0; q < HalfLayers; q++)
        {
            var part = w.Slice(q * block, block);
            Gaussian.Fill(rng, part[..weights], Math.Sqrt(2.0 / (Hidden + Half)));
            part[weights..].Clear();
        }
    }

    /// <summary>outputs (B×k) = F(x)·U for the B×d inputs <paramref name="x"/>.</summary>
    public void Predict(DenseMatrix<double> x, ReadOnlySpan<double> w, DenseMatrix<double> outputs)
    {
        var tape = Forward(x, w, derivatives: false);
        CheckShape(outputs, tape.Rows, Outputs, nameof(outputs));
        outputs.CopyFrom(tape.Outputs);
    }

    /// <summary>The last block's outputs F(x) (B×d), before the read-out.</summary>
    public void Transform(DenseMatrix<double> x, ReadOnlySpan<double> w, DenseMatrix<double> features)
    {
        var tape = Forward(x, w, derivatives: false);
        CheckShape(features, tape.Rows, Features, nameof(features));
        features.CopyFrom(tape.Features);
    }

    /// <summary>
    /// x = F⁻¹(features): the inputs that <see cref="Transform"/> maps to <paramref name="features"/> (B×d), by running
    /// the half-layers backwards, s_q = s_{q+2} − φ_q(s_{q+1}). Exact up to rounding.
    /// </summary>
    public void Invert(DenseMatrix<double> features, ReadOnlySpan<double> w, DenseMatrix<double> x)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(x);
        CheckShape(features, features.Rows, Features, nameof(features));
        CheckShape(x, features.Rows, Features, nameof(x));
        Guard.Length(w.Length, ParameterCount, nameof(w), $"the P = {ParameterCount} parameters");
        Guard.Finite(features, nameof(features));
        var tape = Tape((int)features.Rows);
        LoadWeights(w);
        var s = tape.Halves;
        Split(features, s[HalfLayers], s[HalfLayers + 1]);
        for (int q = HalfLayers - 1; q >= 0; q--)
        {
            s[q].CopyFrom(s[q + 2]);
            HalfLayer(tape, q, s[q + 1], derivatives: false);
            Blas.Gemm(-1.0, tape.Activations[q], Transpose.None, _weights[q], Transpose.None, 1.0, s[q]);
        }
        Join(s[0], s[1], x);
    }

    /// <summary>L(w) = Σ_b ‖F(x_b)·U − y_b‖²/(2B) for the B×k targets <paramref name="y"/>.</summary>
    public double Loss(DenseMatrix<double> x, DenseMatrix<double> y, ReadOnlySpan<double> w)
    {
        var tape = Forward(x, w, derivatives: false);
        return ResidualLoss(tape, y);
    }

    /// <summary>∇L(w) into <paramref name="gradient"/> (P entries) by backpropagation; returns L(w).</summary>
    /// <exception cref="ArithmeticException">The outputs overflowed (a diverged run).</exception>
    public double Gradient(DenseMatrix<double> x, DenseMatrix<double> y, ReadOnlySpan<double> w, Span<double> gradient)
    {
        var tape = Forward(x, w, derivatives: true);
        double loss = ResidualLoss(tape, y);
        if (!double.IsFinite(loss))
            throw new ArithmeticException($"The loss at w is {loss}: the outputs overflowed, so the run has diverged; take smaller steps.");
        TensorPrimitives.Multiply(tape.Residual.AsSpan(), 1.0 / tape.Rows, tape.Residual.AsSpan());
        Backpropagate(tape, tape.Residual, gradient);
        return loss;
    }

    /// <summary>J·v (B×k): the change of the outputs along the parameter direction <paramref name="v"/>.</summary>
    public void JacobianProduct(DenseMatrix<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> v, DenseMatrix<double> result)
    {
        Guard.Length(v.Length, ParameterCount, nameof(v), $"the P = {ParameterCount} parameters");
        var tape = Forward(x, w, derivatives: true);
        CheckShape(result, tape.Rows, Outputs, nameof(result));
        var t = tape.Tangents;
        t[0].Fill(0);
        t[1].Fill(0);
        for (int q = 0; q < HalfLayers; q++)
        {
            t[q + 2].CopyFrom(t[q]);
            _parameterBlock.CopyFrom(v.Slice(q * (Hidden + 1) * Half, (Hidden + 1) * Half));
            Blas.Gemm(1.0, tape.Activations[q], Transpose.None, _parameterBlock, Transpose.None, 1.0, t[q + 2]);
            InputTangent(tape, q, t[q + 1], t[q + 2], 1.0);
        }
        Join(t[HalfLayers], t[HalfLayers + 1], tape.Features);
        ReadOut(tape.Features, result);
    }

    /// <summary>Jᵀ·c (P entries) for a B×k cotangent <paramref name="cotangent"/> on the outputs.</summary>
    public void TransposedJacobianProduct(DenseMatrix<double> x, ReadOnlySpan<double> w, DenseMatrix<double> cotangent, Span<double> result)
    {
        var tape = Forward(x, w, derivatives: true);
        CheckShape(cotangent, tape.Rows, Outputs, nameof(cotangent));
        Guard.Finite(cotangent, nameof(cotangent));
        Backpropagate(tape, cotangent, result);
    }

    /// <summary>
    /// The last half-layer's hidden activations act(s·C) (B×H) at the inputs: the network's deepest representation,
    /// for similarity measures such as <see cref="LinearCka"/>.
    /// </summary>
    public void HiddenRepresentation(DenseMatrix<double> x, ReadOnlySpan<double> w, DenseMatrix<double> representation)
    {
        var tape = Forward(x, w, derivatives: false);
        CheckShape(representation, tape.Rows, Hidden, nameof(representation));
        var a = tape.Activations[HalfLayers - 1];
        for (int b = 0; b < tape.Rows; b++) a.Row(b)[..Hidden].CopyTo(representation.Row(b));
    }

    /// <summary>
    /// The neural tangent kernel A = J·Jᵀ ((B·k)×(B·k), row b·k + o for output o of sample b, both triangles) at
    /// the B inputs. Formed without J: a half-layer's outputs are linear in its weights, so its share is
    /// (K_q ⊗ 𝟙) ⊙ (G_q·G_qᵀ) with K_q = Ã_q·Ã_qᵀ the Gram of its activations and G_q (B·k × h) the derivatives of the
    /// outputs with respect to its output half, from k backward passes. Costs O(L·(B²H + (Bk)²h)).
    /// </summary>
    public void NeuralTangentKernel(DenseMatrix<double> x, ReadOnlySpan<double> w, DenseMatrix<double> kernel)
    {
        var tape = Forward(x, w, derivatives: true);
        int rows = tape.Rows, k = Outputs, n = rows * k;
        CheckShape(kernel, n, n, nameof(kernel));
        using var gram = new DenseMatrix<double>(rows, rows);
        using var derivative = new DenseMatrix<double>(n, Half);
        using var outer = new DenseMatrix<double>(n, n);
        using var cotangent = new DenseMatrix<double>(rows, Outputs);
        var perHalfLayer = new DenseMatrix<double>[HalfLayers];
        try
        {
            for (int q = 0; q < HalfLayers; q++) perHalfLayer[q] = new DenseMatrix<double>(n, Half);
            for (int o = 0; o < k; o++)
            {
                cotangent.Fill(0);
                for (int b = 0; b < rows; b++) cotangent[b, o] = 1;
                Cotangents(tape, cotangent);
                for (int q = 0; q < HalfLayers; q++)
                    for (int b = 0; b < rows; b++) tape.Tangents[q + 2].Row(b).CopyTo(perHalfLayer[q].Row(b * k + o));
            }
            kernel.Fill(0);
            for (int q = 0; q < HalfLayers; q++)
            {
                Blas.SyrkLower(1.0, tape.Activations[q], Transpose.None, 0.0, gram);
                Blas.SyrkLower(1.0, perHalfLayer[q], Transpose.None, 0.0, outer);
                for (int i = 0; i < n; i++)
                {
                    var row = kernel.Row(i);
                    var o = outer.Row(i);
                    for (int j = 0; j <= i; j++) row[j] += gram[i / k, j / k] * o[j];
                }
            }
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++) kernel[j, i] = kernel[i, j];
        }
        finally
        {
            foreach (var m in perHalfLayer) m?.Dispose();
        }
    }

    /// <summary>Forward pass into the tape of x's batch size: halves, activations, (derivatives), features, outputs.</summary>
    internal ReversibleTape Forward(DenseMatrix<double> x, ReadOnlySpan<double> w, bool derivatives)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != Features || x.Rows < 1)
            Guard.ThrowArgument(nameof(x), $"x is {x.Shape}; it must have one row per sample (at least one) and d = {Features} columns.");
        Guard.Length(w.Length, ParameterCount, nameof(w), $"the P = {ParameterCount} parameters");
        Guard.Finite(x, nameof(x));
        var tape = Tape((int)x.Rows);
        LoadWeights(w);
        var s = tape.Halves;
        Split(x, s[0], s[1]);
        for (int q = 0; q < HalfLayers; q++)
        {
            HalfLayer(tape, q, s[q + 1], derivatives);
            s[q + 2].CopyFrom(s[q]);
            Blas.Gemm(1.0, tape.Activations[q], Transpose.None, _weights[q], Transpose.None, 1.0, s[q + 2]);
        }
        Join(s[HalfLayers], s[HalfLayers + 1], tape.Features);
        ReadOut(tape.Features, tape.Outputs);
        return tape;
    }

    /// <summary>
    /// result += alpha·φ_q′(s_{q+1})[tangent]: the change of half-layer q's output for a change of its input half,
    /// ((tangent·C̃_q) ⊙ act′)·W̃_q; needs a forward pass with derivatives.
    /// </summary>
    internal void InputTangent(ReversibleTape tape, int q, DenseMatrix<double> tangent, DenseMatrix<double> result, double alpha)
    {
        var pre = tape.Scratch;
        Blas.Gemm(1.0, tangent, Transpose.None, _projections[q], Transpose.None, 0.0, pre);
        TensorPrimitives.Multiply(pre.AsSpan(), tape.Derivatives[q].AsSpan(), pre.AsSpan());
        Blas.Gemm(alpha, pre, Transpose.None, _weights[q], Transpose.None, 1.0, result);
    }

    /// <summary>
    /// Backpropagates a B×k output cotangent into tape.Tangents: afterwards Tangents[q+2] holds ∂⟨c, F·U⟩/∂s_{q+2}, the
    /// cotangent of half-layer q's output half.
    /// </summary>
    internal void Cotangents(ReversibleTape tape, DenseMatrix<double> cotangent)
    {
        var c = tape.Tangents;
        for (int q = 0; q < HalfLayers; q++) c[q].Fill(0);
        // Feature cotangent c·Uᵀ, split into the last two halves.
        if (_readout is null) tape.Features.CopyFrom(cotangent);
        else Blas.Gemm(1.0, cotangent, Transpose.None, _readout, Transpose.Transposed, 0.0, tape.Features);
        Split(tape.Features, c[HalfLayers], c[HalfLayers + 1]);
        for (int q = HalfLayers - 1; q >= 0; q--)
        {
            // s_{q+2} = s_q + φ_q(s_{q+1}): its cotangent flows to s_q unchanged and to s_{q+1} through φ_q.
            TensorPrimitives.Add(c[q].AsSpan(), c[q + 2].AsSpan(), c[q].AsSpan());
            var pre = tape.Scratch;
            Blas.Gemm(1.0, c[q + 2], Transpose.None, _weights[q], Transpose.Transposed, 0.0, pre);
            TensorPrimitives.Multiply(pre.AsSpan(), tape.Derivatives[q].AsSpan(), pre.AsSpan());
            Blas.Gemm(1.0, pre, Transpose.None, _projections[q], Transpose.Transposed, 1.0, c[q + 1]);
        }
    }

    internal DenseMatrix<double>? ReadoutMatrix => _readout;

    private void Backpropagate(ReversibleTape tape, DenseMatrix<double> cotangent, Span<double> gradient)
    {
        Guard.Length(gradient.Length, ParameterCount, nameof(gradient), $"the P = {ParameterCount} parameters");
        Cotangents(tape, cotangent);
        for (int q = 0; q < HalfLayers; q++)
        {
            Blas.Gemm(1.0, tape.Activations[q], Transpose.Transposed, tape.Tangents[q + 2], Transpose.None, 0.0, _parameterBlock);
            _parameterBlock.AsSpan().CopyTo(gradient.Slice(q * (Hidden + 1) * Half, (Hidden + 1) * Half));
        }
    }

    /// <summary>tape.Activations[q] = [act(input·C); 1] and, with derivatives, tape.Derivatives[q] = [act′(input·C); 0].</summary>
    private void HalfLayer(ReversibleTape tape, int q, DenseMatrix<double> input, bool derivatives)
    {
        var pre = tape.Scratch;
        Blas.Gemm(1.0, input, Transpose.None, _projections[q], Transpose.None, 0.0, pre);
        var a = tape.Activations[q];
        var d = tape.Derivatives[q];
        for (int b = 0; b < tape.Rows; b++)
        {
            var z = pre.Row(b)[..Hidden];
            var row = a.Row(b);
            HiddenActivations.Apply(Activation, z, row[..Hidden], derivatives ? d.Row(b)[..Hidden] : default);
            row[Hidden] = 1;
            if (derivatives) d.Row(b)[Hidden] = 0;
        }
    }

    internal double ResidualLoss(ReversibleTape tape, DenseMatrix<double> y)
    {
        ArgumentNullException.ThrowIfNull(y);
        CheckShape(y, tape.Rows, Outputs, nameof(y));
        Guard.Finite(y, nameof(y));
        var r = tape.Residual.AsSpan();
        TensorPrimitives.Subtract(tape.Outputs.AsSpan(), y.AsSpan(), r);
        return TensorPrimitives.Dot<double>(r, r) / (2.0 * tape.Rows);
    }

    private void ReadOut(DenseMatrix<double> features, DenseMatrix<double> outputs)
    {
        if (_readout is null) outputs.CopyFrom(features);
        else Blas.Gemm(1.0, features, Transpose.None, _readout, Transpose.None, 0.0, outputs);
    }

    private void LoadWeights(ReadOnlySpan<double> w)
    {
        int block = (Hidden + 1) * Half;
        for (int q = 0; q < HalfLayers; q++) _weights[q].CopyFrom(w.Slice(q * block, block));
    }

    internal ReversibleTape Tape(int rows)
    {
        if (!_tapes.TryGetValue(rows, out var tape)) _tapes[rows] = tape = new ReversibleTape(rows, this);
        return tape;
    }

    internal void Split(DenseMatrix<double> whole, DenseMatrix<double> first, DenseMatrix<double> second)
    {
        for (int b = 0; b < whole.Rows; b++)
        {
            var row = whole.Row(b);
            row[..Half].CopyTo(first.Row(b));
            row[Half..].CopyTo(second.Row(b));
        }
    }

    private void Join(DenseMatrix<double> first, DenseMatrix<double> second, DenseMatrix<double> whole)
    {
        for (int b = 0; b < whole.Rows; b++)
        {
            var row = whole.Row(b);
            first.Row(b).CopyTo(row[..Half]);
            second.Row(b).CopyTo(row[Half..]);
        }
    }

    private static void CheckShape(DenseMatrix<double> m, nint rows, nint cols, string name)
    {
        ArgumentNullException.ThrowIfNull(m, name);
        if (m.Rows != rows || m.Cols != cols)
            Guard.ThrowArgument(name, $"{name} is {m.Shape}; it must be {rows}×{cols}.");
    }

    /// <summary>d×k with orthonormal columns: Gaussian columns, modified Gram-Schmidt applied twice.</summary>
    private static DenseMatrix<double> OrthonormalColumns(int rows, int cols, Random rng)
    {
        var columns = new double[cols][];
        for (int j = 0; j < cols; j++)
        {
            var v = columns[j] = new double[rows];
            Gaussian.Fill(rng, v, 1);
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i < j; i++) TensorPrimitives.MultiplyAdd(columns[i], -TensorPrimitives.Dot<double>(columns[i], v), v, v);
            TensorPrimitives.Divide(v, TensorPrimitives.Norm<double>(v), v);
        }
        var u = new DenseMatrix<double>(rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) u[i, j] = columns[j][i];
        return u;
    }

    /// <summary>Frees the native buffers.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var m in _projections) m.Dispose();
        foreach (var m in _weights) m.Dispose();
        _parameterBlock.Dispose();
        _readout?.Dispose();
        foreach (var tape in _tapes.Values) tape.Dispose();
    }
}
