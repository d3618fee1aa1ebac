using CsCheck;
using GnKernels.Simd;

namespace GnKernels.Tests.Simd;

/// <summary>Invariants of the public SiLU kernels over random lengths, values, special values and aliasing.</summary>
public class SiluPropertyTests
{
    // Finite values over the whole range, with NaN and ±∞ mixed in at random positions.
    private static readonly Gen<double> Value = Gen.Frequency((8, Gen.Double[-800, 800]), (1, Gen.Double[-3, 3]),
        (1, Gen.OneOf(Gen.Const(double.NaN), Gen.Const(double.PositiveInfinity), Gen.Const(double.NegativeInfinity), Gen.Const(0.0), Gen.Const(-0.0))));

    private static readonly Gen<double[]> Inputs = Value.Array[0, 300];

    [Fact]
    public void In_place_equals_out_of_place_and_special_values_stay_where_they_are() => Inputs.Sample(x =>
    {
        double[] y = new double[x.Length], dy = new double[x.Length], inPlace = (double[])x.Clone(), dInPlace = (double[])x.Clone();
        SiluKernels.SiluWithDerivative(x, y, dy);
        SiluKernels.Silu(inPlace, inPlace);
        SiluKernels.SiluDerivative(dInPlace, dInPlace);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(double.IsNaN(x[i]), double.IsNaN(y[i]));
            Assert.Equal(double.IsNaN(x[i]), double.IsNaN(dy[i]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(dy[i]), BitConverter.DoubleToInt64Bits(dInPlace[i])); // one formula, one result
            if (double.IsFinite(x[i])) Assert.True(Math.Abs(inPlace[i] - y[i]) <= 2.3e-16 * Math.Abs(y[i]), $"x = {x[i]:R}");
        }
    }, threads: 1, iter: 200);

    [Fact]
    public void Silu_is_monotone_above_its_minimum_and_obeys_silu_x_minus_silu_minus_x_equals_x() => Gen.Double[-700, 700].Array[1, 64].Sample(x =>
    {
        double[] minus = x.Select(v => -v).ToArray(), y = new double[x.Length], yMinus = new double[x.Length];
        SiluKernels.Silu(x, y);
        SiluKernels.Silu(minus, yMinus);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(y[i] - yMinus[i] - x[i]) <= 4.5e-16 * Math.Max(Math.Abs(x[i]), 1e-300), $"x = {x[i]:R}: {y[i]:R} − {yMinus[i]:R}");
    }, threads: 1, iter: 200);
}
