using GnKernels.Simd;

namespace GnKernels.Tests.Simd;

/// <summary>
/// The forward pass's one-loop row against its two-kernel definition: z by <see cref="AffineKernels"/>, then the fused
/// SiLU with weighted derivative on the same path; the same bits on every served path, length, offset and input
/// dimension, and nothing written past the row.
/// </summary>
public class AffineSiluKernelsTests
{
    public static TheoryData<SimdPath, int, bool> Cases()
    {
        var data = new TheoryData<SimdPath, int, bool>();
        foreach (var path in new[] { SimdPath.V256, SimdPath.V512 })
            foreach (var (d, bias) in new[] { (1, false), (3, true), (10, false), (10, true) })
                data.Add(path, d, bias);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void A_row_is_the_affine_kernel_then_the_weighted_fused_silu_bit_for_bit(SimdPath path, int d, bool withBias)
    {
        var rng = new Random(17 * d + (int)path);
        const int stride = 300;
        double[] a = Enumerable.Range(0, d * stride).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        double[] x = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        double[] bias = Enumerable.Range(0, stride).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] w = Enumerable.Range(0, stride).Select(_ => rng.NextDouble() - 0.5).ToArray();
        int served = 0;
        foreach (int offset in new[] { 0, 5, 40 })
            for (int n = 1; n <= stride - offset; n += n < 70 ? 1 : 23)
            {
                if (!AffineSiluKernels.Serves(path, n)) continue;
                served++;
                ReadOnlySpan<double> b = withBias ? bias.AsSpan(offset, n) : default;
                var z = new double[n];
                double[] phi = new double[n], e = new double[n];
                AffineKernels.Row(x, a, stride, offset, b, z);
                SiluKernels.SiluWithWeightedDerivative<double>(z, w.AsSpan(offset, n), phi, e, path);

                double[] phiRow = new double[n + 1], eRow = new double[n + 1];
                phiRow[n] = eRow[n] = 12345; // sentinels past the row
                AffineSiluKernels.Row(path, x, a, stride, offset, b, w.AsSpan(offset, n), phiRow.AsSpan(0, n), eRow.AsSpan(0, n));
                Assert.Equal(phi, phiRow[..n]);
                Assert.Equal(e, eRow[..n]);
                Assert.Equal(12345, phiRow[n]);
                Assert.Equal(12345, eRow[n]);
            }
        Assert.True(served > 50 || !AffineSiluKernels.Serves(path, stride), $"only {served} lengths served on {path}");
    }
}
