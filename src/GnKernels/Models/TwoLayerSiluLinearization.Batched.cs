using System.Numerics.Tensors;
using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// The products with several vectors at once. One product is memory-bound (it reads Φ and E, N×M each, for 2NM(d+2)
/// flops); c of them batched read Φ and E once, as GEMMs with c (or c·(d+1)) rows where one product has a GEMV and a
/// GEMM of d + 1 rows: at (500, 5000, 10) three vectors in one pass cost 1.2–2.2 single products (`JacobianBenchmarks`).
/// </summary>
public sealed partial class TwoLayerSiluLinearization
{
    private BatchScratch? _batch;

    /// <inheritdoc/>
    public void Multiply(ReadOnlySpan<double> directions, Span<double> results, int count)
    {
        var x = CheckEvaluated();
        JacobianChecks.Batch(this, directions, nameof(directions), Columns, results, Rows, count);
        if (SkinnyProductPass.Available) { SkinnyMultiply(x, directions, results, count); return; }
        if (count == 1) { BlasMultiply(x, directions, results); return; }
        var b = Batch(count);
        int perUnit = (int)_directionTransposed.Rows, units = count * perUnit;
        SplitDirections(b, directions, count, 1.0);
        var dt = SubMatrix<double>.RowsOf(b.UnitsByInput, 0, units);
        var dv = SubMatrix<double>.RowsOf(b.OutputWeights, 0, count);
        double s = _model.Scale;
        for (int n0 = 0; n0 < _n; n0 += ProductRowBlock)
        {
            int rows = Math.Min(ProductRowBlock, _n - n0);
            Blas.Gemm(1.0, dt, Transpose.None, SubMatrix<double>.RowsOf(_weighted, n0, rows), Transpose.Transposed,
                0.0, new SubMatrix<double>(b.UnitProducts, 0, units, n0, rows));
            Blas.Gemm(s, dv, Transpose.None, SubMatrix<double>.RowsOf(_phi, n0, rows), Transpose.Transposed,
                0.0, new SubMatrix<double>(b.Outputs, 0, count, n0, rows));
        }
        GatherProducts(x, b, results, count);
    }

    /// <summary>
    /// Each direction's per-unit input weights into rows c·(d+1) … of the batch's UnitsByInput (the bias's last) and
    /// its output weights, times <paramref name="outputScale"/>, into row c of OutputWeights.
    /// </summary>
    private void SplitDirections(BatchScratch b, ReadOnlySpan<double> directions, int count, double outputScale)
    {
        int p = Columns, perUnit = (int)_directionTransposed.Rows;
        for (int c = 0; c < count; c++)
        {
            ReadOnlySpan<double> direction = directions.Slice(c * p, p);
            HiddenLayer.TransposeUnits(direction[.._model.BiasOffset], b.UnitsByInput, c * perUnit);
            if (_model.HasBias) direction[_model.BiasOffset.._model.OutputWeightsOffset].CopyTo(b.UnitsByInput.Row(c * perUnit + _d));
            TensorPrimitives.Multiply(direction[_model.OutputWeightsOffset..], outputScale, b.OutputWeights.Row(c));
        }
    }

    /// <summary>J·δw for each direction from the batch's Outputs (s·Φ·δv) and UnitProducts (E·δŨ).</summary>
    private void GatherProducts(DenseMatrix<double> x, BatchScratch b, Span<double> results, int count)
    {
        int perUnit = (int)_directionTransposed.Rows;
        for (int c = 0; c < count; c++)
        {
            Span<double> result = results.Slice(c * _n, _n);
            b.Outputs.Row(c)[.._n].CopyTo(result);
            AddInputTerms(x, b.UnitProducts, c * perUnit, result);
        }
    }

    /// <inheritdoc/>
    public void MultiplyTransposed(ReadOnlySpan<double> zs, Span<double> results, int count)
    {
        var x = CheckEvaluated();
        JacobianChecks.Batch(this, zs, nameof(zs), Rows, results, Columns, count);
        results.Clear();
        if (SkinnyProductPass.Available) { SkinnyAccumulateTransposed(x, zs, results, count); return; }
        if (count == 1) { BlasAccumulateTransposed(x, zs, results); return; }
        var b = Batch(count);
        int p = Columns, perUnit = (int)_directionTransposed.Rows, units = count * perUnit;
        for (int c = 0; c < count; c++) zs.Slice(c * _n, _n).CopyTo(b.Outputs.Row(c));
        double s = _model.Scale;
        for (int n0 = 0; n0 < _n; n0 += ProductRowBlock)
        {
            int rows = Math.Min(ProductRowBlock, _n - n0);
            Blas.Gemm(s, new SubMatrix<double>(b.Outputs, 0, count, n0, rows), Transpose.None, SubMatrix<double>.RowsOf(_phi, n0, rows), Transpose.None,
                0.0, SubMatrix<double>.RowsOf(b.OutputWeights, 0, count));
            for (int n = n0; n < n0 + rows; n++)
            {
                Span<double> row = b.ScaledInputs.Row(n)[..units];
                ReadOnlySpan<double> xn = x.Row(n);
                for (int c = 0; c < count; c++)
                {
                    double z = b.Outputs[c, n];
                    TensorPrimitives.Multiply(xn, z, row.Slice(c * perUnit, _d));
                    if (_model.HasBias) row[c * perUnit + _d] = z;
                }
            }
            Blas.Gemm(s, new SubMatrix<double>(b.ScaledInputs, n0, rows, 0, units), Transpose.Transposed, SubMatrix<double>.RowsOf(_weighted, n0, rows),
                Transpose.None, 0.0, SubMatrix<double>.RowsOf(b.UnitsByInput, 0, units));
            for (int c = 0; c < count; c++)
            {
                Span<double> result = results.Slice(c * p, p);
                Span<double> gv = result[_model.OutputWeightsOffset..];
                TensorPrimitives.Add(gv, b.OutputWeights.Row(c), gv);
                AddUnitGradient(b.UnitsByInput, c * perUnit, result);
            }
        }
    }

    /// <summary>The batch scratch for at least <paramref name="count"/> vectors, grown (once per larger count) and kept.</summary>
    private BatchScratch Batch(int count)
    {
        if (_batch is { } b && b.Count >= count) return b;
        _batch?.Dispose();
        return _batch = new BatchScratch(count, _capacity, _m, (int)_directionTransposed.Rows);
    }

    /// <summary>
    /// For c vectors: their per-unit input weights (c·(d+1) × M) or the transposed products' unit part; their output
    /// weights (c × M) or Φᵀ's part; the vectors of N (c × N: the zs in, or J's v part out); J's unit products
    /// (c·(d+1) × N); the rows of X̃ scaled by each z (N × c·(d+1)), or for the skinny kernels each s·z and then those
    /// rows times s (N × c·(d+2)).
    /// </summary>
    private sealed class BatchScratch(int count, int n, int m, int perUnit) : IDisposable
    {
        public int Count { get; } = count;
        public DenseMatrix<double> UnitsByInput { get; } = DenseMatrix<double>.CreateUninitialized(count * perUnit, m);
        public DenseMatrix<double> OutputWeights { get; } = DenseMatrix<double>.CreateUninitialized(count, m);
        public DenseMatrix<double> Outputs { get; } = DenseMatrix<double>.CreateUninitialized(count, n);
        public DenseMatrix<double> UnitProducts { get; } = DenseMatrix<double>.CreateUninitialized(count * perUnit, n);
        public DenseMatrix<double> ScaledInputs { get; } = DenseMatrix<double>.CreateUninitialized(n, count * (perUnit + 1));

        public void Dispose()
        {
            UnitsByInput.Dispose();
            OutputWeights.Dispose();
            Outputs.Dispose();
            UnitProducts.Dispose();
            ScaledInputs.Dispose();
        }
    }
}
