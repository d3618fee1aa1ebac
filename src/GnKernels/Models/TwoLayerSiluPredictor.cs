using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// Evaluates a <see cref="TwoLayerSilu"/> network on inputs of any size (a test set of 10,000 points, say) in
/// row blocks, with buffers allocated once: O(<c>blockRows</c>·M) memory however many rows come in. The rows of a
/// block are split across the BLAS threads and computed as in training (<see cref="HiddenLayer"/>), with the
/// forward-only SiLU, so a prediction equals the training output to rounding and the same prediction bit for bit
/// on any thread count.
/// </summary>
public sealed class TwoLayerSiluPredictor : IDisposable, IRowRangeWork
{
    private readonly TwoLayerSilu _model;
    private readonly DenseMatrix<double> _uTransposed, _phiBlock;
    private readonly double[] _fBlock, _bias, _outputWeights;
    private DenseMatrix<double>? _x;
    private int _blockStart;

    /// <summary>Allocates the block buffers (blockRows × M activations).</summary>
    public TwoLayerSiluPredictor(TwoLayerSilu model, int blockRows = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRows, 1);
        _model = model;
        _uTransposed = DenseMatrix<double>.CreateUninitialized(model.InputDimension, model.Width);
        _phiBlock = DenseMatrix<double>.CreateUninitialized(blockRows, model.Width);
        _fBlock = new double[blockRows];
        _bias = new double[model.HasBias ? model.Width : 0];
        _outputWeights = new double[model.Width];
    }

    /// <summary>f[n] = network(x row n) for parameters <paramref name="w"/> (ordering: see <see cref="TwoLayerSilu"/>).</summary>
    public void Predict(DenseMatrix<double> x, ReadOnlySpan<double> w, Span<double> f)
    {
        _model.CheckInputs(x, nameof(x));
        _model.CheckParameterLength(w, nameof(w));
        Guard.Length(f.Length, x.Rows, nameof(f), $"one output per row of x, which is {x.Shape}");
        Guard.Finite(w, nameof(w));
        Guard.Finite(x, nameof(x));
        HiddenLayer.TransposeUnits(w[.._model.BiasOffset], _uTransposed);
        w[_model.BiasOffset.._model.OutputWeightsOffset].CopyTo(_bias);
        w[_model.OutputWeightsOffset..].CopyTo(_outputWeights);
        _x = x;
        int block = (int)_phiBlock.Rows;
        for (int r0 = 0; r0 < x.Rows; r0 += block)
        {
            int count = (int)Math.Min(block, x.Rows - r0);
            _blockStart = r0;
            RowWorkers.Run(this, count, _model.Width);
            _fBlock.AsSpan(0, count).CopyTo(f.Slice(r0, count));
        }
        _x = null;
    }

    /// <summary>Rows [start, end) of the current block.</summary>
    void IRowRangeWork.Run(int start, int end) =>
        HiddenLayer.ForwardRows(_x!, _blockStart, _uTransposed, _bias, _outputWeights, _model.Scale, _phiBlock, null, _fBlock,
            _blockStart + start, _blockStart + end);

    /// <summary>Frees the buffers.</summary>
    public void Dispose()
    {
        _uTransposed.Dispose();
        _phiBlock.Dispose();
    }
}
