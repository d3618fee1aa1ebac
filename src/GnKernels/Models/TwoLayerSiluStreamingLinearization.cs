using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// A <see cref="TwoLayerSilu"/> network's Jacobian at (X, w) that holds Φ and E for one chunk of rows at a time and
/// recomputes them for every product: memory O(chunk·M) instead of O(N·M), for the matrix-free solvers at N where the
/// stored activations do not fit (the fused SiLU pass costs about as much as reading Φ and E back). Each chunk is a
/// <see cref="TwoLayerSiluLinearization"/> of its rows, and chunks are whole multiples of its
/// <see cref="TwoLayerSiluLinearization.ProductRowBlock"/>, so J·δw, Jᵀz and the NTK's columns are the same BLAS
/// calls on the same rows as the stored linearization's: the same bits. The dense NTK forms are not offered.
/// </summary>
internal sealed class TwoLayerSiluStreamingLinearization : IJacobian, IKernelColumns, IDisposable
{
    private readonly TwoLayerSilu _model;
    private readonly int _n, _chunk;
    private readonly TwoLayerSiluLinearization _chunkRows;     // one chunk's Φ and E; the last chunk may use fewer rows
    private readonly DenseMatrix<double> _xFull;
    private readonly DenseMatrix<double>? _xTail;              // the last chunk's inputs when it is shorter
    private readonly double[] _w, _f;
    private DenseMatrix<double>? _x, _xSampled;
    private TwoLayerSiluLinearization? _sampled;               // the Nyström sample's rows, evaluated once per call
    private int _heldAt = -1;                                  // the first row of the chunk held; −1: none

    /// <summary><paramref name="chunkRows"/> is rounded up to a multiple of the product row block and capped at N.</summary>
    internal TwoLayerSiluStreamingLinearization(TwoLayerSilu model, int sampleCount, int chunkRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        const int block = TwoLayerSiluLinearization.ProductRowBlock;
        _model = model;
        _n = sampleCount;
        _chunk = (int)Math.Min(sampleCount, ((long)chunkRows + block - 1) / block * block);
        _chunkRows = model.CreateLinearization(_chunk);
        _xFull = DenseMatrix<double>.CreateUninitialized(_chunk, model.InputDimension);
        if (_n % _chunk is int tail and > 0) _xTail = DenseMatrix<double>.CreateUninitialized(tail, model.InputDimension);
        _w = new double[model.ParameterCount];
        _f = new double[_n];
    }

    /// <summary>Rows of Φ and E held at a time.</summary>
    public int ChunkRows => _chunk;

    /// <summary>Chunks evaluated so far (forward passes over a chunk's rows).</summary>
    internal int ChunkEvaluations { get; private set; }

    public int Rows => _n;

    public int Columns => _model.ParameterCount;

    /// <summary>f = network(X) at the last <see cref="Evaluate"/>.</summary>
    public ReadOnlySpan<double> Output => _f;

    /// <summary>Forward pass at (X, w), a chunk at a time; keeps f, X (referenced) and a copy of w for the products.</summary>
    public void Evaluate(DenseMatrix<double> x, ReadOnlySpan<double> w)
    {
        _model.CheckInputs(x, nameof(x));
        if (x.Rows != _n)
            Guard.ThrowArgument(nameof(x), $"x is {x.Shape} but this linearization was created for N = {_n} samples; x must be {_n}×{_model.InputDimension}.");
        _model.CheckParameterLength(w, nameof(w));
        w.CopyTo(_w);
        _x = x;
        _heldAt = -1;
        for (int n0 = 0; n0 < _n; n0 += _chunk)
            Load(n0).Output.CopyTo(_f.AsSpan(n0));
    }

    /// <remarks>
    /// Rows are independent here, so the chunks go from whichever end is held: after Jᵀz (in row order, ending on
    /// the last chunk) a CG product recomputes one chunk fewer.
    /// </remarks>
    public void Multiply(ReadOnlySpan<double> direction, Span<double> result)
    {
        CheckEvaluated();
        JacobianChecks.Multiply(this, direction, result);
        int last = (_n - 1) / _chunk * _chunk;
        bool backwards = _heldAt == last;
        for (int i = 0; i <= last; i += _chunk)
        {
            int n0 = backwards ? last - i : i;
            var chunk = Load(n0);
            chunk.Multiply(direction, result.Slice(n0, chunk.Rows));
        }
    }

    public void MultiplyTransposed(ReadOnlySpan<double> z, Span<double> result)
    {
        CheckEvaluated();
        JacobianChecks.MultiplyTransposed(this, z, result);
        result.Clear();
        for (int n0 = 0; n0 < _n; n0 += _chunk) // in row order: the blocks' parts add up as the stored linearization's do
        {
            var chunk = Load(n0);
            chunk.AccumulateTransposed(z.Slice(n0, chunk.Rows), result);
        }
    }

    /// <summary>A[:, S]: the sampled rows evaluated once, then each chunk's rows of the columns from its recomputed Φ and E.</summary>
    void IKernelColumns.KernelColumns(ReadOnlySpan<int> rows, DenseMatrix<double> result)
    {
        var x = CheckEvaluated();
        int k = rows.Length;
        if (result.Rows != _n || result.Cols != k) Guard.ThrowArgument(nameof(result), $"result is {result.Shape}; it must be {_n}×{k}.");
        if (_sampled is null || _sampled.Rows != k)
        {
            foreach (var m in new IDisposable?[] { _sampled, _xSampled }) m?.Dispose();
            _sampled = _model.CreateLinearization(k);
            _xSampled = DenseMatrix<double>.CreateUninitialized(k, _model.InputDimension);
        }
        for (int j = 0; j < k; j++) x.Row(rows[j]).CopyTo(_xSampled!.Row(j));
        _sampled.Evaluate(_xSampled!, _w);
        for (int n0 = 0; n0 < _n; n0 += _chunk)
        {
            Load(n0).KernelColumnsFrom(_sampled.Activations, _sampled.WeightedDerivatives, _xSampled!, result, resultRow: n0);
        }
    }

    public void Ntk(DenseMatrix<double> result) => throw DenseFormsUnavailable("the NTK J·Jᵀ");

    public void WeightedNtk(ReadOnlySpan<double> weights, DenseMatrix<double> result) => throw DenseFormsUnavailable("the weighted NTK");

    public void ParameterGram(DenseMatrix<double> result) => throw DenseFormsUnavailable("Jᵀ·J");

    public void Dispose()
    {
        foreach (var m in new IDisposable?[] { _chunkRows, _xFull, _xTail, _sampled, _xSampled }) m?.Dispose();
    }

    private NotSupportedException DenseFormsUnavailable(string what) => new(
        $"{what} needs every row's activations at once, but this Jacobian holds {_chunk} of N = {_n} rows and recomputes them " +
        "per product; use a matrix-free solver (GaussNewtonSolver.Nystrom or .Cg) or hold all rows (TwoLayerSiluRegression.ActivationRows = null).");

    /// <summary>Φ and E of the chunk starting at row <paramref name="n0"/>, recomputed unless that chunk is the one held.</summary>
    private TwoLayerSiluLinearization Load(int n0)
    {
        if (_heldAt == n0) return _chunkRows; // e.g. N in one chunk: nothing to recompute
        var x = _x!;
        int rows = Math.Min(_chunk, _n - n0);
        var xChunk = rows == _chunk ? _xFull : _xTail!;
        for (int r = 0; r < rows; r++) x.Row(n0 + r).CopyTo(xChunk.Row(r));
        _chunkRows.EvaluateRows(xChunk, _w);
        (_heldAt, ChunkEvaluations) = (n0, ChunkEvaluations + 1);
        return _chunkRows;
    }

    private DenseMatrix<double> CheckEvaluated() =>
        _x ?? throw new InvalidOperationException("Call Evaluate(x, w) before using the Jacobian or its products.");
}
