using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// Evaluates a <see cref="TwoLayerSilu"/> network on inputs of any size (a test set of 10,000 points, say) in
/// row blocks, with buffers allocated once: O(<c>blockRows</c>·M) memory however many rows come in.
/// </summary>
public sealed class TwoLayerSiluPredictor : IDisposable, IRowRangeWork
{
    private readonly TwoLayerSilu _model;
    private readonly DenseMatrix<double> _u, _xBlock, _phiBlock;
    private readonly double[] _fBlock, _bias;

    /// <summary>Allocates the block buffers (blockRows × M activations).</summary>
    public TwoLayerSiluPredictor(TwoLayerSilu model, int blockRows = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRows, 1);
        _model = model;
        _u = DenseMatrix<double>.CreateUninitialized(model.Width, model.InputDimension);
        _xBlock = new DenseMatrix<double>(blockRows, model.InputDimension);
        _phiBlock = DenseMatrix<double>.CreateUninitialized(blockRows, model.Width);
        _fBlock = new double[blockRows];
        _bias = new double[model.HasBias ? model.Width : 0];
    }

    /// <summary>f[n] = network(x row n) for parameters <paramref name="w"/> (ordering: see <see cref="TwoLayerSilu"/>).</summary>
    public void Predict(DenseMatrix<double> x, ReadOnlySpan<double> w, Span<double> f)
    {
        _model.CheckInputs(x, nameof(x));
        _model.CheckParameterLength(w, nameof(w));
        Guard.Length(f.Length, x.Rows, nameof(f), $"one output per row of x, which is {x.Shape}");
        Guard.Finite(w, nameof(w));
        Guard.Finite(x, nameof(x));
        _u.CopyFrom(w[.._model.BiasOffset]);
        w[_model.BiasOffset.._model.OutputWeightsOffset].CopyTo(_bias);
        ReadOnlySpan<double> v = w[_model.OutputWeightsOffset..];
        int block = (int)_xBlock.Rows;
        for (int r0 = 0; r0 < x.Rows; r0 += block)
        {
            int count = (int)Math.Min(block, x.Rows - r0);
            for (int r = 0; r < block; r++)
            {
                if (r < count) x.Row(r0 + r).CopyTo(_xBlock.Row(r));
                else _xBlock.Row(r).Clear(); // the last block computes a few spare rows rather than reallocating
            }
            // Φ = silu(X·Uᵀ + b): the GEMM on the BLAS threads, the SiLU rows split across the same threads.
            Blas.Gemm(1.0, _xBlock, Transpose.None, _u, Transpose.Transposed, 0.0, _phiBlock);
            RowWorkers.Run(this, block, _model.Width);
            Blas.Gemv(_model.Scale, _phiBlock, Transpose.None, v, 0.0, _fBlock);
            _fBlock.AsSpan(0, count).CopyTo(f.Slice(r0, count));
        }
    }

    /// <summary>Rows [start, end) of the block: Φ ← silu(Z + b) in place.</summary>
    void IRowRangeWork.Run(int start, int end) => HiddenLayer.ActivateRows(_phiBlock, _bias, start, end);

    /// <summary>Frees the native buffers.</summary>
    public void Dispose()
    {
        _u.Dispose();
        _xBlock.Dispose();
        _phiBlock.Dispose();
    }
}
