using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Models;

[Collection(nameof(NativeMemoryCollection))] // changes the process-wide BLAS thread count
public class RowWorkersTests
{
    private sealed class Recorder(int rows) : IRowRangeWork
    {
        public readonly int[] Visits = new int[rows];
        public readonly int[] Thread = new int[rows];
        public Func<int, int, bool>? Fail;
        public Recorder? Nested;
        private int NestedRows => Nested!.Visits.Length;

        public void Run(int start, int end)
        {
            if (Fail?.Invoke(start, end) == true) throw new InvalidOperationException($"rows {start}..{end}");
            if (Nested is not null) RowWorkers.Run(Nested, NestedRows, 1 << 20);
            for (int i = start; i < end; i++)
            {
                Interlocked.Increment(ref Visits[i]);
                Thread[i] = Environment.CurrentManagedThreadId;
            }
        }
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 1000)]
    [InlineData(2, 1)]
    [InlineData(2, 3)]
    public void Every_row_runs_exactly_once_and_large_passes_use_the_blas_threads(int threads, int rows)
    {
        using var _ = BlasThreads.WithCount(threads);
        var work = new Recorder(rows);
        RowWorkers.Run(work, rows, 1 << 20);
        Assert.All(work.Visits, v => Assert.Equal(1, v));
        int expected = Math.Min(Math.Min(threads, Environment.ProcessorCount), rows);
        Assert.Equal(expected, work.Thread.Distinct().Count());
        Assert.Contains(Environment.CurrentManagedThreadId, work.Thread); // the caller takes a part
    }

    [Fact]
    public void Small_passes_stay_on_the_caller()
    {
        using var _ = BlasThreads.WithCount(2);
        var work = new Recorder(100);
        RowWorkers.Run(work, 100, 8);
        Assert.All(work.Thread, t => Assert.Equal(Environment.CurrentManagedThreadId, t));
    }

    [Fact]
    public void A_helpers_exception_reaches_the_caller_and_the_pool_stays_usable()
    {
        if (Environment.ProcessorCount < 2) return; // one core: no helper to fail (the caller-side case is below)
        using var _ = BlasThreads.WithCount(2);
        var failing = new Recorder(1000) { Fail = (start, _) => start > 0 };
        var e = Assert.Throws<InvalidOperationException>(() => RowWorkers.Run(failing, 1000, 1 << 20));
        Assert.Contains("rows 500..1000", e.Message);
        var work = new Recorder(1000);
        RowWorkers.Run(work, 1000, 1 << 20);
        Assert.All(work.Visits, v => Assert.Equal(1, v));
    }

    [Fact]
    public void The_callers_exception_waits_for_the_helpers_and_a_nested_call_runs_alone()
    {
        using var _ = BlasThreads.WithCount(2);
        var failing = new Recorder(1000) { Fail = (start, _) => start == 0 };
        Assert.Throws<InvalidOperationException>(() => RowWorkers.Run(failing, 1000, 1 << 20));
        Assert.All(failing.Visits.Skip(Environment.ProcessorCount < 2 ? 1000 : 500), v => Assert.Equal(1, v));

        var inner = new Recorder(100);
        var outer = new Recorder(1000) { Nested = inner };
        RowWorkers.Run(outer, 1000, 1 << 20); // re-entering the busy pool must not deadlock
        Assert.All(outer.Visits, v => Assert.Equal(1, v));
        int outerParts = outer.Thread.Distinct().Count();
        Assert.All(inner.Visits, v => Assert.Equal(outerParts, v)); // once per outer part, each on its own thread
    }

    // Every row of the forward pass is computed the same way whatever the thread split (HiddenLayer), so one and two
    // threads give the same bits (Z is no longer a GEMM whose summation order follows the thread split). So do J·δw and
    // Jᵀz through the skinny kernels (AVX2 or AVX-512); through BLAS (V128 and scalar) they are the same bits on the
    // same thread count and agree to rounding across them.
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void The_forward_pass_and_the_products_give_the_same_bits_on_one_and_two_threads(int d)
    {
        var model = new TwoLayerSilu(d, 1000, hasBias: true); // 300 × 1000 elements: enough for two threads
        var rng = new Random(4);
        using var x = Reference.ToMatrix(Reference.Random(300, d, rng));
        double[] w = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        using var lin = model.CreateLinearization(300);
        double[] direction = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] z = Enumerable.Range(0, 300).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] phi, e, f, jv = new double[300], jv2 = new double[300], again = new double[300];
        double[] jtz = new double[model.ParameterCount], jtz2 = new double[model.ParameterCount];
        using (BlasThreads.WithCount(1))
        {
            lin.Evaluate(x, w);
            (phi, e, f) = (lin.Activations.AsSpan().ToArray(), lin.WeightedDerivatives.AsSpan().ToArray(), lin.Output.ToArray());
            lin.Multiply(direction, jv);
            lin.MultiplyTransposed(z, jtz);
        }
        using (BlasThreads.WithCount(2))
        {
            lin.Evaluate(x, w);
            lin.Multiply(direction, jv2);
            lin.Multiply(direction, again);
            lin.MultiplyTransposed(z, jtz2);
        }
        var same = (double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);
        Assert.Equal(phi, lin.Activations.AsSpan().ToArray(), same);
        Assert.Equal(e, lin.WeightedDerivatives.AsSpan().ToArray(), same);
        Assert.Equal(f, lin.Output.ToArray(), same);
        Assert.Equal(jv2, again, same);
        if (SkinnyProductPass.Available)
        {
            Assert.Equal(jv, jv2, same);
            Assert.Equal(jtz, jtz2, same);
        }
        foreach (var (one, two) in new[] { (jv, jv2), (jtz, jtz2) })
        {
            double scale = one.Max(Math.Abs);
            Assert.All(one.Zip(two), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-13 * scale, $"{p.First} vs {p.Second}"));
        }
    }
}
