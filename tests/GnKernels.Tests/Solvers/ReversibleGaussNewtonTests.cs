using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;
using GnKernels.Tests.Models;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GnKernels.Tests.Solvers;

public class ReversibleGaussNewtonTests
{
    /// <summary>A network, its parameters, seeded inputs and targets, and the solver's direction buffer.</summary>
    private sealed class Problem : IDisposable
    {
        public Problem(int features, int blocks, int hidden, int outputs, int rows, int dataSeed, int networkSeed, int parameterSeed,
            HiddenActivation activation = HiddenActivation.Silu, double inputScale = 1)
        {
            var rng = new Random(dataSeed);
            Net = new ReversibleMlp(features, blocks, hidden, outputs, activation, networkSeed);
            W = ReversibleMlpTests.Parameters(Net, parameterSeed);
            X = ReversibleMlpTests.RandomMatrix(rows, features, rng, inputScale);
            Y = ReversibleMlpTests.RandomMatrix(rows, outputs, rng);
            Direction = new double[Net.ParameterCount];
        }

        public ReversibleMlp Net { get; }
        public double[] W { get; }
        public DenseMatrix<double> X { get; }
        public DenseMatrix<double> Y { get; }
        public double[] Direction { get; }

        public ReversibleGaussNewtonStep Solve(double relativeCutoff = 0, double absoluteCutoff = 0, double damping = 0)
        {
            using var solver = new ReversibleGaussNewton(Net, relativeCutoff, absoluteCutoff) { Damping = damping };
            return solver.Direction(X, Y, W, Direction);
        }

        /// <summary>r = F(X)·U − Y, row-major.</summary>
        public double[] Residual()
        {
            using var f = new DenseMatrix<double>(X.Rows, Net.Outputs);
            Net.Predict(X, W, f);
            var r = new double[f.Length];
            System.Numerics.Tensors.TensorPrimitives.Subtract(f.AsSpan(), Y.AsSpan(), r);
            return r;
        }

        /// <summary>J·δ for the direction found, row-major.</summary>
        public double[] Moved()
        {
            using var moved = new DenseMatrix<double>(X.Rows, Net.Outputs);
            Net.JacobianProduct(X, W, Direction, moved);
            return moved.AsSpan().ToArray();
        }

        public void Dispose()
        {
            Net.Dispose();
            X.Dispose();
            Y.Dispose();
        }
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
        using var p = new Problem(4, 1, 12, 4, rows: 5, dataSeed: 31, networkSeed: 3, parameterSeed: 5, activation, inputScale: 2); // P = 52 > B·k = 20, H + 1 ≥ B
        Assert.Equal(5, p.Solve().SmallestRank);
        var expected = MinimumNormStep(ReversibleMlpTests.ExplicitJacobian(p.Net, p.X, p.W), p.Residual());
        double error = RelativeDifference(p.Direction, expected);
        Assert.True(error < 1e-8, $"block-wise step differs from −J⁺r by {error:E2} relative");
    }

    [Fact]
    public void With_a_readout_it_is_the_minimum_norm_feature_step_and_moves_the_outputs_by_minus_r()
    {
        using var p = new Problem(6, 1, 7, 2, rows: 6, dataSeed: 37, networkSeed: 8, parameterSeed: 2); // read-out U: 6×2
        using var twin = new ReversibleMlp(6, 1, 7, 6, seed: 8);          // same projections, U = I: J of the features
        p.Solve();
        var r = p.Residual();
        var u = p.Net.Readout();
        var lifted = new double[6 * 6];                                     // r·Uᵀ, row-major
        for (int b = 0; b < 6; b++)
            for (int i = 0; i < 6; i++)
                for (int o = 0; o < 2; o++) lifted[b * 6 + i] += r[b * 2 + o] * u[i, o];
        var expected = MinimumNormStep(ReversibleMlpTests.ExplicitJacobian(twin, p.X, p.W), lifted);
        Assert.True(RelativeDifference(p.Direction, expected) < 1e-8, "not −J_F⁺·(r·Uᵀ)");
        var moved = p.Moved();
        for (int i = 0; i < r.Length; i++) Assert.Equal(-r[i], moved[i], 1e-10);
    }

    [Fact]
    public void Several_blocks_give_a_right_inverse_with_each_block_minimum_norm_for_its_share()
    {
        const int blocks = 3;
        using var p = new Problem(4, blocks, 5, 4, rows: 4, dataSeed: 41, networkSeed: 9, parameterSeed: 4, inputScale: 1.5);
        p.Solve();
        var r = p.Residual();

        // J·δ = −r: the Gauss-Newton step in function space.
        var moved = p.Moved();
        double scale = Math.Sqrt(r.Sum(v => v * v));
        for (int i = 0; i < r.Length; i++) Assert.True(Math.Abs(moved[i] + r[i]) <= 1e-10 * scale, $"(J·δ + r)[{i}] = {moved[i] + r[i]:E2}");

        // Block ℓ's part is −J_ℓ⁺·(r/L), J_ℓ the columns of its parameters.
        var j = ReversibleMlpTests.ExplicitJacobian(p.Net, p.X, p.W);
        var direction = p.Direction;
        int per = 2 * (p.Net.Hidden + 1) * p.Net.Half;
        var share = r.Select(v => v / blocks).ToArray();
        for (int l = 0; l < blocks; l++)
        {
            var jl = new double[j.GetLength(0), per];
            for (int i = 0; i < j.GetLength(0); i++)
                for (int c = 0; c < per; c++) jl[i, c] = j[i, l * per + c];
            double error = RelativeDifference(direction.AsSpan(l * per, per), MinimumNormStep(jl, share));
            Assert.True(error < 1e-8, $"block {l}: differs from −J_ℓ⁺(r/L) by {error:E2}");
        }

        // Not the Moore-Penrose step of the whole network: that one couples the blocks.
        Assert.True(RelativeDifference(direction, MinimumNormStep(j, r)) > 1e-3, "the block-wise step coincided with −J⁺r");
    }

    [Fact]
    public void Truncation_reports_the_rank_kept()
    {
        using var p = new Problem(4, 2, 9, 4, rows: 8, dataSeed: 43, networkSeed: 1, parameterSeed: 6);
        Assert.Equal(8, p.Solve().SmallestRank);
        var step = p.Solve(relativeCutoff: 0.3);
        Assert.InRange(step.SmallestRank, 1, 7);
        Assert.Equal(p.Net.Loss(p.X, p.Y, p.W), step.Loss, 1e-15);
    }

    [Fact]
    public void Rounding_level_singular_values_count_as_zero()
    {
        // Here ReLU leaves G's activations rank 4 of 5 (a singular value of 2.6e-16): inverting it would blow the step up.
        using var p = new Problem(4, 1, 6, 4, rows: 5, dataSeed: 31, networkSeed: 3, parameterSeed: 5, HiddenActivation.Relu, inputScale: 2);
        var step = p.Solve();
        Assert.Equal((4, 5), (step.SmallestRank, step.LargestRank));
        double size = Math.Sqrt(p.Direction.Sum(v => v * v)), residual = Math.Sqrt(p.Residual().Sum(v => v * v));
        Assert.True(size < 100 * residual, $"‖δ‖ = {size:E2} against ‖r‖ = {residual:E2}");
    }

    [Fact]
    public void Damping_solves_each_block_with_its_gram_shifted()
    {
        // One block, U = I: F's part is Ãᵀ(Ã·Ãᵀ + δ·λ_max·I)⁻¹·t₁ with t₁ the first half of −r (MathNet's inverse).
        using var p = new Problem(4, 1, 10, 4, rows: 6, dataSeed: 59, networkSeed: 4, parameterSeed: 7);
        const double damping = 0.05;
        p.Solve(damping: damping);
        var r = p.Residual();
        var a = Matrix<double>.Build.DenseOfArray(p.Net.Forward(p.X, p.W, derivatives: false).Activations[0].ToArray());
        var gram = a * a.Transpose();
        double shift = damping * gram.Evd().EigenValues.Real().Maximum();
        var target = Matrix<double>.Build.Dense(6, 2, (b, c) => -r[b * 4 + c]);
        var expected = a.Transpose() * (gram + shift * Matrix<double>.Build.DenseIdentity(6)).Inverse() * target;
        for (int i = 0; i < 11; i++)
            for (int c = 0; c < 2; c++) Assert.Equal(expected[i, c], p.Direction[i * 2 + c], 1e-10);

        // A damped step is shorter than the exact one, and Damping is checked.
        double damped = Math.Sqrt(p.Direction.Sum(v => v * v));
        p.Solve();
        Assert.True(damped < Math.Sqrt(p.Direction.Sum(v => v * v)));
        Assert.Equal("Damping", Assert.Throws<ArgumentException>(() => new ReversibleGaussNewton(p.Net) { Damping = -1 }).ParamName);
    }

    [Fact]
    public void Bad_arguments_are_refused_by_name()
    {
        using var p = new Problem(4, 1, 6, 4, rows: 3, dataSeed: 1, networkSeed: 1, parameterSeed: 1);
        Assert.Equal("relativeCutoff", Assert.Throws<ArgumentException>(() => new ReversibleGaussNewton(p.Net, relativeCutoff: 1)).ParamName);
        Assert.Equal("absoluteCutoff", Assert.Throws<ArgumentException>(() => new ReversibleGaussNewton(p.Net, absoluteCutoff: -1)).ParamName);
        using var solver = new ReversibleGaussNewton(p.Net);
        var ex = Assert.Throws<ArgumentException>(() => solver.Direction(p.X, p.Y, p.W, new double[3]));
        Assert.Equal("direction", ex.ParamName);
        Assert.Contains($"P = {p.Net.ParameterCount}", ex.Message);
        using var wrongTargets = new DenseMatrix<double>(3, 2);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => solver.Direction(p.X, wrongTargets, p.W, p.Direction)).ParamName);
    }

    [Fact]
    public void Batches_wider_than_the_hidden_layer_get_least_squares_blocks()
    {
        // B > H + 1: no block can realize its share; F's part must satisfy the normal equations Ãᵀ(Ã·V − t/L) = 0.
        using var p = new Problem(4, 1, 3, 4, rows: 9, dataSeed: 47, networkSeed: 2, parameterSeed: 3);
        Assert.Equal(4, p.Solve().LargestRank);
        var r = p.Residual();
        var a = p.Net.Forward(p.X, p.W, derivatives: false).Activations[0].ToArray();
        var v = new double[4, 2];
        for (int i = 0; i < 4; i++)
            for (int c = 0; c < 2; c++) v[i, c] = p.Direction[i * 2 + c];
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
        using var p = new Problem(8, 2, 30, 3, rows: 20, dataSeed: 53, networkSeed: 1, parameterSeed: 2);
        using var solver = new ReversibleGaussNewton(p.Net);
        var gradient = new double[p.Net.ParameterCount];
        var adam = new Adam(p.Net.ParameterCount);
        solver.Direction(p.X, p.Y, p.W, p.Direction);
        p.Net.Gradient(p.X, p.Y, p.W, gradient);
        GnKernels.Tests.Support.Allocation.AssertNone(() => solver.Direction(p.X, p.Y, p.W, p.Direction), "ReversibleGaussNewton.Direction");
        GnKernels.Tests.Support.Allocation.AssertNone(() => { p.Net.Gradient(p.X, p.Y, p.W, gradient); adam.Step(p.W, gradient); }, "Gradient and Adam.Step");
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
        Assert.Equal("beta1", Assert.Throws<ArgumentException>(() => new Adam(2, beta1: 1)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentException>(() => new Adam(2, beta2: double.NaN)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentException>(() => new Adam(2, epsilon: 0)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentException>(() => new Sgd(2, 0.1, momentum: 1)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentException>(() => new Sgd(2, double.PositiveInfinity)).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => sgd.Step(z, [double.NaN])).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => adam.Step(w, [1.0])).ParamName);
    }
}
