using System.Numerics.Tensors;
using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// The products through the <see cref="Simd.SkinnyGemm"/> kernels, for one vector or several: each reads Φ and E once
/// from where they lie, without the copy OpenBLAS makes of them. Used wherever the kernels run
/// (<see cref="SkinnyProductPass.Available"/>).
/// </summary>
public sealed partial class TwoLayerSiluLinearization
{
    private SkinnyProductPass? _pass;

    private SkinnyProductPass Pass => _pass ??= new SkinnyProductPass();

    /// <summary>J·δw for <paramref name="count"/> directions: every row of E dotted with each δŨᵀ row, of Φ with each s·δv.</summary>
    private void SkinnyMultiply(DenseMatrix<double> x, ReadOnlySpan<double> directions, Span<double> results, int count)
    {
        var b = Batch(count);
        int units = count * (int)_directionTransposed.Rows;
        SplitDirections(b, directions, count, _model.Scale);
        Pass.RowDots(_weighted, 0, _n, b.UnitsByInput, 0, units, b.UnitProducts, 0, 0);
        Pass.RowDots(_phi, 0, _n, b.OutputWeights, 0, count, b.Outputs, 0, 0);
        GatherProducts(x, b, results, count);
    }

    /// <summary>
    /// sum += Jᵀz for <paramref name="count"/> vectors z (each N long, each sum P long), one block of
    /// <see cref="ProductRowBlock"/> rows at a time: the rows of Φ weighted by s·z and of E by s·z·X̃, summed.
    /// </summary>
    private void SkinnyAccumulateTransposed(DenseMatrix<double> x, ReadOnlySpan<double> zs, Span<double> sums, int count)
    {
        for (int n0 = 0; n0 < _n; n0 += ProductRowBlock)
        {
            var b = ClearTransposedParts(count);
            AddTransposedParts(b, x, zs, count, n0, Math.Min(ProductRowBlock, _n - n0));
            FlushTransposedParts(b, sums, count);
        }
    }

    /// <summary>
    /// sum += Jᵀz for the rows this linearization holds, as part of one block of <see cref="ProductRowBlock"/> rows whose
    /// other rows other evaluations of it hold: the block's part starts at <paramref name="blockStart"/> and is added to
    /// sum at <paramref name="blockEnd"/>, so a block split into parts of whole <see cref="Simd.SkinnyGemm.RowBlock"/>s
    /// sums as the whole block would. Without the kernels the part must be the whole block.
    /// </summary>
    internal void AccumulateTransposedPart(ReadOnlySpan<double> z, Span<double> sum, bool blockStart, bool blockEnd)
    {
        var x = CheckEvaluated();
        if (!SkinnyProductPass.Available)
        {
            if (!(blockStart && blockEnd)) throw new InvalidOperationException("The BLAS products sum whole blocks of rows.");
            BlasAccumulateTransposed(x, z, sum);
            return;
        }
        var b = blockStart ? ClearTransposedParts(1) : Batch(1);
        AddTransposedParts(b, x, z, 1, 0, _n);
        if (blockEnd) FlushTransposedParts(b, sum, 1);
    }

    private BatchScratch ClearTransposedParts(int count)
    {
        var b = Batch(count);
        b.OutputWeights.AsSpan()[..(count * _m)].Clear();
        b.UnitsByInput.AsSpan()[..(count * (int)_directionTransposed.Rows * _m)].Clear();
        return b;
    }

    /// <summary>The batch's parts += rows [firstRow, firstRow + rows) of Φ weighted by s·z and of E by s·z·X̃.</summary>
    private void AddTransposedParts(BatchScratch b, DenseMatrix<double> x, ReadOnlySpan<double> zs, int count, int firstRow, int rows)
    {
        int perUnit = (int)_directionTransposed.Rows;
        double s = _model.Scale;
        // Row n of the coefficients: [s·z_c(n) for each c, then s·z_c(n)·X̃ₙ for each c].
        for (int n = firstRow; n < firstRow + rows; n++)
        {
            Span<double> row = b.ScaledInputs.Row(n);
            ReadOnlySpan<double> xn = x.Row(n);
            for (int c = 0; c < count; c++)
            {
                double sz = s * zs[c * _n + n];
                row[c] = sz;
                TensorPrimitives.Multiply(xn, sz, row.Slice(count + c * perUnit, _d));
                if (_model.HasBias) row[count + c * perUnit + _d] = sz;
            }
        }
        Pass.AddTransposedProduct(_phi, firstRow, rows, b.ScaledInputs, 0, count, b.OutputWeights, 0);
        Pass.AddTransposedProduct(_weighted, firstRow, rows, b.ScaledInputs, count, count * perUnit, b.UnitsByInput, 0);
    }

    /// <summary>Each sum += its vector's parts (the output weights', then the hidden weights' scattered).</summary>
    private void FlushTransposedParts(BatchScratch b, Span<double> sums, int count)
    {
        int p = Columns, perUnit = (int)_directionTransposed.Rows;
        for (int c = 0; c < count; c++)
        {
            Span<double> sum = sums.Slice(c * p, p);
            Span<double> gv = sum[_model.OutputWeightsOffset..];
            TensorPrimitives.Add(gv, b.OutputWeights.Row(c), gv);
            AddUnitGradient(b.UnitsByInput, c * perUnit, sum);
        }
    }
}
