using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;
using GnKernels.Tests.Models;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GnKernels.Tests.Solvers;

public class ReversibleGaussNewtonTests
{
    private static double[] Residual(ReversibleMlp net, DenseMatrix<double> x, DenseMatrix<double> y, double[] w)
    {
        using var f = new DenseMatrix<double>(x.Rows, net.Outputs);
        net.Predict(x, w, f);
        var r = new double[f.Length];
        System.Numerics.Tensors.TensorPrimitives.Subtract(f.AsSpan(), y.AsSpan(), r);
        return r;
    }

    /// <summary>−J⁺·r by MathNet's SVD, independent of LAPACK and of the block structure.</summary>
    private static double[] MinimumNormStep(double[,] j, double[] r) =>
        (-(Matrix<double>.Build.DenseOfArray(j).PseudoInverse() * Vector<double>.Build.DenseOfArray(r))).ToArray();

    private static double RelativeDifference(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.Length; i++) { diff += (a[i] - b[i]) * (a[i] - b[i]); scale += b[i] * b[i]; }
        return Math.Sqrt(diff / scale);
    }

    [Theory]
    [InlineData(HiddenActivation.Silu)]
    [InlineData(HiddenActivation.Relu)]
    public void One_block_gives_the_minimum_norm_step(HiddenActivation activation)
    {
        var rng = new Random(31);
        using var net = new ReversibleMlp(4, 1, 12, 4, activation, seed: 3);  // P = 52 > B·k = 20, H + 1 = 13 ≥ B = 5
        var w = ReversibleMlpTests.Parameters(net, 5);
        using var x = ReversibleMlpTests.RandomMatrix(5, 4, rng, 2);
        using var y = ReversibleMlpTests.RandomMatrix(5, 4, rng);
        using var solver = new ReversibleGaussNewton(net, 0, 0);
        var direction = new double[net.ParameterCount];
        var step = solver.Direction(x, y, w, direction);
        Assert.Equal(5, step.SmallestRank);
        var expected = MinimumNormStep(ReversibleMlpTests.ExplicitJacobian(net, x, w), Residual(net, x, y, w));
        double error = RelativeDifference(direction, expected);
        Assert.True(error < 1e-8, $"block-wise step differs from −J⁺r by {error:E2} relative");
    }

    [Fact]
    public void With_a_readout_it_is_the_minimum_norm_feature_step_and_moves_the_outputs_by_minus_r()
    {
        var rng = new Random(37);
        using var net = new ReversibleMlp(6, 1, 7, 2, seed: 8);            // read-out U: 6×2
        using var twin = new ReversibleMlp(6, 1, 7, 6, seed: 8);           // same projections, U = I: J of the features
        var w = ReversibleMlpTests.Parameters(net, 2);
        using var x = ReversibleMlpTests.RandomMatrix(6, 6, rng);
        using var y = ReversibleMlpTests.RandomMatrix(6, 2, rng);
        using var solver = new ReversibleGaussNewton(net, 0, 0);
        var direction = new double[net.ParameterCount];
        solver.Direction(x, y, w, direction);

        var r = Residual(net, x, y, w);
        var u = net.Readout();
        var lifted = new double[6 * 6];                                     // r·Uᵀ, row-major
        for (int b = 0; b < 6; b++)
            for (int i = 0; i < 6; i++)
                for (int o = 0; o < 2; o++) lifted[b * 6 + i] += r[b * 2 + o] * u[i, o];
        var expected = MinimumNormStep(ReversibleMlpTests.ExplicitJacobian(twin, x, w), lifted);
        Assert.True(RelativeDifference(direction, expected) < 1e-8, "not −J_F⁺·(r·Uᵀ)");

        using var moved = new DenseMatrix<double>(6, 2);
        net.JacobianProduct(x, w, direction, moved);
        for (int i = 0; i < r.Length; i++) Assert.Equal(-r[i], moved.AsSpan()[i], 1e-10);
    }

    [Fact]
    public void Several_blocks_give_a_right_inverse_with_each_block_minimum_norm_for_its_share()
    {
        var rng = new Random(41);
        const int blocks = 3;
        using var net = new ReversibleMlp(4, blocks, 5, 4, HiddenActivation.Silu, seed: 9);
        var w = ReversibleMlpTests.Parameters(net, 4);
        using var x = ReversibleMlpTests.RandomMatrix(4, 4, rng, 1.5);
        using var y = ReversibleMlpTests.RandomMatrix(4, 4, rng);
        using var solver = new ReversibleGaussNewton(net, 0, 0);
        var direction = new double[net.ParameterCount];
        solver.Direction(x, y, w, direction);
        var r = Residual(net, x, y, w);

        // J·δ = −r: the Gauss-Newton step in function space.
        using var moved = new DenseMatrix<double>(4, 4);
        net.JacobianProduct(x, w, direction, moved);
        double scale = Math.Sqrt(r.Sum(v => v * v));
        for (int i = 0; i < r.Length; i++) Assert.True(Math.Abs(moved.AsSpan()[i] + r[i]) <= 1e-10 * scale, $"(J·δ + r)[{i}] = {moved.AsSpan()[i] + r[i]:E2}");

        // Block ℓ's part is −J_ℓ⁺·(r/L), J_ℓ the columns of its parameters.
        var j = ReversibleMlpTests.ExplicitJacobian(net, x, w);
        int per = 2 * (net.Hidden + 1) * net.Half;
        var share = r.Select(v => v / blocks).ToArray();
        for (int l = 0; l < blocks; l++)
        {
            var jl = new double[j.GetLength(0), per];
            for (int i = 0; i < j.GetLength(0); i++)
                for (int p = 0; p < per; p++) jl[i, p] = j[i, l * per + p];
            double error = RelativeDifference(direction.AsSpan(l * per, per), MinimumNormStep(jl, share));
            Assert.True(error < 1e-8, $"block {l}: differs from −J_ℓ⁺(r/L) by {error:E2}");
        }

        // Not the Moore-Penrose step of the whole network: that one couples the blocks.
        Assert.True(RelativeDifference(direction, MinimumNormStep(j, r)) > 1e-3, "the block-wise step coincided with −J⁺r");
    }

    [Fact]
    public void Truncation_reports_the_rank_kept()
    {
        var rng = new Random(43);
        using var net = new ReversibleMlp(4, 2, 9, 4, seed: 1);
        var w = ReversibleMlpTests.Parameters(net, 6);
        using var x = ReversibleMlpTests.RandomMatrix(8, 4, rng);
        using var y = ReversibleMlpTests.RandomMatrix(8, 4, rng);
        var direction = new double[net.ParameterCount];
        using var exact = new ReversibleGaussNewton(net, 0, 0);
        Assert.Equal(8, exact.Direction(x, y, w, direction).SmallestRank);
        using var truncated = new ReversibleGaussNewton(net, 0.3, 0);
        var step = truncated.Direction(x, y, w, direction);
        Assert.InRange(step.SmallestRank, 1, 7);
        Assert.Equal(net.Loss(x, y, w), step.Loss, 1e-15);
    }

    [Fact]
    public void Rounding_level_singular_values_count_as_zero()
    {
        // Here ReLU leaves G's activations rank 4 of 5 (a singular value of 2.6e-16): inverting it would blow the step up.
        var rng = new Random(31);
        using var net = new ReversibleMlp(4, 1, 6, 4, HiddenActivation.Relu, seed: 3);
        var w = ReversibleMlpTests.Parameters(net, 5);
        using var x = ReversibleMlpTests.RandomMatrix(5, 4, rng, 2);
        using var y = ReversibleMlpTests.RandomMatrix(5, 4, rng);
        using var solver = new ReversibleGaussNewton(net, 0, 0);
        var direction = new double[net.ParameterCount];
        var step = solver.Direction(x, y, w, direction);
        Assert.Equal((4, 5), (step.SmallestRank, step.LargestRank));
        double size = Math.Sqrt(direction.Sum(v => v * v)), residual = Math.Sqrt(Residual(net, x, y, w).Sum(v => v * v));
        Assert.True(size < 100 * residual, $"‖δ‖ = {size:E2} against ‖r‖ = {residual:E2}");
    }

    [Fact]
    public void Batches_wider_than_the_hidden_layer_get_least_squares_blocks()
    {
        // B > H + 1: no block can realize its share; F's part must satisfy the normal equations Ãᵀ(Ã·V − t/L) = 0.
        var rng = new Random(47);
        using var net = new ReversibleMlp(4, 1, 3, 4, seed: 2);
        var w = ReversibleMlpTests.Parameters(net, 3);
        using var x = ReversibleMlpTests.RandomMatrix(9, 4, rng);
        using var y = ReversibleMlpTests.RandomMatrix(9, 4, rng);
        using var solver = new ReversibleGaussNewton(net, 0, 0);
        var direction = new double[net.ParameterCount];
        Assert.Equal(4, solver.Direction(x, y, w, direction).LargestRank);
        var r = Residual(net, x, y, w);
        var tape = net.Forward(x, w, derivatives: false);
        var a = tape.Activations[0].ToArray();
        var v = new double[4, 2];
        for (int i = 0; i < 4; i++)
            for (int c = 0; c < 2; c++) v[i, c] = direction[i * 2 + c];
        var fit = GnKernels.Tests.Support.Reference.Multiply(a, v);
        var misfit = new double[9, 2];
        for (int b = 0; b < 9; b++)
            for (int c = 0; c < 2; c++) misfit[b, c] = fit[b, c] + r[b * 4 + c];   // target: first half of −r
        var normal = GnKernels.Tests.Support.Reference.Multiply(GnKernels.Tests.Support.Reference.Transpose(a), misfit);
        foreach (double e in normal) Assert.True(Math.Abs(e) < 1e-11, $"normal equations off by {e:E2}");
    }

    [Fact]
    public void A_step_allocates_nothing_after_the_first_at_a_batch_size()
    {
        var rng = new Random(53);
        using var net = new ReversibleMlp(8, 2, 30, 3, seed: 1);
        var w = ReversibleMlpTests.Parameters(net, 2);
        using var x = ReversibleMlpTests.RandomMatrix(20, 8, rng);
        using var y = ReversibleMlpTests.RandomMatrix(20, 3, rng);
        using var solver = new ReversibleGaussNewton(net);
        var direction = new double[net.ParameterCount];
        var gradient = new double[net.ParameterCount];
        var adam = new Adam(net.ParameterCount);
        solver.Direction(x, y, w, direction);
        net.Gradient(x, y, w, gradient);
        GnKernels.Tests.Support.Allocation.AssertNone(() => solver.Direction(x, y, w, direction), "ReversibleGaussNewton.Direction");
        GnKernels.Tests.Support.Allocation.AssertNone(() => { net.Gradient(x, y, w, gradient); adam.Step(w, gradient); }, "Gradient and Adam.Step");
    }

    [Fact]
    public void Adam_and_Sgd_take_their_textbook_steps()
    {
        var adam = new Adam(2, learningRate: 0.1, beta1: 0.5, beta2: 0.75, epsilon: 1e-3);
        double[] w = [1, -2];
        adam.Step(w, [2.0, -4.0]);
        // t = 1: m̂ = g, v̂ = g², step η·g/(|g| + ε).
        Assert.Equal(1 - 0.1 * 2 / (2 + 1e-3), w[0], 1e-15);
        Assert.Equal(-2 + 0.1 * 4 / (4 + 1e-3), w[1], 1e-15);
        adam.Step(w, [1.0, 0.0]);
        double m = 0.5 * (0.5 * 2) + 0.5 * 1, v = 0.75 * (0.25 * 4) + 0.25 * 1;
        double mHat = m / (1 - 0.25), vHat = v / (1 - 0.5625);
        Assert.Equal(1 - 0.1 * 2 / (2 + 1e-3) - 0.1 * mHat / (Math.Sqrt(vHat) + 1e-3), w[0], 1e-14);

        var sgd = new Sgd(1, learningRate: 0.5, momentum: 0.9);
        double[] z = [0];
        sgd.Step(z, [1.0]);
        sgd.Step(z, [1.0]);
        Assert.Equal(-0.5 - 0.5 * 1.9, z[0], 1e-15);
        Assert.Equal("learningRate", Assert.Throws<ArgumentException>(() => new Adam(2, learningRate: -1)).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => adam.Step(w, [1.0])).ParamName);
    }
}
