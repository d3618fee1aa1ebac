using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Native;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Models;

[CollectionDefinition(nameof(NativeMemoryCollection), DisableParallelization = true)]
public sealed class NativeMemoryCollection;

/// <summary>Memory budgets of the blocked kernels, read from the process-wide native allocation counter
/// (hence run alone, not in parallel with other tests).</summary>
[Collection(nameof(NativeMemoryCollection))]
public class MemoryBudgetTests
{
    [Fact]
    public void Structured_ntk_needs_one_n_by_n_scratch_and_nothing_that_grows_with_m()
    {
        const int n = 400, m = 3000, d = 10;
        var model = new TwoLayerSilu(d, m, hasBias: true);
        var rng = new Random(1);
        using var x = Reference.ToMatrix(Reference.Random(n, d, rng));
        double[] w = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
        using var lin = model.CreateLinearization(n);
        using var a = new DenseMatrix<double>(n, n);
        lin.Evaluate(x, w);

        NativeMemoryCounter.ResetPeak();
        long before = NativeMemoryCounter.LiveBytes;
        lin.Ntk(a);
        long extra = NativeMemoryCounter.PeakBytes - before;
        long nByN = (long)n * n * sizeof(double), nByM = (long)n * m * sizeof(double);
        // One N×N scratch for E·Eᵀ and nothing that grows with M (the blocks are allocated with the linearization).
        Assert.True(extra <= nByN + 64 * 1024, $"extra {extra:N0} B, N×N is {nByN:N0} B, N×M {nByM:N0} B");

        // Afterwards nothing allocates, native or managed, in the step's hot path, on the caller's thread or on the
        // row workers that share the forward pass (with two BLAS threads, its n·m = 1.2M elements wake a helper).
        using var threads = BlasThreads.WithCount(2);
        double[] z = new double[n], g = new double[model.ParameterCount], jv = new double[n];
        for (int warmUp = 0; warmUp < 2; warmUp++) // JIT (first calls allocate its own bookkeeping)
        {
            lin.Evaluate(x, w);
            lin.Ntk(a);
            lin.MultiplyTransposed(z, g);
            lin.Multiply(g, jv);
        }
        // Up to three measured steps (Allocation.PerCall: a one-off tiering allocation passes, one per step does not).
        NativeMemoryCounter.ResetPeak();
        before = NativeMemoryCounter.LiveBytes;
        var helpersAtStart = RowWorkers.HelperTotals;
        var allocated = Allocation.PerCall(() =>
        {
            lin.Evaluate(x, w);
            lin.Ntk(a);
            lin.MultiplyTransposed(z, g);
            lin.Multiply(g, jv);
        }, () => RowWorkers.HelperTotals.AllocatedBytes);
        Assert.True(allocated[^1] == (0, 0), $"managed bytes per step (caller, row workers): {string.Join(", ", allocated)}");
        if (Environment.ProcessorCount >= 2) Assert.True(RowWorkers.HelperTotals.Passes > helpersAtStart.Passes, "the forward pass ran on the caller alone");
        Assert.Equal(0, NativeMemoryCounter.PeakBytes - before);
    }
}
