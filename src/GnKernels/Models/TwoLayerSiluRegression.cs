using System.Numerics.Tensors;
using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// A <see cref="TwoLayerSilu"/> network fitted to (X, y) by least squares: the <see cref="ITrainableModel"/> the
/// solvers train. Linearizing keeps the activations for the structured Jacobian products and NTK
/// (<see cref="TwoLayerSiluLinearization"/>, allocated at the first <see cref="Linearize"/>); trial points and test
/// sets go through a row-blocked predictor.
/// </summary>
/// <remarks>X is referenced, not copied: keep it alive and unchanged while this is in use. y is copied.</remarks>
public sealed class TwoLayerSiluRegression : ITrainableModel, IDisposable
{
    private readonly DenseMatrix<double> _x;
    private readonly double[] _y;
    private readonly TwoLayerSiluPredictor _predictor;
    private TwoLayerSiluLinearization? _linearization;
    private TwoLayerSiluStreamingLinearization? _streaming;
    private bool _disposed;

    /// <summary>The network <paramref name="network"/> on inputs <paramref name="x"/> (N×d) with targets <paramref name="y"/> (N).</summary>
    public TwoLayerSiluRegression(TwoLayerSilu network, DenseMatrix<double> x, ReadOnlySpan<double> y)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.CheckInputs(x, nameof(x));
        Guard.Length(y.Length, x.Rows, nameof(y), $"one target per row of x, which is {x.Shape}");
        Guard.Finite(y, nameof(y));
        Guard.Finite(x, nameof(x));
        Network = network;
        _x = x;
        _y = y.ToArray();
        _predictor = new TwoLayerSiluPredictor(network);
    }

    /// <summary>The network's shape.</summary>
    public TwoLayerSilu Network { get; }

    /// <inheritdoc/>
    public int SampleCount => _y.Length;

    /// <inheritdoc/>
    public int ParameterCount => Network.ParameterCount;

    /// <summary>
    /// Rows of the activations Φ and E (N×M each) held at a time; null (the default) holds all N. Fewer rows (rounded
    /// up to a multiple of 4096) make every Jacobian product recompute them a chunk at a time — memory O(rows·M)
    /// instead of O(N·M), the same bits, about one forward pass more per product — for the matrix-free solver
    /// (<see cref="Solvers.GaussNewtonSolver.Nystrom"/>); the dense NTK forms then throw.
    /// </summary>
    public int? ActivationRows
    {
        get;
        init
        {
            if (value is < 1) throw new ArgumentOutOfRangeException(nameof(ActivationRows), value, "Hold at least one row of activations, or null for all N.");
            field = value;
        }
    }

    /// <summary>The linearization at the last <see cref="Linearize"/> (activations, structured products).</summary>
    internal TwoLayerSiluLinearization Linearization =>
        _linearization ?? throw new InvalidOperationException(_streaming is null
            ? "Call Linearize before using the linearization."
            : "The activations are recomputed a chunk at a time (ActivationRows is set); this needs all of them at once.");

    /// <inheritdoc/>
    public IJacobian Linearize(ReadOnlySpan<double> w, Span<double> residual)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.Length(residual.Length, SampleCount, nameof(residual), $"one residual per sample, N = {SampleCount}");
        // Created on first use: a model that only ever predicts (a test set) needs no N×M activations.
        if (ActivationRows is { } rows && rows < SampleCount)
        {
            _streaming ??= new TwoLayerSiluStreamingLinearization(Network, SampleCount, rows);
            _streaming.Evaluate(_x, w);
            TensorPrimitives.Subtract(_streaming.Output, _y, residual);
            return _streaming;
        }
        _linearization ??= Network.CreateLinearization(SampleCount);
        _linearization.Evaluate(_x, w);
        TensorPrimitives.Subtract(_linearization.Output, _y, residual);
        return _linearization;
    }

    /// <inheritdoc/>
    public void Residual(ReadOnlySpan<double> w, Span<double> residual)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.Length(residual.Length, SampleCount, nameof(residual), $"one residual per sample, N = {SampleCount}");
        _predictor.Predict(_x, w, residual);
        TensorPrimitives.Subtract(residual, _y, residual);
    }

    /// <summary>Frees the activations and the predictor's buffers (not X).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _linearization?.Dispose();
        _streaming?.Dispose();
        _predictor.Dispose();
    }
}
