using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using GnKernels.Simd;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Simd;

/// <summary>
/// Outputs of <see cref="ElementwiseDriver.StreamingBytes"/> or more are written with non-temporal stores on the
/// aligned steps (AVX-512 machines). They must hold exactly what the cached stores write, wherever the outputs start.
/// </summary>
public class SiluStreamingTests
{
    public static TheoryData<SimdPath> VectorPaths => [SimdPath.V128, SimdPath.V256, SimdPath.V512];

    /// <summary>Streaming needs the aligned steps, which only the 32-register (AVX-512) machines take.</summary>
    private static bool StreamingExpected => Avx512F.IsSupported;

    private static int ElementsFor<T>(int extra) where T : unmanaged => (int)(ElementwiseDriver.StreamingBytes / Marshal.SizeOf<T>()) + extra;

    [Theory, MemberData(nameof(VectorPaths))]
    public void Streamed_outputs_equal_cached_ones_at_every_relative_alignment(SimdPath path)
    {
        int n = ElementsFor<double>(5);
        var rng = new Random(21);
        double[] x = Enumerable.Range(0, n).Select(_ => (rng.NextDouble() - 0.5) * 40).ToArray();
        double[] g = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var (value, derivative, forward, backward) = Chunked(x, g, path);

        // (first output, second output) offsets in elements: same offset from a vector boundary (both streamed),
        // different ones (the second stays cached), and the first on a boundary or not.
        foreach (var (first, second) in new[] { (0, 0), (3, 3), (3, 0), (0, 5), (1, 2) })
        {
            var y = new double[n + 8];
            var dy = new double[n + 8];
            Span<double> ys = y.AsSpan(first, n), dys = dy.AsSpan(second, n);
            Assert.Equal(StreamingExpected, ElementwiseDriver.StreamsInto(path, ys, n));

            SiluKernels.SiluWithDerivative<double>(x, ys, dys, path);
            AssertSameBits(value, ys, $"value, offsets ({first}, {second})");
            AssertSameBits(derivative, dys, $"derivative, offsets ({first}, {second})");
            SiluKernels.Silu<double>(x, ys, path);
            AssertSameBits(forward, ys, $"forward, offset {first}");
            SiluKernels.SiluBackward<double>(x, g, dys, path);
            AssertSameBits(backward, dys, $"backward, offset {second}");
        }

        var inPlace = new double[n + 8];
        Span<double> xs = inPlace.AsSpan(3, n);
        x.CopyTo(xs);
        SiluKernels.Silu<double>(xs, xs, path);
        AssertSameBits(forward, xs, "forward in place");
        g.CopyTo(xs);
        SiluKernels.SiluBackward<double>(x, xs, xs, path);
        AssertSameBits(backward, xs, "backward in place on upstream");
    }

    [Theory, MemberData(nameof(VectorPaths))]
    public void Streamed_float_outputs_equal_cached_ones(SimdPath path)
    {
        int n = ElementsFor<float>(7);
        var rng = new Random(22);
        float[] x = Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() - 0.5) * 40)).ToArray();
        float[] expected = new float[n];
        for (int start = 0; start < n; start += Chunk)
            SiluKernels.Silu<float>(x.AsSpan(start, Math.Min(Chunk, n - start)), expected.AsSpan(start), path);
        var y = new float[n + 16];
        Span<float> ys = y.AsSpan(5, n);
        Assert.Equal(StreamingExpected, ElementwiseDriver.StreamsInto(path, ys, n));
        SiluKernels.Silu<float>(x, ys, path);
        AssertSameBits(expected, ys, "float forward");
    }

    [Fact]
    public void Streaming_starts_at_the_threshold_and_needs_an_element_aligned_destination()
    {
        int atThreshold = ElementsFor<double>(0);
        var y = new double[atThreshold];
        Assert.False(ElementwiseDriver.StreamsInto(SimdPath.V512, y, atThreshold - 1));
        Assert.Equal(StreamingExpected, ElementwiseDriver.StreamsInto(SimdPath.V512, y, atThreshold));
        Assert.False(ElementwiseDriver.StreamsInto(SimdPath.Scalar, y, atThreshold));
    }

    [Theory, MemberData(nameof(VectorPaths))]
    public unsafe void A_destination_off_the_element_grid_is_written_through_the_cache_and_right(SimdPath path)
    {
        // Spans cast from bytes may start between elements; their steps can never be vector-aligned.
        int n = ElementsFor<double>(1);
        double[] x = Enumerable.Range(0, n).Select(i => (i % 1000) * 0.01 - 5).ToArray();
        double[] expected = Chunked(x, x, path).Forward;
        byte[] bytes = new byte[(n + 1) * sizeof(double)];
        Span<double> y = MemoryMarshal.Cast<byte, double>(bytes.AsSpan(4, n * sizeof(double)));
        fixed (byte* pinned = bytes)
        {
            Assert.False(ElementwiseDriver.StreamsInto(path, y, n));
            SiluKernels.Silu<double>(x, y, path);
        }
        AssertSameBits(expected, y, "forward into a byte-offset span");
    }

    [Theory, MemberData(nameof(VectorPaths))]
    public void Streamed_stores_end_at_the_last_element(SimdPath path)
    {
        // Guard page flush with each output's end: a streamed step past the end would fault.
        int n = ElementsFor<double>(3);
        using var input = new GuardedBuffer<double>(n);
        using var value = new GuardedBuffer<double>(n);
        using var derivative = new GuardedBuffer<double>(n);
        for (int i = 0; i < n; i++) input.Span[i] = (i % 977) * 0.02 - 9;
        Assert.Equal(StreamingExpected, ElementwiseDriver.StreamsInto(path, value.Span, n));
        SiluKernels.SiluWithDerivative<double>(input.Span, value.Span, derivative.Span, path);
        double[] x = input.Span.ToArray();
        var (expectedValue, expectedDerivative, _, _) = Chunked(x, x, path);
        AssertSameBits(expectedValue, value.Span, "value before a guard page");
        AssertSameBits(expectedDerivative, derivative.Span, "derivative before a guard page");
    }

    /// <summary>Below the threshold every store is cached; results do not depend on where a span starts
    /// (<see cref="SiluKernelTests.Results_do_not_depend_on_where_the_spans_start"/>).</summary>
    private const int Chunk = 4099;

    private static (double[] Value, double[] Derivative, double[] Forward, double[] Backward) Chunked(double[] x, double[] g, SimdPath path)
    {
        int n = x.Length;
        double[] value = new double[n], derivative = new double[n], forward = new double[n], backward = new double[n];
        for (int start = 0; start < n; start += Chunk)
        {
            int length = Math.Min(Chunk, n - start);
            ReadOnlySpan<double> xs = x.AsSpan(start, length);
            SiluKernels.SiluWithDerivative<double>(xs, value.AsSpan(start), derivative.AsSpan(start), path);
            SiluKernels.Silu<double>(xs, forward.AsSpan(start), path);
            SiluKernels.SiluBackward<double>(xs, g.AsSpan(start, length), backward.AsSpan(start), path);
        }
        return (value, derivative, forward, backward);
    }

    private static void AssertSameBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what) where T : unmanaged
    {
        Assert.Equal(expected.Length, actual.Length);
        if (MemoryMarshal.AsBytes(expected).SequenceEqual(MemoryMarshal.AsBytes(actual))) return;
        int i = 0;
        while (MemoryMarshal.AsBytes(expected.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.Slice(i, 1)))) i++;
        Assert.Fail($"{what}: element {i} of {expected.Length} is {actual[i]}, expected {expected[i]}.");
    }
}
