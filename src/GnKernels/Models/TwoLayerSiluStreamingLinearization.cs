using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// A <see cref="TwoLayerSilu"/> network's Jacobian at (X, w) that holds Φ and E for one chunk of rows and recomputes
/// the others for every product: memory O(chunk·M) instead of O(N·M), for the matrix-free solvers at N where the
/// stored activations do not fit. A product recomputes the rows it does not hold a few hundred at a time into buffers
/// that stay in the caches and uses them at once, so the recomputed Φ and E never travel to memory and back (the fused
/// SiLU pass costs about what reading them would). Chunks are whole multiples of
/// <see cref="TwoLayerSiluLinearization.ProductRowBlock"/>, and each block's rows are summed in the same order as the
/// stored linearization's, so J·δw, Jᵀz and the NTK's columns are the same bits. The dense NTK forms are not offered.
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
    private readonly int _workRows;                            // rows a product recomputes at a time
    private TwoLayerSiluLinearization? _work;                  // their Φ and E
    private DenseMatrix<double>? _xWork, _xWorkTail;             // their inputs; the last part's when N ends inside one

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
        _workRows = WorkRows(model.Width);
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

    public void Multiply(ReadOnlySpan<double> direction, Span<double> result)
    {
        CheckEvaluated();
        JacobianChecks.Multiply(this, direction, result);
        for (int n0 = 0; n0 < _n; n0 += _chunk)
        {
            int rows = Math.Min(_chunk, _n - n0);
            if (n0 == _heldAt) { _chunkRows.Multiply(direction, result.Slice(n0, rows)); continue; }
            ChunkEvaluations++;
            for (int r0 = n0; r0 < n0 + rows; r0 += _workRows) // rows are independent: any parts give the same bits
            {
                var work = Recompute(r0, Math.Min(_workRows, n0 + rows - r0));
                work.Multiply(direction, result.Slice(r0, work.Rows));
            }
        }
    }

    public void MultiplyTransposed(ReadOnlySpan<double> z, Span<double> result)
    {
        CheckEvaluated();
        JacobianChecks.MultiplyTransposed(this, z, result);
        result.Clear();
        const int block = TwoLayerSiluLinearization.ProductRowBlock;
        for (int n0 = 0; n0 < _n; n0 += _chunk) // in row order: the blocks' parts add up as the stored linearization's do
        {
            int rows = Math.Min(_chunk, _n - n0);
            if (n0 == _heldAt) { _chunkRows.AccumulateTransposed(z.Slice(n0, rows), result); continue; }
            ChunkEvaluations++;
            for (int b0 = n0; b0 < n0 + rows; b0 += block)
            {
                int end = Math.Min(b0 + block, n0 + rows);
                for (int r0 = b0; r0 < end; r0 += _workRows)
                {
                    var work = Recompute(r0, Math.Min(_workRows, end - r0));
                    work.AccumulateTransposedPart(z.Slice(r0, work.Rows), result, blockStart: r0 == b0, blockEnd: r0 + work.Rows == end);
                }
            }
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
        foreach (var m in new IDisposable?[] { _chunkRows, _xFull, _xTail, _sampled, _xSampled, _work, _xWork, _xWorkTail }) m?.Dispose();
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

    /// <summary>
    /// Rows recomputed at a time by a product: about 8 MiB of Φ and E, a quarter of a large L3, so they are still in
    /// the caches when the product reads them; a power of two from 64 to a whole product block, whose parts then sum
    /// as the block does. Without the skinny kernels the BLAS products sum whole blocks only.
    /// </summary>
    private static int WorkRows(int width)
    {
        const int block = TwoLayerSiluLinearization.ProductRowBlock;
        if (!SkinnyProductPass.Available) return block;
        int rows = 64;
        while (rows < block && 2L * rows * 16 * width <= 8 << 20) rows *= 2;
        return rows;
    }

    /// <summary>Φ and E of rows [r0, r0 + rows) (at most a work part) into the work buffers.</summary>
    private TwoLayerSiluLinearization Recompute(int r0, int rows)
    {
        _work ??= _model.CreateLinearization(Math.Min(_workRows, _n));
        var xWork = rows == Math.Min(_workRows, _n)
            ? _xWork ??= DenseMatrix<double>.CreateUninitialized(rows, _model.InputDimension)
            : _xWorkTail ??= DenseMatrix<double>.CreateUninitialized(rows, _model.InputDimension); // rows = N mod the part size
        var x = _x!;
        for (int r = 0; r < rows; r++) x.Row(r0 + r).CopyTo(xWork.Row(r));
        _work.EvaluateRows(xWork, _w);
        return _work;
    }

    private DenseMatrix<double> CheckEvaluated() =>
        _x ?? throw new InvalidOperationException("Call Evaluate(x, w) before using the Jacobian or its products.");
}
