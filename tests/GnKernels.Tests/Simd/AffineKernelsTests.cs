using GnKernels.Simd;

namespace GnKernels.Tests.Simd;

/// <summary>z = b + xᵀ·A on every length, offset and input dimension: the same bits as the plain FMA loop in order k = 0 … d − 1.</summary>
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
        double[] bias = Enumerable.Range(0, stride).Select(_ => rng.NextDouble() - 0.5).ToArray();
        foreach (int offset in new[] { 0, 1, 7, 40 })
            for (int n = 0; n <= stride - offset; n += n < 40 ? 1 : 13)
            {
                var z = new double[n + 1];
                z[n] = 12345; // a sentinel past the end
                ReadOnlySpan<double> b = withBias ? bias.AsSpan(offset, n) : default;
                AffineKernels.Row(x, a, stride, offset, b, z.AsSpan(0, n));
                for (int j = 0; j < n; j++)
                {
                    double expected = withBias ? b[j] : 0;
                    for (int k = 0; k < d; k++) expected = Math.FusedMultiplyAdd(x[k], a[k * stride + offset + j], expected);
                    Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(z[j]), $"d {d}, offset {offset}, n {n}, j {j}: {z[j]:R} vs {expected:R}");
                }
                Assert.Equal(12345, z[n]);
            }
    }
}
