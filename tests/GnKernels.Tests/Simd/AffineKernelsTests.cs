using GnKernels.Simd;

namespace GnKernels.Tests.Simd;

/// <summary>z = b + xᵀ·A, one row or two at once, on every length, offset and input dimension: the same bits as the plain FMA loop in order k = 0 … d − 1.</summary>
public class AffineKernelsTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(3, true)]
    [InlineData(10, false)]
    [InlineData(10, true)]
    [InlineData(17, true)]
    public void Every_length_and_offset_matches_the_fused_loop_bit_for_bit(int d, bool withBias)
    {
        var rng = new Random(d);
        const int stride = 150;
        double[] a = Enumerable.Range(0, d * stride).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        double[] x = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        double[] x2 = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        double[] bias = Enumerable.Range(0, stride).Select(_ => rng.NextDouble() - 0.5).ToArray();
        foreach (int offset in new[] { 0, 1, 7, 40 })
            for (int n = 0; n <= stride - offset; n += n < 40 ? 1 : 13)
            {
                ReadOnlySpan<double> b = withBias ? bias.AsSpan(offset, n) : default;
                // One row, and two rows at once (the second with its own x): each element the reference loop's bits.
                var z = new double[n + 1];
                var pair = new[] { new double[n + 1], new double[n + 1] };
                z[n] = pair[0][n] = pair[1][n] = 12345; // sentinels past the end
                AffineKernels.Row(x, a, stride, offset, b, z.AsSpan(0, n));
                AffineKernels.TwoRows(x, x2, a, stride, offset, b, pair[0].AsSpan(0, n), pair[1].AsSpan(0, n));
                foreach (var (input, output, name) in new[] { (x, z, "Row"), (x, pair[0], "TwoRows, first"), (x2, pair[1], "TwoRows, second") })
                {
                    for (int j = 0; j < n; j++)
                    {
                        double expected = withBias ? b[j] : 0;
                        for (int k = 0; k < d; k++) expected = Math.FusedMultiplyAdd(input[k], a[k * stride + offset + j], expected);
                        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(output[j]),
                            $"{name}: d {d}, offset {offset}, n {n}, j {j}: {output[j]:R} vs {expected:R}");
                    }
                    Assert.Equal(12345, output[n]);
                }
            }
    }
}
