using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Tests.Support;
using Xunit;

namespace GnKernels.Tests.Models;

public class ReversibleMlpTests
{
    internal static DenseMatrix<double> RandomMatrix(int rows, int cols, Random rng, double scale = 1)
    {
        var m = new DenseMatrix<double>(rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = scale * (2 * rng.NextDouble() - 1);
        return m;
    }

    internal static double[] Parameters(ReversibleMlp net, int seed, double biasScale = 0.3)
    {
        var w = new double[net.ParameterCount];
        net.InitializeParameters(w, seed);
        // Nonzero biases, so that their derivatives are exercised too.
        var rng = new Random(seed + 1);
        for (int q = 0; q < net.HalfLayers; q++)
        {
            var block = net.HalfLayerParameters(w, q);
            for (int c = 0; c < net.Half; c++) block[net.Hidden * net.Half + c] = biasScale * (2 * rng.NextDouble() - 1);
        }
        return w;
    }

    /// <summary>The explicit Jacobian of the outputs ((B·k)×P, row b·k + o) by P products with unit vectors.</summary>
    internal static double[,] ExplicitJacobian(ReversibleMlp net, DenseMatrix<double> x, double[] w)
    {
        int rows = (int)x.Rows, n = rows * net.Outputs;
        var j = new double[n, net.ParameterCount];
        var e = new double[net.ParameterCount];
        using var column = new DenseMatrix<double>(rows, net.Outputs);
        for (int p = 0; p < net.ParameterCount; p++)
        {
            e[p] = 1;
            net.JacobianProduct(x, w, e, column);
            e[p] = 0;
            var c = column.AsSpan();
            for (int i = 0; i < n; i++) j[i, p] = c[i];
        }
        return j;
    }

    [Theory]
    [InlineData(HiddenActivation.Silu)]
    [InlineData(HiddenActivation.Relu)]
    public void Inverts_to_round_off(HiddenActivation activation)
    {
        var rng = new Random(3);
        using var net = new ReversibleMlp(8, 3, 11, 8, activation, seed: 5);
        var w = Parameters(net, 7);
        using var x = RandomMatrix(13, 8, rng, 2);
        using var features = new DenseMatrix<double>(13, 8);
        using var back = new DenseMatrix<double>(13, 8);
        net.Transform(x, w, features);
        net.Invert(features, w, back);
        double worst = 0;
        for (int i = 0; i < 13; i++)
            for (int j = 0; j < 8; j++) worst = Math.Max(worst, Math.Abs(back[i, j] - x[i, j]));
        double moved = 0;
        for (int i = 0; i < 13; i++)
            for (int j = 0; j < 8; j++) moved = Math.Max(moved, Math.Abs(features[i, j] - x[i, j]));
        Assert.True(moved > 0.1, $"the network barely changes its input ({moved}); the inversion test would be empty");
        Assert.True(worst < 1e-13, $"F⁻¹(F(x)) differs from x by {worst:E2}");
    }

    [Fact]
    public void Gradient_and_Jacobian_products_match_central_differences()
    {
        var rng = new Random(11);
        using var net = new ReversibleMlp(6, 2, 7, 4, HiddenActivation.Silu, seed: 2);
        var w = Parameters(net, 3);
        using var x = RandomMatrix(5, 6, rng, 1.5);
        using var y = RandomMatrix(5, 4, rng);
        var gradient = new double[net.ParameterCount];
        net.Gradient(x, y, w, gradient);
        var v = new double[net.ParameterCount];
        for (int i = 0; i < v.Length; i++) v[i] = 2 * rng.NextDouble() - 1;
        using var jv = new DenseMatrix<double>(5, 4);
        net.JacobianProduct(x, w, v, jv);

        const double h = 1e-5;
        var plus = (double[])w.Clone();
        var minus = (double[])w.Clone();
        for (int i = 0; i < v.Length; i++) { plus[i] += h * v[i]; minus[i] -= h * v[i]; }
        double directional = (net.Loss(x, y, plus) - net.Loss(x, y, minus)) / (2 * h);
        double predicted = System.Numerics.Tensors.TensorPrimitives.Dot<double>(gradient, v);
        Assert.True(Math.Abs(directional - predicted) <= 1e-8 * Math.Max(1, Math.Abs(predicted)), $"∇L·v = {predicted}, central difference {directional}");

        using var fp = new DenseMatrix<double>(5, 4);
        using var fm = new DenseMatrix<double>(5, 4);
        net.Predict(x, plus, fp);
        net.Predict(x, minus, fm);
        for (int i = 0; i < 5; i++)
            for (int o = 0; o < 4; o++)
            {
                double fd = (fp[i, o] - fm[i, o]) / (2 * h);
                Assert.True(Math.Abs(fd - jv[i, o]) <= 1e-8 * Math.Max(1, Math.Abs(fd)), $"(J·v)[{i},{o}] = {jv[i, o]}, central difference {fd}");
            }
    }

    [Theory]
    [InlineData(HiddenActivation.Silu)]
    [InlineData(HiddenActivation.Relu)]
    public void Transposed_product_is_the_adjoint_of_the_product(HiddenActivation activation)
    {
        var rng = new Random(19);
        using var net = new ReversibleMlp(10, 2, 6, 3, activation, seed: 4);
        var w = Parameters(net, 8);
        using var x = RandomMatrix(9, 10, rng);
        using var c = RandomMatrix(9, 3, rng);
        var v = new double[net.ParameterCount];
        for (int i = 0; i < v.Length; i++) v[i] = 2 * rng.NextDouble() - 1;
        using var jv = new DenseMatrix<double>(9, 3);
        net.JacobianProduct(x, w, v, jv);
        var jtc = new double[net.ParameterCount];
        net.TransposedJacobianProduct(x, w, c, jtc);
        double left = System.Numerics.Tensors.TensorPrimitives.Dot<double>(jv.AsSpan(), c.AsSpan());
        double right = System.Numerics.Tensors.TensorPrimitives.Dot<double>(v, jtc);
        Assert.True(Math.Abs(left - right) <= 1e-12 * Math.Abs(left), $"⟨Jv, c⟩ = {left}, ⟨v, Jᵀc⟩ = {right}");
    }

    [Fact]
    public void Neural_tangent_kernel_equals_the_explicit_J_Jt()
    {
        var rng = new Random(23);
        using var net = new ReversibleMlp(6, 2, 5, 4, HiddenActivation.Silu, seed: 6);
        var w = Parameters(net, 9);
        using var x = RandomMatrix(4, 6, rng);
        var j = ExplicitJacobian(net, x, w);
        var expected = Reference.Multiply(j, j, transB: true);
        using var kernel = new DenseMatrix<double>(16, 16);
        net.NeuralTangentKernel(x, w, kernel);
        double scale = 0;
        foreach (double e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int a = 0; a < 16; a++)
            for (int b = 0; b < 16; b++)
                Assert.True(Math.Abs(kernel[a, b] - expected[a, b]) <= 1e-12 * scale, $"A[{a},{b}] = {kernel[a, b]}, J·Jᵀ gives {expected[a, b]}");
    }

    [Fact]
    public void Readout_has_orthonormal_columns()
    {
        using var net = new ReversibleMlp(12, 1, 4, 5, seed: 1);
        var u = net.Readout();
        for (int a = 0; a < 5; a++)
            for (int b = 0; b < 5; b++)
            {
                double dot = 0;
                for (int i = 0; i < 12; i++) dot += u[i, a] * u[i, b];
                Assert.Equal(a == b ? 1 : 0, dot, 1e-14);
            }
    }

    [Fact]
    public void Bad_shapes_are_refused_by_name()
    {
        Assert.Equal("features", Assert.Throws<ArgumentException>(() => new ReversibleMlp(7, 1, 4, 2)).ParamName);
        Assert.Equal("outputs", Assert.Throws<ArgumentException>(() => new ReversibleMlp(6, 1, 4, 7)).ParamName);
        using var net = new ReversibleMlp(6, 1, 4, 2);
        var w = new double[net.ParameterCount];
        using var x = new DenseMatrix<double>(3, 5);
        using var y = new DenseMatrix<double>(3, 2);
        var ex = Assert.Throws<ArgumentException>(() => net.Loss(x, y, w));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("3×5", ex.Message);
        using var good = new DenseMatrix<double>(3, 6);
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => net.Loss(good, y, new double[3])).ParamName);
        using var wrongTargets = new DenseMatrix<double>(3, 3);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => net.Loss(good, wrongTargets, w)).ParamName);
        Assert.Equal("v", Assert.Throws<ArgumentException>(() => net.JacobianProduct(good, w, new double[2], y)).ParamName);
        Assert.Equal("result", Assert.Throws<ArgumentException>(() => net.JacobianProduct(good, w, w, wrongTargets)).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => net.Gradient(good, y, w, new double[1])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => net.Invert(good, w, x)).ParamName);
        Assert.Equal("halfLayer", Assert.Throws<ArgumentOutOfRangeException>(() => net.ParameterOffset(2)).ParamName);
        Assert.Equal("activation", Assert.Throws<ArgumentOutOfRangeException>(() => new ReversibleMlp(6, 1, 4, 2, (HiddenActivation)7)).ParamName);
        Assert.Equal("blocks", Assert.Throws<ArgumentOutOfRangeException>(() => new ReversibleMlp(6, 0, 4, 2)).ParamName);
        using var nan = new DenseMatrix<double>(3, 6);
        nan[1, 2] = double.NaN;
        Assert.Contains("x[1, 2]", Assert.Throws<ArgumentException>(() => net.Loss(nan, y, w)).Message);
    }
}
