using System.Numerics.Tensors;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Models;

/// <summary>The linearization that recomputes its activations a chunk at a time against the one that stores them.</summary>
public class StreamingLinearizationTests
{
    private static readonly Func<double, double, bool> SameBits = (a, b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    // N = 3·4096 + 1000: full chunks and a shorter tail, and the tail itself more than one product block when the
    // chunk is 8192. With M = 300 a product recomputes its rows a few hundred at a time (a block in parts, the last
    // part shorter). Every product and column must be the stored linearization's bits.
    [Theory]
    [InlineData(4096, false, 24)]
    [InlineData(8192, true, 24)]
    [InlineData(1, false, 24)] // rounded up to one block
    [InlineData(4096, true, 300)]
    public void Products_and_kernel_columns_are_the_stored_linearizations_bits(int chunkRows, bool bias, int m)
    {
        const int n = 3 * 4096 + 1000, d = 3;
        var model = new TwoLayerSilu(d, m, hasBias: bias);
        var rng = new Random(7);
        using var x = Reference.ToMatrix(Reference.Random(n, d, rng));
        double[] w = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        double[] direction = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] z = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        int[] sample = [5, 4095, 4096, 9000, n - 1, 17];

        using var stored = model.CreateLinearization(n);
        using var streaming = new TwoLayerSiluStreamingLinearization(model, n, chunkRows);
        stored.Evaluate(x, w);
        streaming.Evaluate(x, w);
        Assert.Equal(Math.Max(4096, chunkRows), streaming.ChunkRows);
        Assert.Equal(stored.Output.ToArray(), streaming.Output.ToArray(), SameBits);

        double[] jv = new double[n], jvStreaming = new double[n], jtz = new double[model.ParameterCount], jtzStreaming = new double[model.ParameterCount];
        stored.Multiply(direction, jv);
        streaming.Multiply(direction, jvStreaming);
        Assert.Equal(jv, jvStreaming, SameBits);
        stored.MultiplyTransposed(z, jtz);
        streaming.MultiplyTransposed(z, jtzStreaming);
        Assert.Equal(jtz, jtzStreaming, SameBits);

        using var columns = new DenseMatrix<double>(n, sample.Length);
        using var columnsStreaming = new DenseMatrix<double>(n, sample.Length);
        ((IKernelColumns)stored).KernelColumns(sample, columns);
        ((IKernelColumns)streaming).KernelColumns(sample, columnsStreaming);
        Assert.Equal(columns.AsSpan().ToArray(), columnsStreaming.AsSpan().ToArray(), SameBits);
        Assert.NotEqual(0, columns[9000, 3]); // column of sample row 9000 at its own row: the kernel's diagonal
    }

    // Independent of the stored code: Jᵀz summed block by block agrees with the explicit Jacobian.
    [Fact]
    public void The_streaming_transposed_product_matches_the_explicit_jacobian()
    {
        const int n = 4096 + 300, d = 2, m = 6;
        var model = new TwoLayerSilu(d, m, hasBias: true);
        var rng = new Random(3);
        using var x = Reference.ToMatrix(Reference.Random(n, d, rng));
        double[] w = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        double[] z = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        using var streaming = new TwoLayerSiluStreamingLinearization(model, n, 4096);
        streaming.Evaluate(x, w);
        var jtz = new double[model.ParameterCount];
        streaming.MultiplyTransposed(z, jtz);

        using var stored = model.CreateLinearization(n);
        stored.Evaluate(x, w);
        using var rows = new DenseMatrix<double>(n, model.ParameterCount);
        stored.JacobianRows(0, rows);
        for (int p = 0; p < model.ParameterCount; p++)
        {
            double expected = 0;
            for (int r = 0; r < n; r++) expected += rows[r, p] * z[r];
            Assert.Equal(expected, jtz[p], 1e-12 * (1 + Math.Abs(expected)));
        }
    }

    // The chunk held since the forward pass (the last) is read; every other chunk is recomputed by each product.
    [Fact]
    public void Products_recompute_every_chunk_but_the_held_one()
    {
        const int n = 3 * 4096 + 10;
        var model = new TwoLayerSilu(2, 8);
        using var x = Reference.ToMatrix(Reference.Random(n, 2, new Random(2)));
        using var streaming = new TwoLayerSiluStreamingLinearization(model, n, 4096);
        streaming.Evaluate(x, Enumerable.Range(0, model.ParameterCount).Select(i => Math.Sin(i)).ToArray());
        Assert.Equal(4, streaming.ChunkEvaluations);
        var p = new double[model.ParameterCount];
        streaming.MultiplyTransposed(Enumerable.Repeat(1.0, n).ToArray(), p);
        streaming.Multiply(p, new double[n]);
        Assert.Equal(4 + 3 + 3, streaming.ChunkEvaluations);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4096)]
    public void Holding_no_rows_of_activations_is_refused_by_name(int rows)
    {
        var model = new TwoLayerSilu(2, 4);
        using var x = Reference.ToMatrix(Reference.Random(10, 2, new Random(1)));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TwoLayerSiluRegression(model, x, new double[10]) { ActivationRows = rows });
        Assert.Equal(nameof(TwoLayerSiluRegression.ActivationRows), e.ParamName);
    }

    [Fact]
    public void Dense_forms_are_refused_with_the_way_out()
    {
        var model = new TwoLayerSilu(2, 4);
        using var x = Reference.ToMatrix(Reference.Random(5000, 2, new Random(1)));
        using var streaming = new TwoLayerSiluStreamingLinearization(model, 5000, 4096);
        streaming.Evaluate(x, new double[model.ParameterCount]);
        using var a = new DenseMatrix<double>(5000, 5000);
        var e = Assert.Throws<NotSupportedException>(() => streaming.Ntk(a));
        Assert.Contains("4096 of N = 5000", e.Message);
        Assert.Contains("ActivationRows", e.Message);
    }

    // Through the trainer: the Nyström solver on a model that recomputes its activations takes the same steps, bit
    // for bit, as on the one that stores them, and (CG to 1e-11) the dense Cholesky steps to 1e-8, at N = 5000.
    [Fact]
    public void Nystrom_training_with_recomputed_activations_takes_the_same_steps_as_stored_and_dense()
    {
        var data = TeacherStudent.Arbel(5000, inputDimension: 3, testCount: 0, seed: 2);
        using (data)
        {
            var network = new TwoLayerSilu(3, 30);
            double[] w0 = TeacherStudent.InitialParameters(network, 1, seed: 5, outputStd: 0.5);
            var options = new TrainingOptions
            {
                LinearSolver = GaussNewtonSolver.Nystrom, NystromRank = 60, FixedDamping = 1e-4, GaussNewtonStep = GaussNewtonStepRule.Fixed,
                MaxIterations = 3, RelativeTolerance = 0, PreconditionerRefreshIterations = 1000, // rebuild by count, not by the clock
                LinearTolerance = 1e-11, MaxLinearIterations = 500,
            };
            double[] stored = (double[])w0.Clone(), streamed = (double[])w0.Clone();
            TrainingResult reference;
            using (var model = new TwoLayerSiluRegression(network, data.TrainX, data.TrainY))
                reference = Trainer.Train(model, stored, options);
            using (var model = new TwoLayerSiluRegression(network, data.TrainX, data.TrainY) { ActivationRows = 1000 })
            {
                var result = Trainer.Train(model, streamed, options);
                Assert.Equal(reference.Records.Select(r => (r.TrainLoss, r.GradientNorm, r.LinearIterations)), result.Records.Select(r => (r.TrainLoss, r.GradientNorm, r.LinearIterations)));
                Assert.Equal(3, result.Iterations);
                Assert.All(result.Records.Skip(1), r => Assert.True(r.LinearIterations > 0));
            }
            Assert.Equal(stored, streamed, SameBits);

            double[] dense = (double[])w0.Clone();
            using (var model = new TwoLayerSiluRegression(network, data.TrainX, data.TrainY))
                Assert.Equal(TrainingStatus.MaxIterations, Trainer.Train(model, dense, options with { LinearSolver = GaussNewtonSolver.Exact }).Status);
            var difference = new double[dense.Length];
            TensorPrimitives.Subtract(dense, streamed, difference);
            double relative = TensorPrimitives.Norm<double>(difference) / TensorPrimitives.Norm<double>(dense);
            Assert.True(relative < 1e-8, $"the streamed Nyström steps differ from the dense ones by {relative:E2} (relative)");
        }
    }
}
