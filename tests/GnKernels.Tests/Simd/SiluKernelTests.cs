using GnKernels.Simd;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Simd;

public class SiluKernelTests
{
    public static TheoryData<SimdPath> Paths => [SimdPath.Scalar, SimdPath.V128, SimdPath.V256, SimdPath.V512];

    private static double ExactValue(double x) { var (v, _) = SiluReference.Evaluate(x); return v.Hi + v.Lo; }
    private static double ExactDerivative(double x) { var (_, d) = SiluReference.Evaluate(x); return d.Hi + d.Lo; }

    [Theory, MemberData(nameof(Paths))]
    public void Every_length_and_in_place_matches_the_reference(SimdPath path)
    {
        // Every length 0 … 3·8·8+3 (covers every tail of every width, for float's 16-lane V512) plus large odd sizes.
        var lengths = Enumerable.Range(0, 3 * 8 * 8 + 4).Concat([1021, 4099, 65_537]);
        var rng = new Random(7);
        foreach (int n in lengths)
        {
            double[] x = Enumerable.Range(0, n).Select(_ => (rng.NextDouble() - 0.5) * 40).ToArray();
            var y = new double[n];
            var dy = new double[n];
            SiluKernels.SiluWithDerivative<double>(x, y, dy, path);
            // The forward-only kernel has its own formula (it may differ from the fused value in the last bit).
            var forward = new double[n];
            SiluKernels.Silu<double>(x, forward, path);
            double[] inPlace = (double[])x.Clone();
            SiluKernels.Silu<double>(inPlace, inPlace, path);
            double[] dInPlace = (double[])x.Clone();
            SiluKernels.SiluDerivative<double>(dInPlace, dInPlace, path);
            float[] xf = x.Select(v => (float)v).ToArray();
            SiluKernels.Silu<float>(xf, xf, path);
            for (int i = 0; i < n; i++)
            {
                double v = ExactValue(x[i]), d = ExactDerivative(x[i]);
                Assert.True(Math.Abs(y[i] - v) <= 4e-16 * Math.Abs(v), $"n={n} i={i} x={x[i]:R}: {y[i]:R} vs {v:R}");
                Assert.True(Math.Abs(forward[i] - v) <= 4e-16 * Math.Abs(v), $"forward n={n} i={i} x={x[i]:R}: {forward[i]:R} vs {v:R}");
                Assert.Equal(forward[i], inPlace[i]);
                Assert.Equal(dy[i], dInPlace[i]);
                Assert.True(Math.Abs(dy[i] - d) <= 1e-15, $"n={n} i={i}: derivative {dy[i]:R} vs {d:R}");
                Assert.True(Math.Abs(xf[i] - ExactValue((float)x[i])) <= 2.5e-7 * Math.Abs(ExactValue((float)x[i])) + 1e-37, $"float n={n} i={i}: {xf[i]} vs {ExactValue((float)x[i])}");
            }
        }
    }

    [Theory, MemberData(nameof(Paths))]
    public void Results_do_not_depend_on_where_the_spans_start(SimdPath path)
    {
        // The drivers shift their steps to the destination's vector boundary: every start offset (0 … 15 elements,
        // past a 64-byte line for double and float), in place and not, with input and output misaligned differently,
        // must give each element exactly what it gets alone. Lengths straddle the three-step threshold of the shift.
        var rng = new Random(11);
        foreach (int n in new[] { 47, 48, 49, 95, 96, 97, 200, 1021 })
        {
            double[] x = Enumerable.Range(0, n).Select(_ => (rng.NextDouble() - 0.5) * 40).ToArray();
            double[] g = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            // Each element alone, as a block of 128 copies (three steps or more at every width, so the same
            // path runs; a shorter span would drop to a narrower one): lanes compute identically wherever they sit.
            var value = new double[n];
            var derivative = new double[n];
            var backward = new double[n];
            var valueF = new float[n];
            double[] block = new double[128], blockOut = new double[128], blockSecond = new double[128], blockG = new double[128];
            float[] blockF = new float[128];
            for (int i = 0; i < n; i++)
            {
                Array.Fill(block, x[i]);
                Array.Fill(blockG, g[i]);
                Array.Fill(blockF, (float)x[i]);
                SiluKernels.SiluWithDerivative<double>(block, blockOut, blockSecond, path);
                (value[i], derivative[i]) = (blockOut[0], blockSecond[0]);
                SiluKernels.SiluBackward<double>(block, blockG, blockOut, path);
                backward[i] = blockOut[0];
                SiluKernels.Silu<float>(blockF, blockF, path);
                valueF[i] = blockF[0];
            }
            float[] xf = x.Select(v => (float)v).ToArray();
            for (int offset = 0; offset < 16; offset++)
            {
                int other = (offset * 7 + 3) % 16;
                var input = new double[n + 16];
                var output = new double[n + 16];
                var second = new double[n + 16];
                x.CopyTo(input, other);
                SiluKernels.SiluWithDerivative<double>(input.AsSpan(other, n), output.AsSpan(offset, n), second.AsSpan(other, n), path);
                Assert.Equal(value, output.AsSpan(offset, n).ToArray());
                Assert.Equal(derivative, second.AsSpan(other, n).ToArray());
                g.CopyTo(output, offset);
                SiluKernels.SiluBackward<double>(input.AsSpan(other, n), output.AsSpan(offset, n), output.AsSpan(offset, n), path);
                Assert.Equal(backward, output.AsSpan(offset, n).ToArray());
                x.CopyTo(output, offset);
                SiluKernels.SiluWithDerivative<double>(output.AsSpan(offset, n), output.AsSpan(offset, n), second.AsSpan(other, n), path);
                Assert.Equal(value, output.AsSpan(offset, n).ToArray());
                var inPlaceF = new float[n + 16];
                xf.CopyTo(inPlaceF, offset);
                SiluKernels.Silu<float>(inPlaceF.AsSpan(offset, n), inPlaceF.AsSpan(offset, n), path);
                Assert.Equal(valueF, inPlaceF.AsSpan(offset, n).ToArray());
            }
        }
    }

    [Theory, MemberData(nameof(Paths))]
    public void Backward_is_upstream_times_derivative_and_may_run_in_place(SimdPath path)
    {
        var rng = new Random(8);
        foreach (int n in new[] { 1, 5, 17, 100 })
        {
            double[] x = Enumerable.Range(0, n).Select(_ => (rng.NextDouble() - 0.5) * 12).ToArray();
            double[] g = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var d = new double[n];
            SiluKernels.SiluDerivative<double>(x, d, path);
            double[] dx = (double[])g.Clone();
            SiluKernels.SiluBackward<double>(x, dx, dx, path); // in place on upstream
            for (int i = 0; i < n; i++) Assert.Equal(g[i] * d[i], dx[i]);
        }
    }

    // The forward pass's E = silu'(Z)·diag(v) from the fused kernel: the same bits as the separate product, at lengths
    // around every width's step and its tail, in place on x as the forward pass runs it, in double and float.
    [Theory, MemberData(nameof(Paths))]
    public void Weighted_derivative_is_the_fused_kernel_times_the_weights_bit_for_bit(SimdPath path)
    {
        var rng = new Random(9);
        foreach (int n in new[] { 1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 512, 1000 })
        {
            double[] x = Enumerable.Range(0, n).Select(_ => (rng.NextDouble() - 0.5) * 12).ToArray();
            double[] w = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            double[] y = new double[n], d = new double[n], yw = (double[])x.Clone(), dw = new double[n];
            SiluKernels.SiluWithDerivative<double>(x, y, d, path);
            SiluKernels.SiluWithWeightedDerivative<double>(yw, w, yw, dw, path); // in place on x
            Assert.Equal(y, yw);
            for (int i = 0; i < n; i++) Assert.Equal(d[i] * w[i], dw[i]);

            float[] xf = x.Select(v => (float)v).ToArray(), wf = w.Select(v => (float)v).ToArray();
            float[] yf = new float[n], df = new float[n], ywf = new float[n], dwf = new float[n];
            SiluKernels.SiluWithDerivative<float>(xf, yf, df, path);
            SiluKernels.SiluWithWeightedDerivative<float>(xf, wf, ywf, dwf, path);
            Assert.Equal(yf, ywf);
            for (int i = 0; i < n; i++) Assert.Equal(df[i] * wf[i], dwf[i]);
        }
        var buffer = new double[20];
        var e = Assert.Throws<ArgumentException>(() => SiluKernels.SiluWithWeightedDerivative<double>(buffer.AsSpan(0, 10), buffer.AsSpan(10, 10), new double[10], buffer.AsSpan(10, 10), path));
        Assert.Contains("weights", e.Message);
        e = Assert.Throws<ArgumentException>(() => SiluKernels.SiluWithWeightedDerivative<double>(new double[10], new double[9], new double[10], new double[10], path));
        Assert.Contains("weights has length 9", e.Message);
    }

    [Theory, MemberData(nameof(Paths))]
    public void Derivative_matches_central_finite_differences(SimdPath path)
    {
        // Independent of the reference's formula: a wrong derivative formula cannot hide behind it.
        double[] x = Enumerable.Range(-400, 801).Select(i => i * 0.05).ToArray();
        var h = 1e-5;
        double[] plus = x.Select(v => v + h).ToArray(), minus = x.Select(v => v - h).ToArray();
        var fp = new double[x.Length]; var fm = new double[x.Length]; var d = new double[x.Length];
        SiluKernels.Silu<double>(plus, fp, path);
        SiluKernels.Silu<double>(minus, fm, path);
        SiluKernels.SiluDerivative<double>(x, d, path);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs((fp[i] - fm[i]) / (2 * h) - d[i]) < 1e-8, $"x = {x[i]}: fd {(fp[i] - fm[i]) / (2 * h)} vs {d[i]}");
    }

    public static TheoryData<SimdPath, int> PathsAndPositions()
    {
        var data = new TheoryData<SimdPath, int>();
        foreach (SimdPath p in Enum.GetValues<SimdPath>())
            foreach (int position in new[] { 0, 18, 35, 36 }) data.Add(p, position); // first, middle, last-but-one, last of 37
        return data;
    }

    [Theory, MemberData(nameof(PathsAndPositions))]
    public void Special_values_at_every_position(SimdPath path, int position)
    {
        (double x, double value, double derivative)[] cases =
        [
            (double.NaN, double.NaN, double.NaN),
            (double.PositiveInfinity, double.PositiveInfinity, 1),
            (double.NegativeInfinity, -0.0, 0),
            (0.0, 0.0, 0.5),
            (-0.0, -0.0, 0.5),
            (double.Epsilon, 0.5 * double.Epsilon, 0.5),
            (709, 709, 1),
            (-709, ExactValue(-709), ExactDerivative(-709)),
            (745, 745, 1),
            (-745, ExactValue(-745), ExactDerivative(-745)),
            (-800, -0.0, 0),
            (800, 800, 1),
        ];
        foreach (var (special, value, derivative) in cases)
        {
            double[] x = Enumerable.Range(0, 37).Select(i => i * 0.25 - 4).ToArray();
            x[position] = special;
            var y = new double[37];
            var dy = new double[37];
            SiluKernels.SiluWithDerivative<double>(x, y, dy, path);
            AssertSame(value, y[position], $"silu({special}) at {position}");
            AssertSame(derivative, dy[position], $"silu'({special}) at {position}", tolerance: 1e-300);
            int neighbour = position == 0 ? 1 : position - 1;
            Assert.Equal(ExactValue(x[neighbour]), y[neighbour], 14);

            float[] xf = x.Select(v => (float)v).ToArray();
            var yf = new float[37];
            SiluKernels.Silu<float>(xf, yf, path);
            if (double.IsNaN(value)) Assert.True(float.IsNaN(yf[position]));
            else if (double.IsInfinity(special) || special == 0) AssertSame((float)value, yf[position], $"float silu({special})");
        }
    }

    [Fact]
    public void Float_special_values()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, -200f, 200f, -100f];
        var y = new float[x.Length];
        var dy = new float[x.Length];
        SiluKernels.SiluWithDerivative(x, y, dy);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(float.PositiveInfinity, y[1]);
        Assert.True(y[2] == 0 && float.IsNegative(y[2]));
        Assert.True(y[3] == 0 && float.IsNegative(y[3]));
        Assert.True(y[4] == 0);
        Assert.Equal(200f, y[5]);
        Assert.Equal((float)ExactValue(-100), y[6]);
        Assert.Equal(0f, dy[2]);
        Assert.Equal(1f, dy[1]);
    }

    [Fact]
    public void Bad_arguments_name_the_span()
    {
        double[] x = new double[10];
        var e = Assert.Throws<ArgumentException>(() => SiluKernels.Silu(x, new double[9]));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("too short", e.Message);

        double[] buffer = new double[20];
        e = Assert.Throws<ArgumentException>(() => SiluKernels.Silu(buffer.AsSpan(0, 10), buffer.AsSpan(3, 10)));
        Assert.Contains("offset of 3", e.Message);

        e = Assert.Throws<ArgumentException>(() => SiluKernels.SiluWithDerivative(x, buffer.AsSpan(0, 10), buffer.AsSpan(5, 10)));
        Assert.Equal("dy", e.ParamName);

        e = Assert.Throws<ArgumentException>(() => SiluKernels.SiluBackward(x, new double[9], new double[10]));
        Assert.Equal("upstream", e.ParamName);
        Assert.Contains("length 9", e.Message);
    }

    [Theory, MemberData(nameof(Paths))]
    public unsafe void Tails_never_read_or_write_past_the_end(SimdPath path)
    {
        // From 128 (double) and 256 (float) elements on, the forward takes four-vector steps on V512.
        foreach (int n in new[] { 1, 3, 7, 8, 9, 15, 17, 31, 33, 127, 128, 131, 255, 256, 263 })
        {
            using var input = new GuardedBuffer<double>(n);
            using var output = new GuardedBuffer<double>(n);
            using var second = new GuardedBuffer<double>(n);
            for (int i = 0; i < n; i++) input.Span[i] = i - 3.5;
            SiluKernels.Silu<double>(input.Span, second.Span, path);
            SiluKernels.SiluWithDerivative<double>(input.Span, output.Span, second.Span, path);
            SiluKernels.SiluBackward<double>(input.Span, output.Span, second.Span, path);
            using var fin = new GuardedBuffer<float>(n);
            using var fout = new GuardedBuffer<float>(n);
            SiluKernels.Silu<float>(fin.Span, fout.Span, path);
            Assert.Equal(ExactValue(n - 4.5), output.Span[n - 1], 12);
        }
    }

    [Fact]
    public void Isa_selection_parses_and_clamps()
    {
        Assert.Equal(SimdPath.V256, SimdSelection.Choose("auto", SimdPath.V256).Selected);
        Assert.Equal(SimdPath.Scalar, SimdSelection.Choose("scalar", SimdPath.V512).Selected);
        var clamped = SimdSelection.Choose("v512", SimdPath.V128);
        Assert.Equal(SimdPath.V128, clamped.Selected);
        Assert.Contains("clamped", clamped.Explanation);
        Assert.Throws<ArgumentException>(() => SimdSelection.Choose("avx9", SimdPath.V512));
        Assert.Contains(SimdSelection.Selected.ToString(), Platform.Describe());
    }

    private static void AssertSame(double expected, double actual, string what, double tolerance = 0)
    {
        if (double.IsNaN(expected)) { Assert.True(double.IsNaN(actual), what); return; }
        if (double.IsInfinity(expected)) { Assert.True(expected == actual, $"{what}: {actual}"); return; }
        if (expected == 0 && tolerance == 0) { Assert.True(actual == 0 && double.IsNegative(actual) == double.IsNegative(expected), $"{what}: {actual}"); return; }
        Assert.True(Math.Abs(actual - expected) <= Math.Max(tolerance, 4e-16 * Math.Abs(expected)), $"{what}: {actual:R} vs {expected:R}");
    }
}
