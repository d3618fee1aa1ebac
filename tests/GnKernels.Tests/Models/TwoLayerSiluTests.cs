using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Models;

public class TwoLayerSiluTests
{
    // N = 13 samples, M = 7 units, d = 3: small enough for the plain-loop references; 7 is divisible by none of
    // the block sizes tried below except itself.
    private const int N = 13, M = 7, D = 3;

    internal sealed class Case : IDisposable
    {
        public Case(bool bias, OutputScaling scaling, bool zeroV, int seed, int blockSize = TwoLayerSiluLinearization.DefaultBlockSize)
        {
            var rng = new Random(seed);
            Model = new TwoLayerSilu(D, M, bias, scaling);
            XArray = Reference.Random(N, D, rng);
            X = Reference.ToMatrix(XArray);
            W = new double[Model.ParameterCount];
            for (int p = 0; p < W.Length; p++) W[p] = 2 * rng.NextDouble() - 1;
            if (zeroV) Model.OutputWeights(W).Clear();
            Ref = new NetworkReference(Model, XArray, W);
            Lin = Model.CreateLinearization(N, blockSize);
            Lin.Evaluate(X, W);
        }

        public TwoLayerSilu Model { get; }
        public double[,] XArray { get; }
        public DenseMatrix<double> X { get; }
        public double[] W { get; }
        public NetworkReference Ref { get; }
        public TwoLayerSiluLinearization Lin { get; }

        public void Dispose()
        {
            Lin.Dispose();
            X.Dispose();
        }
    }

    public static TheoryData<bool, OutputScaling, bool> Variants()
    {
        var data = new TheoryData<bool, OutputScaling, bool>();
        foreach (bool bias in new[] { false, true })
            foreach (var scaling in new[] { OutputScaling.MeanField, OutputScaling.Ntk })
                foreach (bool zeroV in new[] { false, true })
                    data.Add(bias, scaling, zeroV);
        return data;
    }

    [Theory, MemberData(nameof(Variants))]
    public void Forward_matches_the_plain_loop_network(bool bias, OutputScaling scaling, bool zeroV)
    {
        using var c = new Case(bias, scaling, zeroV, seed: 1);
        double[] expected = c.Ref.Output(c.W);
        for (int n = 0; n < N; n++)
            Assert.True(Math.Abs(c.Lin.Output[n] - expected[n]) <= 1e-14 * Math.Max(1e-3, Math.Abs(expected[n])), $"f[{n}] = {c.Lin.Output[n]} vs {expected[n]}");
    }

    [Theory, InlineData(false), InlineData(true)]
    public void Closed_form_jacobian_matches_finite_differences(bool bias)
    {
        // Checks the reference's formulas (so a wrong formula cannot hide behind a wrong reference) and the library's rows.
        using var c = new Case(bias, OutputScaling.MeanField, zeroV: false, seed: 2);
        double[,] fd = c.Ref.FiniteDifferenceJacobian(), exact = c.Ref.Jacobian();
        using var rows = new DenseMatrix<double>(N, c.Model.ParameterCount);
        c.Lin.JacobianRows(0, rows);
        Assert.True(Reference.MaxRelativeDifference(exact, fd) < 1e-7, $"closed form vs FD: {Reference.MaxRelativeDifference(exact, fd):E2}");
        Assert.True(Reference.MaxRelativeDifference(rows.ToArray(), fd) < 1e-7, $"library rows vs FD: {Reference.MaxRelativeDifference(rows.ToArray(), fd):E2}");
        Assert.True(Reference.MaxRelativeDifference(rows.ToArray(), exact) < 1e-14);
    }

    [Fact]
    public void Jacobian_row_blocks_can_start_anywhere()
    {
        using var c = new Case(true, OutputScaling.Ntk, zeroV: false, seed: 3);
        double[,] exact = c.Ref.Jacobian();
        using var rows = new DenseMatrix<double>(4, c.Model.ParameterCount);
        c.Lin.JacobianRows(9, rows);
        for (int r = 0; r < 4; r++)
            for (int p = 0; p < c.Model.ParameterCount; p++)
                Assert.Equal(exact[9 + r, p], rows[r, p], 1e-15);
        Assert.Throws<ArgumentException>("rowStart", () => c.Lin.JacobianRows(10, rows));
    }

    [Theory, MemberData(nameof(Variants))]
    public void Matrix_free_products_match_the_explicit_jacobian(bool bias, OutputScaling scaling, bool zeroV)
    {
        using var c = new Case(bias, scaling, zeroV, seed: 4);
        double[,] j = c.Ref.Jacobian();
        var rng = new Random(5);
        double[] z = Enumerable.Range(0, N).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] dw = Enumerable.Range(0, c.Model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();

        var jtz = new double[c.Model.ParameterCount];
        c.Lin.MultiplyTransposed(z, jtz);
        AssertClose(Column(Reference.Multiply(Reference.Transpose(j), ColumnMatrix(z))), jtz, 1e-13, "Jᵀz");

        var jdw = new double[N];
        c.Lin.Multiply(dw, jdw);
        AssertClose(Column(Reference.Multiply(j, ColumnMatrix(dw))), jdw, 1e-13, "Jδw");
    }

    // Products with several vectors at once (one pass over Φ and E) against the explicit Jacobian, through the
    // linearization's GEMMs and through IJacobian's default (one product per vector, as ExplicitJacobian has it).
    [Theory, MemberData(nameof(Variants))]
    public void Batched_products_match_the_explicit_jacobian(bool bias, OutputScaling scaling, bool zeroV)
    {
        using var c = new Case(bias, scaling, zeroV, seed: 16);
        double[,] j = c.Ref.Jacobian();
        int p = c.Model.ParameterCount;
        using var jMatrix = Reference.ToMatrix(j);
        using var explicitJ = new ExplicitJacobian(jMatrix);
        var rng = new Random(17);
        foreach (int count in new[] { 3, 1, 2 }) // the scratch grown for 3 serves fewer
        {
            double[] zs = Enumerable.Range(0, count * N).Select(_ => rng.NextDouble() - 0.5).ToArray();
            double[] dws = Enumerable.Range(0, count * p).Select(_ => rng.NextDouble() - 0.5).ToArray();
            foreach (IJacobian jacobian in new IJacobian[] { c.Lin, explicitJ })
            {
                double[] jtzs = new double[count * p], jdws = new double[count * N];
                jacobian.MultiplyTransposed(zs, jtzs, count);
                jacobian.Multiply(dws, jdws, count);
                for (int k = 0; k < count; k++)
                {
                    double[] z = zs[(k * N)..((k + 1) * N)], dw = dws[(k * p)..((k + 1) * p)];
                    AssertClose(Column(Reference.Multiply(Reference.Transpose(j), ColumnMatrix(z))), jtzs[(k * p)..((k + 1) * p)], 1e-13, $"Jᵀz, vector {k} of {count}");
                    AssertClose(Column(Reference.Multiply(j, ColumnMatrix(dw))), jdws[(k * N)..((k + 1) * N)], 1e-13, $"Jδw, vector {k} of {count}");
                }
            }
        }
        var e = Assert.Throws<ArgumentException>("zs", () => c.Lin.MultiplyTransposed(new double[2 * N - 1], new double[2 * p], 2));
        Assert.Contains($"2 vectors of {N}", e.Message);
        Assert.Throws<ArgumentException>("results", () => c.Lin.Multiply(new double[2 * p], new double[N], 2));
        Assert.Throws<ArgumentOutOfRangeException>("count", () => c.Lin.Multiply(new double[p], new double[N], 0));
    }

    [Theory, MemberData(nameof(Variants))]
    public void Structured_ntk_matches_explicit_j_jt(bool bias, OutputScaling scaling, bool zeroV)
    {
        using var c = new Case(bias, scaling, zeroV, seed: 6);
        double[,] j = c.Ref.Jacobian();
        double[,] expected = Reference.Multiply(j, j, transB: true);
        using var a = new DenseMatrix<double>(N, N);
        a.Fill(12345);
        c.Lin.Ntk(a);
        Assert.True(Reference.MaxRelativeDifference(Reference.Lower(a), Reference.Lower(Reference.ToMatrix(expected))) < 1e-13);
        AssertUpperUntouched(a);
    }

    [Theory, InlineData(1), InlineData(3), InlineData(4), InlineData(7), InlineData(8)]
    public void Blocking_does_not_change_the_results(int blockSize)
    {
        using var c = new Case(true, OutputScaling.MeanField, zeroV: false, seed: 7, blockSize);
        using var reference = new Case(true, OutputScaling.MeanField, zeroV: false, seed: 7, blockSize: 1000);
        using DenseMatrix<double> a = new(N, N), b = new(N, N);
        c.Lin.Ntk(a);
        reference.Lin.Ntk(b);
        Assert.True(Reference.MaxRelativeDifference(Reference.Lower(a), Reference.Lower(b)) < 1e-15);

        double[] weights = Enumerable.Range(0, c.Model.ParameterCount).Select(p => 0.5 + (p % 5)).ToArray();
        c.Lin.WeightedNtk(weights, a);
        reference.Lin.WeightedNtk(weights, b);
        Assert.True(Reference.MaxRelativeDifference(Reference.Lower(a), Reference.Lower(b)) < 1e-15);

        var rng = new Random(8);
        double[] dw = Enumerable.Range(0, c.Model.ParameterCount).Select(_ => rng.NextDouble()).ToArray();
        double[] f1 = new double[N], f2 = new double[N];
        c.Lin.Multiply(dw, f1);
        reference.Lin.Multiply(dw, f2);
        AssertClose(f2, f1, 1e-15, "Jδw across block sizes");
    }

    [Theory, MemberData(nameof(Variants))]
    public void Weighted_ntk_matches_explicit_j_diag_jt(bool bias, OutputScaling scaling, bool zeroV)
    {
        using var c = new Case(bias, scaling, zeroV, seed: 9, blockSize: 10);
        double[,] j = c.Ref.Jacobian();
        var rng = new Random(10);
        double[] weights = Enumerable.Range(0, c.Model.ParameterCount).Select(_ => rng.NextDouble() * 3).ToArray();
        weights[0] = 0;
        var scaled = (double[,])j.Clone();
        for (int n = 0; n < N; n++)
            for (int p = 0; p < weights.Length; p++) scaled[n, p] *= weights[p];
        double[,] expected = Reference.Multiply(scaled, j, transB: true);
        using var a = new DenseMatrix<double>(N, N);
        a.Fill(12345);
        c.Lin.WeightedNtk(weights, a);
        Assert.True(Reference.MaxRelativeDifference(Reference.Lower(a), Reference.Lower(Reference.ToMatrix(expected))) < 1e-13);
        AssertUpperUntouched(a);
    }

    [Theory, InlineData(false), InlineData(true)]
    public void Parameter_gram_matches_explicit_jt_j(bool bias)
    {
        using var c = new Case(bias, OutputScaling.Ntk, zeroV: false, seed: 11, blockSize: 5);
        double[,] j = c.Ref.Jacobian();
        double[,] expected = Reference.Multiply(Reference.Transpose(j), Reference.Transpose(j), transB: true);
        using var a = new DenseMatrix<double>(c.Model.ParameterCount, c.Model.ParameterCount);
        c.Lin.ParameterGram(a);
        Assert.True(Reference.MaxRelativeDifference(Reference.Lower(a), Reference.Lower(Reference.ToMatrix(expected))) < 1e-13);
    }

    [Fact]
    public void Explicit_jacobian_gives_the_same_products_and_kernels_as_the_structured_operator()
    {
        using var c = new Case(true, OutputScaling.MeanField, zeroV: false, seed: 12);
        using var jm = Reference.ToMatrix(c.Ref.Jacobian());
        using var explicitJ = new ExplicitJacobian(jm);
        IJacobian[] ops = [c.Lin, explicitJ];
        var rng = new Random(13);
        double[] z = Enumerable.Range(0, N).Select(_ => rng.NextDouble()).ToArray();
        double[] weights = Enumerable.Range(0, c.Model.ParameterCount).Select(_ => rng.NextDouble()).ToArray();
        var results = ops.Select(op =>
        {
            var g = new double[op.Columns];
            var jv = new double[op.Rows];
            op.MultiplyTransposed(z, g);
            op.Multiply(g, jv);
            var ntk = new DenseMatrix<double>(N, N);
            var weighted = new DenseMatrix<double>(N, N);
            var pgram = new DenseMatrix<double>(op.Columns, op.Columns);
            op.Ntk(ntk);
            op.WeightedNtk(weights, weighted);
            op.ParameterGram(pgram);
            return (g, jv, ntk: Reference.Lower(ntk), weighted: Reference.Lower(weighted), pgram: Reference.Lower(pgram));
        }).ToArray();
        AssertClose(results[1].g, results[0].g, 1e-13, "Jᵀz");
        AssertClose(results[1].jv, results[0].jv, 1e-13, "JJᵀz");
        Assert.True(Reference.MaxRelativeDifference(results[0].ntk, results[1].ntk) < 1e-13);
        Assert.True(Reference.MaxRelativeDifference(results[0].weighted, results[1].weighted) < 1e-13);
        Assert.True(Reference.MaxRelativeDifference(results[0].pgram, results[1].pgram) < 1e-13);
    }

    [Theory, InlineData(1), InlineData(4), InlineData(13), InlineData(100)]
    public void Predictor_matches_the_linearization_for_any_block(int blockRows)
    {
        using var c = new Case(true, OutputScaling.MeanField, zeroV: false, seed: 14);
        using var predictor = new TwoLayerSiluPredictor(c.Model, blockRows);
        var f = new double[N];
        predictor.Predict(c.X, c.W, f);
        AssertClose(c.Lin.Output.ToArray(), f, 1e-15, "predictor vs linearization");
    }

    [Fact]
    public void Shapes_and_values_are_validated_with_named_arguments()
    {
        using var c = new Case(false, OutputScaling.MeanField, zeroV: false, seed: 15);
        using var wrongCols = new DenseMatrix<double>(N, D + 1);
        using var wrongRows = new DenseMatrix<double>(N + 1, D);
        var e = Assert.Throws<ArgumentException>("x", () => c.Lin.Evaluate(wrongCols, c.W));
        Assert.Contains($"{N}×{D + 1}", e.Message);
        e = Assert.Throws<ArgumentException>("x", () => c.Lin.Evaluate(wrongRows, c.W));
        Assert.Contains($"N = {N}", e.Message);
        e = Assert.Throws<ArgumentException>("w", () => c.Lin.Evaluate(c.X, new double[5]));
        Assert.Contains($"{c.Model.ParameterCount}", e.Message);

        double[] nanW = (double[])c.W.Clone();
        nanW[3] = double.NaN;
        e = Assert.Throws<ArgumentException>("w", () => c.Lin.Evaluate(c.X, nanW));
        Assert.Contains("w[3]", e.Message);
        using var nanX = Reference.ToMatrix(c.XArray);
        nanX[2, 1] = double.PositiveInfinity;
        e = Assert.Throws<ArgumentException>("x", () => c.Lin.Evaluate(nanX, c.W));
        Assert.Contains("x[2, 1]", e.Message);

        Assert.Throws<ArgumentException>("z", () => c.Lin.MultiplyTransposed(new double[N - 1], new double[c.Model.ParameterCount]));
        Assert.Throws<ArgumentException>("result", () => c.Lin.Multiply(new double[c.Model.ParameterCount], new double[N + 1]));
        using var wrongA = new DenseMatrix<double>(N, N - 1);
        e = Assert.Throws<ArgumentException>("result", () => c.Lin.Ntk(wrongA));
        Assert.Contains($"{N}×{N - 1}", e.Message);
        double[] negative = new double[c.Model.ParameterCount];
        negative[4] = -1;
        using var a = new DenseMatrix<double>(N, N);
        e = Assert.Throws<ArgumentException>("weights", () => c.Lin.WeightedNtk(negative, a));
        Assert.Contains("weights[4]", e.Message);
    }

    [Fact]
    public void Sizes_are_validated_and_use_before_evaluate_is_an_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>("width", () => new TwoLayerSilu(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>("inputDimension", () => new TwoLayerSilu(-1, 10));
        var e = Assert.Throws<ArgumentOutOfRangeException>("width", () => new TwoLayerSilu(100_000, 100_000));
        Assert.Contains("parameter span", e.Message);
        var model = new TwoLayerSilu(3, 4);
        Assert.Throws<ArgumentOutOfRangeException>("sampleCount", () => model.CreateLinearization(0));
        using var lin = model.CreateLinearization(5);
        Assert.Throws<InvalidOperationException>(() => lin.MultiplyTransposed(new double[5], new double[16]));
        Assert.Equal(16, model.ParameterCount);
        Assert.Equal(20, new TwoLayerSilu(3, 4, hasBias: true).ParameterCount);
    }

    private static void AssertUpperUntouched(DenseMatrix<double> a)
    {
        for (int i = 0; i < a.Rows; i++)
            for (int j = i + 1; j < a.Cols; j++) Assert.Equal(12345.0, a[i, j]);
    }

    private static double[,] ColumnMatrix(double[] v)
    {
        var m = new double[v.Length, 1];
        for (int i = 0; i < v.Length; i++) m[i, 0] = v[i];
        return m;
    }

    private static double[] Column(double[,] m) => Enumerable.Range(0, m.GetLength(0)).Select(i => m[i, 0]).ToArray();

    private static void AssertClose(double[] expected, double[] actual, double relative, string what)
    {
        double scale = expected.Max(Math.Abs), diff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(diff <= relative * Math.Max(scale, double.Epsilon), $"{what}: max |diff| = {diff:E2}, scale {scale:E2}");
    }
}
