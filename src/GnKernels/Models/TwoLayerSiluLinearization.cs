using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// A <see cref="TwoLayerSilu"/> network evaluated at one point (X, w): the outputs f, the activations
/// Φ = silu(Z) and the output-weighted derivatives E = silu'(Z)·diag(v) of Z = X·Uᵀ + 1·bᵀ, and everything a Gauss-Newton step needs from
/// the Jacobian J = ∂f/∂w (N×P) without forming it: J·δw, Jᵀ·z, the structured NTK J·Jᵀ, the weighted NTK
/// J·diag(ω)·Jᵀ, Jᵀ·J, and explicit row blocks of J. Buffers are allocated once and reused by every
/// <see cref="Evaluate"/>; nothing allocates afterwards.
/// </summary>
/// <remarks>
/// Jacobian columns follow the parameter ordering w = [U, b, v] of <see cref="TwoLayerSilu"/>:
/// ∂f/∂U[i, j] = s·E[:, i]·X[:, j], ∂f/∂bᵢ = s·E[:, i], ∂f/∂vᵢ = s·Φ[:, i]: silu' only ever appears times vᵢ, so
/// E is stored instead of silu'(Z) and no product pays for the scaling again.
/// The inputs X passed to <see cref="Evaluate"/> are referenced, not copied: do not change them until the next
/// Evaluate. Not thread-safe.
/// </remarks>
public sealed partial class TwoLayerSiluLinearization : IJacobian, IDisposable, IRowRangeWork, IKernelColumns
{
    /// <summary>Hidden units per block in the blocked kernels: the extra memory is N × this many doubles.</summary>
    public const int DefaultBlockSize = 256;

    /// <summary>
    /// Rows per block of the Jacobian products (Jᵀz sums each block's part, then adds it) and of the NTK's columns:
    /// activations recomputed a chunk at a time (<see cref="TwoLayerSiluRegression.ActivationRows"/>) come in whole
    /// multiples of it, so the same sums run over the same rows and the results are the same bits.
    /// </summary>
    public const int ProductRowBlock = 4096;

    // Rows of X̃·X̃ᵀ formed at a time for the Hadamard product in the NTK (extra memory: this × N).
    private const int KernelRowBlock = 64;

    private readonly TwoLayerSilu _model;
    private readonly int _capacity, _m, _d;
    private int _n; // rows evaluated: the capacity, or fewer for the last chunk of a streaming linearization
    private readonly DenseMatrix<double> _phi, _weighted, _uTransposed, _directionTransposed, _panel, _xRows, _kernelRows;
    // The BLAS products' single-vector scratch, allocated on their first use: the skinny kernels use the batch's.
    private DenseMatrix<double>? _unitProducts, _scaledX, _unitGradient;
    private readonly double[] _w, _f, _unitScratch;
    private DenseMatrix<double>? _x, _hiddenGram, _jacobianRows, _phiRows, _weightedRows, _inputRows, _hiddenColumns;
    private DenseMatrix<double>? _inputKernelRows; // X̃·X̃_Sᵀ for one block of rows
    private double[]? _rootWeights;
    private DenseMatrix<float>? _phiSingle, _weightedSingle; // Φ and E in float32 for the single-precision NTK
    private float[]? _kernelRowSingle;

    internal TwoLayerSiluLinearization(TwoLayerSilu model, int sampleCount, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        _model = model;
        (_capacity, _n, _m, _d) = (sampleCount, sampleCount, model.Width, model.InputDimension);
        int panelCols = Math.Max(blockSize, _d + 2); // at least one unit's worth of explicit Jacobian columns
        _phi = DenseMatrix<double>.CreateUninitialized(_n, _m);
        _weighted = DenseMatrix<double>.CreateUninitialized(_n, _m);
        _uTransposed = DenseMatrix<double>.CreateUninitialized(_d, _m);
        int perUnit = _d + (model.HasBias ? 1 : 0); // [uᵢ, bᵢ]: the bias is the weight of a constant-1 input
        _directionTransposed = DenseMatrix<double>.CreateUninitialized(perUnit, _m);
        _panel = DenseMatrix<double>.CreateUninitialized(_n, panelCols);
        _xRows = DenseMatrix<double>.CreateUninitialized(Math.Min(KernelRowBlock, _n), _d);
        _kernelRows = DenseMatrix<double>.CreateUninitialized(_xRows.Rows, _n);
        _w = new double[model.ParameterCount];
        _f = new double[_n];
        _unitScratch = new double[_m];
    }

    /// <summary>The network.</summary>
    public TwoLayerSilu Model => _model;

    /// <summary>N, the number of samples.</summary>
    public int Rows => _n;

    /// <summary>P, the number of parameters.</summary>
    public int Columns => _model.ParameterCount;

    /// <summary>Whether <see cref="Evaluate"/> has run.</summary>
    public bool IsEvaluated => _x is not null;

    /// <summary>f = network(X) at the last <see cref="Evaluate"/>.</summary>
    public ReadOnlySpan<double> Output { get { CheckEvaluated(); return _f.AsSpan(0, _n); } }

    /// <summary>The parameters of the last <see cref="Evaluate"/> (a copy).</summary>
    public ReadOnlySpan<double> Parameters { get { CheckEvaluated(); return _w; } }

    /// <summary>Φ = silu(Z), N×M (read it, do not write it).</summary>
    internal DenseMatrix<double> Activations { get { CheckEvaluated(); return _phi; } }

    /// <summary>E = silu'(Z)·diag(v), N×M: the derivatives scaled by each unit's output weight (read it, do not write it).</summary>
    internal DenseMatrix<double> WeightedDerivatives { get { CheckEvaluated(); return _weighted; } }

    /// <summary>
    /// Forward pass at (X, w): Z = X·Uᵀ (+ b) by GEMM, Φ and E in one fused SiLU pass (rows split across the BLAS
    /// threads), f = s·Φ·v.
    /// Checks shapes and NaN/Inf in X and w.
    /// </summary>
    public void Evaluate(DenseMatrix<double> x, ReadOnlySpan<double> w)
    {
        _model.CheckInputs(x, nameof(x));
        if (x.Rows != _capacity)
            Guard.ThrowArgument(nameof(x), $"x is {x.Shape} but this linearization was created for N = {_capacity} samples; x must be {_capacity}×{_d} (or create another with CreateLinearization({x.Rows})).");
        EvaluateRows(x, w);
    }

    /// <summary>
    /// <see cref="Evaluate"/> on the first x.Rows ≤ N rows of the buffers (for the last, shorter chunk of a streaming
    /// linearization); <see cref="Rows"/> becomes x.Rows. The dense forms then refuse to run.
    /// </summary>
    internal void EvaluateRows(DenseMatrix<double> x, ReadOnlySpan<double> w)
    {
        _model.CheckInputs(x, nameof(x));
        if (x.Rows > _capacity) Guard.ThrowArgument(nameof(x), $"x is {x.Shape}; this linearization holds at most {_capacity} rows.");
        _model.CheckParameterLength(w, nameof(w));
        Guard.Finite(w, nameof(w));
        Guard.Finite(x, nameof(x));
        w.CopyTo(_w);
        HiddenLayer.TransposeUnits(w[.._model.BiasOffset], _uTransposed);
        _x = x;
        _n = (int)x.Rows;
        RowWorkers.Run(this, _n, _m);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// (J·δw)ₙ = s·[Φₙ·δv + Σₖ X̃ₙₖ·(E·δŨₖ)ₙ] with δŨ = [δU, δb] (M × (d+1)): the dot products of every row of E with
    /// the d + 1 rows of δŨᵀ and of every row of Φ with δv (the <see cref="Simd.SkinnyGemm"/> kernels, or a GEMM and a
    /// GEMV per block of rows), then N·(d + 1) multiply-adds; one pass over each N×M matrix, about 2NM(d+2) flops.
    /// </remarks>
    public void Multiply(ReadOnlySpan<double> direction, Span<double> result)
    {
        var x = CheckEvaluated();
        JacobianChecks.Multiply(this, direction, result);
        if (SkinnyProductPass.Available) SkinnyMultiply(x, direction, result, 1);
        else BlasMultiply(x, direction, result);
    }

    private void BlasMultiply(DenseMatrix<double> x, ReadOnlySpan<double> direction, Span<double> result)
    {
        HiddenLayer.TransposeUnits(direction[.._model.BiasOffset], _directionTransposed);
        if (_model.HasBias) direction[_model.BiasOffset.._model.OutputWeightsOffset].CopyTo(_directionTransposed.Row(_d));
        double s = _model.Scale;
        ReadOnlySpan<double> dv = direction[_model.OutputWeightsOffset..];
        int p = (int)_directionTransposed.Rows;
        var unitProducts = _unitProducts ??= DenseMatrix<double>.CreateUninitialized(p, _capacity);
        for (int n0 = 0; n0 < _n; n0 += ProductRowBlock)
        {
            int rows = Math.Min(ProductRowBlock, _n - n0);
            Blas.Gemm(1.0, _directionTransposed, Transpose.None, SubMatrix<double>.RowsOf(_weighted, n0, rows), Transpose.Transposed,
                0.0, new SubMatrix<double>(unitProducts, 0, p, n0, rows));
            Blas.Gemv(s, SubMatrix<double>.RowsOf(_phi, n0, rows), Transpose.None, dv, 0.0, result.Slice(n0, rows));
        }
        AddInputTerms(x, unitProducts, 0, result);
    }

    /// <summary>
    /// result[n] += s·Σₖ X̃ₙₖ·(E·δŨₖ)ₙ, the hidden weights' part of (J·δw)ₙ, with (E·δŨₖ)ₙ in rows
    /// <paramref name="firstRow"/> … of <paramref name="unitProducts"/> (one row per input, the bias's last).
    /// </summary>
    private void AddInputTerms(DenseMatrix<double> x, DenseMatrix<double> unitProducts, int firstRow, Span<double> result)
    {
        double s = _model.Scale;
        for (int n = 0; n < _n; n++)
        {
            ReadOnlySpan<double> xn = x.Row(n);
            double sum = 0;
            for (int k = 0; k < _d; k++) sum += xn[k] * unitProducts[firstRow + k, n];
            if (_model.HasBias) sum += unitProducts[firstRow + _d, n];
            result[n] += s * sum;
        }
    }

    /// <summary>
    /// sum[U, b] += the hidden weights' part of Jᵀz from <paramref name="unitGradient"/>'s rows <paramref name="firstRow"/> …
    /// (one row per input over the M units, the bias's last), scattered into w's unit-major layout.
    /// </summary>
    private void AddUnitGradient(DenseMatrix<double> unitGradient, int firstRow, Span<double> sum)
    {
        Span<double> gu = sum[.._model.BiasOffset];
        for (int j = 0; j < _d; j++)
        {
            ReadOnlySpan<double> g = unitGradient.Row(firstRow + j);
            for (int i = 0; i < _m; i++) gu[i * _d + j] += g[i];
        }
        if (_model.HasBias)
        {
            Span<double> gb = sum[_model.BiasOffset.._model.OutputWeightsOffset];
            TensorPrimitives.Add(gb, unitGradient.Row(firstRow + _d), gb);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One pass over each N×M matrix, about 2NM(d+2) flops: Jᵀz for v is s·Φᵀz; for [U, b] it is s·Eᵀ·(diag(z)·[X, 1]),
    /// formed as its transpose (diag(z)·[X, 1])ᵀ·E, every row of E weighted and summed (the
    /// <see cref="Simd.SkinnyGemm"/> kernels, or per block of rows a GEMV and a GEMM with E as the wide right operand,
    /// which OpenBLAS streams 2.5× faster than the transposed left one).
    /// </remarks>
    public void MultiplyTransposed(ReadOnlySpan<double> z, Span<double> result)
    {
        CheckEvaluated();
        JacobianChecks.MultiplyTransposed(this, z, result);
        result.Clear();
        AccumulateTransposed(z, result);
    }

    /// <summary>
    /// sum += Jᵀz, one block of <see cref="ProductRowBlock"/> rows at a time, each block's part added in row order: a
    /// streaming linearization that adds its chunks' parts the same way gets the same bits.
    /// </summary>
    internal void AccumulateTransposed(ReadOnlySpan<double> z, Span<double> sum)
    {
        var x = CheckEvaluated();
        if (SkinnyProductPass.Available) SkinnyAccumulateTransposed(x, z, sum, 1);
        else BlasAccumulateTransposed(x, z, sum);
    }

    private void BlasAccumulateTransposed(DenseMatrix<double> x, ReadOnlySpan<double> z, Span<double> sum)
    {
        double s = _model.Scale;
        Span<double> gv = sum[_model.OutputWeightsOffset..];
        Span<double> part = _unitScratch;
        int p = (int)_directionTransposed.Rows;
        var scaledX = _scaledX ??= DenseMatrix<double>.CreateUninitialized(_capacity, p);
        var unitGradient = _unitGradient ??= DenseMatrix<double>.CreateUninitialized(p, _m);
        for (int n0 = 0; n0 < _n; n0 += ProductRowBlock)
        {
            int rows = Math.Min(ProductRowBlock, _n - n0);
            Blas.Gemv(s, SubMatrix<double>.RowsOf(_phi, n0, rows), Transpose.Transposed, z.Slice(n0, rows), 0.0, part);
            TensorPrimitives.Add(gv, part, gv);
            for (int n = n0; n < n0 + rows; n++)
            {
                Span<double> row = scaledX.Row(n);
                TensorPrimitives.Multiply(x.Row(n), z[n], row[.._d]);
                if (_model.HasBias) row[_d] = z[n];
            }
            Blas.Gemm(s, SubMatrix<double>.RowsOf(scaledX, n0, rows), Transpose.Transposed, SubMatrix<double>.RowsOf(_weighted, n0, rows), Transpose.None,
                0.0, unitGradient);
            AddUnitGradient(unitGradient, 0, sum);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The structured NTK A = s²·[Φ·Φᵀ + (E·Eᵀ)∘(X̃·X̃ᵀ)] with X̃ = [X, 1] (with bias) or X: two DSYRKs of N×M
    /// (2N²M flops) instead of one of N×P, plus one N×N scratch for E·Eᵀ. When v = 0 (the papers'
    /// initialization) the hidden-layer term vanishes and is skipped.
    /// </remarks>
    public void Ntk(DenseMatrix<double> result)
    {
        var x = CheckEvaluated();
        CheckAllRows();
        JacobianChecks.Square(result, _n, "the NTK J·Jᵀ");
        double s2 = _model.Scale * _model.Scale;
        Blas.SyrkLower(s2, _phi, Transpose.None, 0.0, result);
        ReadOnlySpan<double> v = OutputWeights;
        if (TensorPrimitives.MaxMagnitude(v) == 0) return;

        var gram = _hiddenGram ??= DenseMatrix<double>.CreateUninitialized(_n, _n);
        Blas.SyrkLower(1.0, _weighted, Transpose.None, 0.0, gram);
        AddHadamardWithInputKernel(x, gram, s2, result);
    }

    /// <summary>
    /// The structured NTK in single precision, for a float32 factor that preconditions the double-precision solve: Φ and
    /// E rounded to float32 (two N×M float copies, allocated on first use), two SSYRKs (about twice DSYRK's rate) and
    /// the Hadamard product with X̃·X̃ᵀ formed in double and rounded. <paramref name="gram"/> is N×N float scratch.
    /// Each entry is within a few float32 roundings of the double NTK's, relative to the entries summed.
    /// </summary>
    internal void Ntk(DenseMatrix<float> result, DenseMatrix<float> gram)
    {
        var x = CheckEvaluated();
        CheckAllRows();
        JacobianChecks.Square(result, _n, "the float32 NTK J·Jᵀ");
        JacobianChecks.Square(gram, _n, "the float32 Gram scratch");
        _phiSingle ??= DenseMatrix<float>.CreateUninitialized(_n, _m);
        _weightedSingle ??= DenseMatrix<float>.CreateUninitialized(_n, _m);
        _kernelRowSingle ??= new float[_n];
        float s2 = (float)(_model.Scale * _model.Scale);
        TensorPrimitives.ConvertTruncating<double, float>(_phi.AsSpan(), _phiSingle.AsSpan());
        Blas.SyrkLower(s2, _phiSingle, Transpose.None, 0f, result);
        if (TensorPrimitives.MaxMagnitude(OutputWeights) == 0) return;

        TensorPrimitives.ConvertTruncating<double, float>(_weighted.AsSpan(), _weightedSingle.AsSpan());
        Blas.SyrkLower(1f, _weightedSingle, Transpose.None, 0f, gram);
        AddHadamardWithInputKernel(x, gram, s2, result);
    }

    /// <summary>
    /// Columns S of the NTK, A[:, S] = s²·[Φ·Φ_Sᵀ + (E·E_Sᵀ)∘(X̃·X̃_Sᵀ)] (N×k), by GEMMs of N×M×k on the rows S of Φ
    /// and E: never the N×N matrix, never J. For the Nyström preconditioner of large N.
    /// </summary>
    void IKernelColumns.KernelColumns(ReadOnlySpan<int> rows, DenseMatrix<double> result)
    {
        var x = CheckEvaluated();
        int k = rows.Length;
        if (result.Rows != _n || result.Cols != k) Guard.ThrowArgument(nameof(result), $"result is {result.Shape}; it must be {_n}×{k}.");
        if (_phiRows is null || _phiRows.Rows != k)
        {
            foreach (var m in new[] { _phiRows, _weightedRows, _inputRows }) m?.Dispose();
            _phiRows = DenseMatrix<double>.CreateUninitialized(k, _m);
            _weightedRows = DenseMatrix<double>.CreateUninitialized(k, _m);
            _inputRows = DenseMatrix<double>.CreateUninitialized(k, _d);
        }
        for (int j = 0; j < k; j++)
        {
            _phi.Row(rows[j]).CopyTo(_phiRows.Row(j));
            _weighted.Row(rows[j]).CopyTo(_weightedRows!.Row(j));
            x.Row(rows[j]).CopyTo(_inputRows!.Row(j));
        }
        KernelColumnsFrom(_phiRows, _weightedRows!, _inputRows!, result);
    }

    /// <summary>
    /// s²·[Φ·Φ_Sᵀ + (E·E_Sᵀ)∘(X̃·X̃_Sᵀ)] (N×k) from the sampled rows' activations, derivatives and inputs (k rows each,
    /// e.g. evaluated elsewhere by a streaming linearization), one block of <see cref="ProductRowBlock"/> rows per GEMM,
    /// into rows <paramref name="resultRow"/> … resultRow + N − 1 of <paramref name="result"/> (a streaming chunk's rows).
    /// </summary>
    internal void KernelColumnsFrom(DenseMatrix<double> phiS, DenseMatrix<double> weightedS, DenseMatrix<double> inputS, DenseMatrix<double> result, int resultRow = 0)
    {
        var x = CheckEvaluated();
        int k = (int)phiS.Rows;
        if (_hiddenColumns is null || _hiddenColumns.Cols != k)
        {
            _hiddenColumns?.Dispose();
            _inputKernelRows?.Dispose();
            _hiddenColumns = DenseMatrix<double>.CreateUninitialized(_capacity, k);
            _inputKernelRows = DenseMatrix<double>.CreateUninitialized(_xRows.Rows, k);
        }
        double s2 = _model.Scale * _model.Scale;
        bool hidden = TensorPrimitives.MaxMagnitude(OutputWeights) != 0; // v = 0: E = 0
        for (int n0 = 0; n0 < _n; n0 += ProductRowBlock)
        {
            int rows = Math.Min(ProductRowBlock, _n - n0);
            Blas.Gemm(s2, SubMatrix<double>.RowsOf(_phi, n0, rows), Transpose.None, phiS, Transpose.Transposed, 0.0, SubMatrix<double>.RowsOf(result, resultRow + n0, rows));
            if (hidden)
                Blas.Gemm(1.0, SubMatrix<double>.RowsOf(_weighted, n0, rows), Transpose.None, weightedS, Transpose.Transposed,
                    0.0, SubMatrix<double>.RowsOf(_hiddenColumns, n0, rows));
        }
        if (!hidden) return;

        int block = (int)_xRows.Rows;
        for (int r0 = 0; r0 < _n; r0 += block)
        {
            // X̃·X̃_Sᵀ for a block of rows by one small GEMM (inner dimension d), then the Hadamard product row by row.
            int count = Math.Min(block, _n - r0);
            CopyRowBlock(x, r0, count);
            Blas.Gemm(1.0, _xRows, Transpose.None, inputS, Transpose.Transposed, 0.0, _inputKernelRows!);
            for (int r = 0; r < count; r++)
            {
                Span<double> inputKernel = _inputKernelRows!.Row(r);
                if (_model.HasBias) TensorPrimitives.Add(inputKernel, 1.0, inputKernel);
                Span<double> h = _hiddenColumns.Row(r0 + r);
                TensorPrimitives.Multiply(h, inputKernel, h);
                Span<double> a = result.Row(resultRow + r0 + r);
                TensorPrimitives.MultiplyAdd(h, s2, a, a);
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// By blocks of hidden units: the block's explicit Jacobian columns, each scaled by √ωₚ, then a DSYRK
    /// accumulating into the result (N·P·N flops, extra memory N × block).
    /// </remarks>
    public void WeightedNtk(ReadOnlySpan<double> weights, DenseMatrix<double> result)
    {
        CheckEvaluated();
        JacobianChecks.Weights(this, weights);
        CheckAllRows();
        JacobianChecks.Square(result, _n, "J·diag(w)·Jᵀ");
        var root = _rootWeights ??= new double[Columns];
        TensorPrimitives.Sqrt(weights, root);
        int perUnit = _d + (_model.HasBias ? 2 : 1);
        int unitsPerBlock = (int)_panel.Cols / perUnit;
        for (int i0 = 0; i0 < _m; i0 += unitsPerBlock)
        {
            int count = Math.Min(unitsPerBlock, _m - i0);
            for (int n = 0; n < _n; n++)
            {
                Span<double> row = _panel.Row(n);
                FillUnitColumns(n, i0, count, root, row);
                row[(count * perUnit)..].Clear();
            }
            Blas.SyrkLower(1.0, _panel, Transpose.None, i0 == 0 ? 0.0 : 1.0, result);
        }
    }

    /// <inheritdoc/>
    /// <remarks>By row blocks of the explicit Jacobian and DSYRK on Jᵀ (N·P² flops); meant for P &lt; N.</remarks>
    public void ParameterGram(DenseMatrix<double> result)
    {
        CheckEvaluated();
        CheckAllRows();
        JacobianChecks.Square(result, Columns, "Jᵀ·J");
        // As many Jacobian rows per block as fit in the panel's memory (at least one).
        int rows = (int)Math.Clamp(_panel.Length / Columns, 1, _n);
        var block = _jacobianRows ??= DenseMatrix<double>.CreateUninitialized(rows, Columns);
        for (int r0 = 0; r0 < _n; r0 += rows)
        {
            int count = Math.Min(rows, _n - r0);
            for (int r = 0; r < rows; r++)
            {
                if (r < count) FillJacobianRow(r0 + r, block.Row(r));
                else block.Row(r).Clear();
            }
            Blas.SyrkLower(1.0, block, Transpose.Transposed, r0 == 0 ? 0.0 : 1.0, result);
        }
    }

    /// <summary>
    /// Rows <paramref name="rowStart"/> … rowStart + destination.Rows − 1 of the explicit Jacobian J (N×P), in the
    /// parameter ordering of <see cref="TwoLayerSilu"/>: for tests and for consumers with their own solvers.
    /// </summary>
    public void JacobianRows(int rowStart, DenseMatrix<double> destination)
    {
        CheckEvaluated();
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Cols != Columns)
            Guard.ThrowArgument(nameof(destination), $"destination is {destination.Shape}; it must have P = {Columns} columns.");
        if (rowStart < 0 || rowStart + destination.Rows > _n)
            Guard.ThrowArgument(nameof(rowStart), $"rows {rowStart} … {rowStart + destination.Rows - 1} are outside 0 … {_n - 1} (N = {_n}).");
        for (int r = 0; r < destination.Rows; r++) FillJacobianRow(rowStart + r, destination.Row(r));
    }

    /// <summary>Frees the native buffers.</summary>
    public void Dispose()
    {
        foreach (var m in new[] { _phi, _weighted, _uTransposed, _directionTransposed, _unitProducts, _scaledX, _unitGradient, _panel, _xRows, _kernelRows, _hiddenGram, _jacobianRows,
                                  _phiRows, _weightedRows, _inputRows, _hiddenColumns, _inputKernelRows })
            m?.Dispose();
        _phiSingle?.Dispose();
        _weightedSingle?.Dispose();
        _batch?.Dispose();
    }

    /// <summary>Rows [start, end) of the forward pass (<see cref="Evaluate"/>).</summary>
    void IRowRangeWork.Run(int start, int end) =>
        HiddenLayer.ForwardRows(_x!, 0, _uTransposed, Bias, OutputWeights, _model.Scale, _phi, _weighted, _f, start, end);

    private ReadOnlySpan<double> Bias => _w.AsSpan(_model.BiasOffset, _model.OutputWeightsOffset - _model.BiasOffset);

    private ReadOnlySpan<double> OutputWeights => _w.AsSpan(_model.OutputWeightsOffset);

    private void CheckAllRows()
    {
        if (_n != _capacity) throw new InvalidOperationException($"Only {_n} of {_capacity} rows are evaluated; the dense forms need all of them.");
    }

    private DenseMatrix<double> CheckEvaluated() =>
        _x ?? throw new InvalidOperationException("Call Evaluate(x, w) before using the Jacobian, its products or the NTK.");

    /// <summary>Rows r0 … r0 + count − 1 of x into the row-block scratch, the rest of it zero (the GEMMs take whole blocks).</summary>
    private void CopyRowBlock(DenseMatrix<double> x, int r0, int count)
    {
        for (int r = 0; r < _xRows.Rows; r++)
        {
            if (r < count) x.Row(r0 + r).CopyTo(_xRows.Row(r));
            else _xRows.Row(r).Clear();
        }
    }

    /// <summary>
    /// result (lower) += s²·gram∘(X̃·X̃ᵀ), forming X̃·X̃ᵀ in double a block of rows at a time by GEMM (rounded to T for
    /// the float32 NTK).
    /// </summary>
    private void AddHadamardWithInputKernel<T>(DenseMatrix<double> x, DenseMatrix<T> gram, T s2, DenseMatrix<T> result)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int block = (int)_xRows.Rows;
        for (int r0 = 0; r0 < _n; r0 += block)
        {
            int count = Math.Min(block, _n - r0);
            CopyRowBlock(x, r0, count);
            Blas.Gemm(1.0, _xRows, Transpose.None, x, Transpose.Transposed, 0.0, _kernelRows);
            for (int r = 0; r < count; r++)
            {
                int n = r0 + r;
                Span<double> k = _kernelRows.Row(r)[..(n + 1)];
                if (_model.HasBias) TensorPrimitives.Add(k, 1.0, k);
                Span<T> kt = typeof(T) == typeof(double) ? MemoryMarshal.Cast<double, T>(k) : MemoryMarshal.Cast<float, T>(_kernelRowSingle!.AsSpan(0, n + 1));
                if (typeof(T) != typeof(double)) TensorPrimitives.ConvertTruncating<double, T>(k, kt);
                TensorPrimitives.Multiply(kt, gram.Row(n)[..(n + 1)], kt);
                Span<T> a = result.Row(n)[..(n + 1)];
                TensorPrimitives.MultiplyAdd(kt, s2, a, a);
            }
        }
    }

    /// <summary>One full row of J in the parameter ordering [U, b, v].</summary>
    private void FillJacobianRow(int n, Span<double> row)
    {
        double s = _model.Scale;
        ReadOnlySpan<double> xn = _x!.Row(n);
        Span<double> coefficient = row[_model.BiasOffset.._model.OutputWeightsOffset];
        if (coefficient.IsEmpty) coefficient = _unitScratch.AsSpan(0, _m);
        TensorPrimitives.Multiply(_weighted.Row(n), s, coefficient);
        for (int i = 0; i < _m; i++) TensorPrimitives.Multiply(xn, coefficient[i], row.Slice(i * _d, _d));
        TensorPrimitives.Multiply(_phi.Row(n), s, row[_model.OutputWeightsOffset..]);
    }

    /// <summary>Row n of J's columns for units i0 … i0+count−1, unit by unit ([uᵢ, bᵢ, vᵢ]), scaled by root.</summary>
    private void FillUnitColumns(int n, int i0, int count, ReadOnlySpan<double> root, Span<double> row)
    {
        double s = _model.Scale;
        ReadOnlySpan<double> xn = _x!.Row(n), phi = _phi.Row(n), en = _weighted.Row(n);
        int perUnit = _d + (_model.HasBias ? 2 : 1);
        for (int k = 0; k < count; k++)
        {
            int i = i0 + k;
            double c = s * en[i];
            Span<double> cols = row.Slice(k * perUnit, perUnit);
            TensorPrimitives.Multiply(xn, root.Slice(i * _d, _d), cols[.._d]);
            TensorPrimitives.Multiply(cols[.._d], c, cols[.._d]);
            if (_model.HasBias) cols[_d] = c * root[_model.BiasOffset + i];
            cols[^1] = s * phi[i] * root[_model.OutputWeightsOffset + i];
        }
    }
}
