using GnKernels.Simd;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Simd;

/// <summary>
/// The exp's tables of 2^(j/16) (AVX-512) and 2^(j/8) (AVX2) checked by their defining identity, in double-double:
/// T_j^(2^b) = 2^j. An entry within half an ULP of 2^(j/2^b) has δ = T_j/2^(j/2^b) − 1 ≤ 2⁻⁵³, which the 2^b-th power
/// multiplies by 2^b; with its recorded error e_j, T_j·(1 + e_j) must be 2^(j/2^b) to far below an ULP.
/// </summary>
public class Pow2TableTests
{
    [Fact]
    public void Double_entries_are_the_rounded_powers_and_their_errors_complete_them()
    {
        for (int j = 0; j < 16; j++)
        {
            long bits = (j < 8 ? Pow2Table.BitsLow[j] : Pow2Table.BitsHigh[j - 8]) + ((long)j << 48);
            double error = j < 8 ? Pow2Table.ErrorLow[j] : Pow2Table.ErrorHigh[j - 8];
            AssertPowerOfTwoRoot(BitConverter.Int64BitsToDouble(bits), error, j, 4, errorTolerance: 1e-30);
        }
        for (int j = 0; j < 8; j++)
        {
            long low = (uint)Pow2Table.EighthsLowHalves[j], high = (uint)Pow2Table.EighthsHighHalves[j], errorHigh = (uint)Pow2Table.EighthsErrorHighHalves[j];
            double entry = BitConverter.Int64BitsToDouble((high << 32 | low) + ((long)j << 49));
            // The permute hands each lane its error's high half twice: what the kernel adds, checked as it is added.
            double error = BitConverter.Int64BitsToDouble(errorHigh << 32 | errorHigh);
            AssertPowerOfTwoRoot(entry, error, j, 3, errorTolerance: 1e-21);
        }
    }

    [Fact]
    public void Float_entries_are_the_rounded_powers_and_their_errors_complete_them()
    {
        for (int j = 0; j < 16; j++)
            AssertSingle(BitConverter.Int32BitsToSingle(Pow2Table.BitsSingle[j] + (j << 19)), Pow2Table.ErrorSingle[j], j, 4);
        for (int j = 0; j < 8; j++)
            AssertSingle(BitConverter.Int32BitsToSingle(Pow2Table.EighthsSingleBits[j] + (j << 20)), Pow2Table.EighthsSingleError[j], j, 3);
    }

    private static void AssertSingle(float entry, float error, int j, int bits)
    {
        double delta = RelativeDeviation(entry, j, bits);
        Assert.True(Math.Abs(delta) <= Math.ScaleB(1, -24), $"float 2^({j}/{1 << bits}): entry off by {delta:E2}, more than half an ULP");
        // error = −δ/(1 + δ), a float (rounded to 2⁻²⁴ of itself); the power's estimate of δ errs by (2^b − 1)/2·δ².
        Assert.True(Math.Abs(delta + error) <= (1 << bits) * delta * delta + 1e-15, $"float 2^({j}/{1 << bits}): recorded error {error:E3}, actual {-delta:E3}");
    }

    private static void AssertPowerOfTwoRoot(double entry, double error, int j, int bits, double errorTolerance)
    {
        double delta = RelativeDeviation(entry, j, bits);
        Assert.True(Math.Abs(delta) <= Math.ScaleB(1, -53), $"2^({j}/{1 << bits}): entry off by {delta:E2}, more than half an ULP");
        Assert.True(Math.Abs(RelativeDeviation((DoubleDouble)entry * (1 + (DoubleDouble)error), j, bits)) <= errorTolerance,
            $"2^({j}/{1 << bits}): entry·(1 + error) is not the power to {errorTolerance:E0}");
    }

    /// <summary>T/2^(j/2^b) − 1 from T^(2^b)/2^j − 1 = (1 + δ)^(2^b) − 1 ≈ 2^b·δ, in double-double.</summary>
    private static double RelativeDeviation(DoubleDouble t, int j, int bits)
    {
        for (int i = 0; i < bits; i++) t *= t;
        DoubleDouble ratio = DoubleDouble.ScaleB(t, -j) - 1;
        return (ratio.Hi + ratio.Lo) / (1 << bits);
    }
}
