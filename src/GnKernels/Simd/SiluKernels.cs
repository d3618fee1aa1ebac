using System.Numerics;

namespace GnKernels.Simd;

/// <summary>
/// SiLU, silu(x) = x·σ(x) with σ the logistic sigmoid, and its derivative silu'(x) = σ(x)·(1 + x·(1 − σ(x))),
/// hand-vectorized for Vector512/256/128 with a scalar fallback (path: <see cref="SimdSelection.Selected"/>).
/// </summary>
/// <remarks>
/// Rules as in TensorPrimitives: the destination must be at least as long as the input (only x.Length elements
/// are written); an input and an output are either disjoint or start at the same element (in place); the two
/// outputs of <c>SiluWithDerivative</c> must not overlap. No allocation. On AVX-512 machines an output of 8 MiB
/// or more is written with non-temporal stores (it is not left in the cache).
/// Accuracy, measured against a double-double reference in the tests (sweep of [−750, 750] plus random points):
/// silu within 1.6 ULP (double) and 1.7 ULP (float) wherever the result is a normal number, for both the
/// forward-only and the fused kernel; with a table-driven exp 1.49 ULP (double, AVX-512) and 1.42 / 1.48 ULP (double /
/// float, Vector256 with AVX2 only). silu' within 1.9 ULP wherever
/// the result is normal and |x − x0| ≥ 0.25, with x0 ≈ −1.27846 its zero; nearer x0 within 2 + 0.25/|x − x0| ULP:
/// any evaluation of σ·(1 + x·(1 − σ)) cancels there and magnifies the exp's rounding error by σ/|silu'|, so the
/// error exceeds 2 ULP on about [−1.354, −1.037], while the absolute error stays about 10⁻¹⁷ (4.5·10⁻¹⁸ at the double
/// nearest x0).
/// The bounds include the runs without FMA hardware.
/// <c>Silu</c> and the value output of <c>SiluWithDerivative</c> round differently arranged terms (a quotient
/// and its remainder, against a·σ(−|x|) as a second quotient) and may differ in the last bit.
/// Special values: silu(NaN) = NaN, silu(+∞) = +∞, silu(−∞) = −0; silu'(±∞) = 1 and 0.
/// </remarks>
public static class SiluKernels
{
    /// <summary>y[i] = silu(x[i]).</summary>
    public static void Silu(ReadOnlySpan<double> x, Span<double> y) => Silu(x, y, SimdSelection.Selected);

    /// <summary>y[i] = silu(x[i]).</summary>
    public static void Silu(ReadOnlySpan<float> x, Span<float> y) => Silu(x, y, SimdSelection.Selected);

    /// <summary>dy[i] = silu'(x[i]).</summary>
    public static void SiluDerivative(ReadOnlySpan<double> x, Span<double> dy) => SiluDerivative(x, dy, SimdSelection.Selected);

    /// <summary>dy[i] = silu'(x[i]).</summary>
    public static void SiluDerivative(ReadOnlySpan<float> x, Span<float> dy) => SiluDerivative(x, dy, SimdSelection.Selected);

    /// <summary>y[i] = silu(x[i]) and dy[i] = silu'(x[i]) in one pass (σ evaluated once).</summary>
    public static void SiluWithDerivative(ReadOnlySpan<double> x, Span<double> y, Span<double> dy) => SiluWithDerivative(x, y, dy, SimdSelection.Selected);

    /// <summary>y[i] = silu(x[i]) and dy[i] = silu'(x[i]) in one pass (σ evaluated once).</summary>
    public static void SiluWithDerivative(ReadOnlySpan<float> x, Span<float> y, Span<float> dy) => SiluWithDerivative(x, y, dy, SimdSelection.Selected);

    /// <summary>dx[i] = upstream[i]·silu'(x[i]) (the backward pass through SiLU).</summary>
    public static void SiluBackward(ReadOnlySpan<double> x, ReadOnlySpan<double> upstream, Span<double> dx) => SiluBackward(x, upstream, dx, SimdSelection.Selected);

    /// <summary>dx[i] = upstream[i]·silu'(x[i]) (the backward pass through SiLU).</summary>
    public static void SiluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> upstream, Span<float> dx) => SiluBackward(x, upstream, dx, SimdSelection.Selected);

    // Per-path entry points: tests and benchmarks run every width on any machine (unaccelerated widths run
    // through the runtime's software fallback).

    internal static void Silu<T>(ReadOnlySpan<T> x, Span<T> y, SimdPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckOutput(x, y, nameof(y));
        ElementwiseDriver.Run<T, SiluOperator<T>>(path, x, y);
    }

    internal static void SiluDerivative<T>(ReadOnlySpan<T> x, Span<T> dy, SimdPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckOutput(x, dy, nameof(dy));
        ElementwiseDriver.Run<T, SiluDerivativeOperator<T>>(path, x, dy);
    }

    internal static void SiluWithDerivative<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> dy, SimdPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckOutputs(x, y, dy);
        ElementwiseDriver.Run<T, SiluWithDerivativeOperator<T>>(path, x, y, dy);
    }

    /// <summary>
    /// y = silu(x) and dy = silu'(x)·weights in one pass: the same bits as <c>SiluWithDerivative</c> followed by the
    /// element-wise product, without the product's pass over dy (the forward pass's E = silu'(Z)·diag(v), row by row).
    /// </summary>
    internal static void SiluWithWeightedDerivative<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weights, Span<T> y, Span<T> dy, SimdPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckOutputs(x, y, dy);
        if (weights.Length != x.Length)
            throw new ArgumentException($"weights has length {weights.Length} but x has length {x.Length}; they must match.", nameof(weights));
        if (weights.Overlaps(y[..x.Length]) || weights.Overlaps(dy[..x.Length]))
            throw new ArgumentException("weights overlaps an output; the outputs must be distinct from the weights.", nameof(weights));
        ElementwiseDriver.Run<T, SiluWithDerivativeOperator<T>>(path, x, weights, y, dy);
    }

    internal static void SiluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> upstream, Span<T> dx, SimdPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (upstream.Length != x.Length)
            throw new ArgumentException($"upstream has length {upstream.Length} but x has length {x.Length}; they must match.", nameof(upstream));
        CheckOutput(x, dx, nameof(dx));
        CheckOutput(upstream, dx, nameof(dx));
        ElementwiseDriver.Run<T, SiluBackwardOperator<T>>(path, x, upstream, dx);
    }

    /// <summary>The value and derivative outputs: each long enough, in place or disjoint from x, and distinct.</summary>
    private static void CheckOutputs<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> dy)
    {
        CheckOutput(x, y, nameof(y));
        CheckOutput(x, dy, nameof(dy));
        if (y[..x.Length].Overlaps(dy[..x.Length]))
            throw new ArgumentException("y and dy overlap; the value and derivative outputs must be distinct buffers.", nameof(dy));
    }

    private static void CheckOutput<T>(ReadOnlySpan<T> input, Span<T> output, string name)
    {
        if (output.Length < input.Length)
            throw new ArgumentException($"Destination {name} is too short: length {output.Length}, input length {input.Length}.", name);
        if (input.Overlaps(output[..input.Length], out int offset) && offset != 0)
            throw new ArgumentException(
                $"{name} overlaps its input at an offset of {offset} elements; use disjoint buffers or the same start (in place).", name);
    }
}
