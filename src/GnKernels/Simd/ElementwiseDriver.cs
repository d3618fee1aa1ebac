using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace GnKernels.Simd;

/// <summary>
/// Loops and tails for element-wise kernels, one per shape (1→1, 1→2, 2→1), generic over the width.
/// One step is one lanes struct (two vectors of the width; four for the forward SiLU on Vector512 where the input
/// holds four such steps; one Vector256 without AVX-512), computed in two stages that the loops overlap across steps
/// (three for the one-vector steps: the exp's head and tail, then the rest). The tail is one overlapping
/// step ending at the last element. Inputs shorter than one two-vector step drop to the next narrower width, so the
/// scalar loop handles at most 2·Vector128.Count − 1 elements. Outputs of <see cref="StreamingBytes"/> or more bypass
/// the caches on AVX-512 machines.
/// Arguments are validated by the public entry points.
/// </summary>
internal static class ElementwiseDriver
{
    public static unsafe void Run<T, TOp>(SimdPath path, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryOperator<T>
    {
        ref T xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        fixed (T* yr = y)
        switch (Narrow(path, x.Length, Lanes512<T>.Count, Lanes256<T>.Count, Lanes128<T>.Count))
        {
            // Wide steps from four of them on (below, their overlapping tail and setup cost more than they gain); two
            // vectors otherwise, so every kernel leaves V512 at the same length and kernels
            // that share a formula agree bit for bit at every length.
            case SimdPath.V512 when TOp.WideSteps && x.Length >= 4 * Lanes512x4<T>.Count: Unary<T, TOp, Lanes512x4<T>>(ref xr, yr, n); break;
            case SimdPath.V512: Unary<T, TOp, Lanes512<T>>(ref xr, yr, n); break;
            case SimdPath.V256 when !Avx512F.IsSupported: UnaryStagedLoop<T, TOp, Lanes256x1<T>>(ref xr, yr, n); break;
            case SimdPath.V256: Unary<T, TOp, Lanes256<T>>(ref xr, yr, n); break;
            case SimdPath.V128: Unary<T, TOp, Lanes128<T>>(ref xr, yr, n); break;
            default: Unary<T, TOp, LanesScalar<T>>(ref xr, yr, n); break;
        }
    }

    public static void Run<T, TOp>(SimdPath path, ReadOnlySpan<T> x, Span<T> y1, Span<T> y2)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryTwoOutputOperator<T> =>
        Run<T, TOp, Unweighted>(path, x, x, y1, y2);

    /// <summary>
    /// The 1→2 shape with its second output multiplied by <paramref name="weights"/> as it is stored (one rounding,
    /// the same bits as a separate element-wise product), where the product would otherwise be another pass.
    /// </summary>
    public static void Run<T, TOp>(SimdPath path, ReadOnlySpan<T> x, ReadOnlySpan<T> weights, Span<T> y1, Span<T> y2)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryTwoOutputOperator<T> =>
        Run<T, TOp, Weighted>(path, x, weights, y1, y2);

    private static unsafe void Run<T, TOp, TWeights>(SimdPath path, ReadOnlySpan<T> x, ReadOnlySpan<T> weights, Span<T> y1, Span<T> y2)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryTwoOutputOperator<T> where TWeights : struct, IWeights
    {
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T wr = ref MemoryMarshal.GetReference(weights);
        nuint n = (nuint)x.Length;
        fixed (T* ar = y1, br = y2)
        switch (Narrow(path, x.Length, Lanes512<T>.Count, Lanes256<T>.Count, Lanes128<T>.Count))
        {
            case SimdPath.V512: UnaryTwo<T, TOp, Lanes512<T>, TWeights>(ref xr, ref wr, ar, br, n); break;
            case SimdPath.V256 when !Avx512F.IsSupported: UnaryTwoStagedLoop<T, TOp, Lanes256x1<T>, TWeights>(ref xr, ref wr, ar, br, n); break;
            case SimdPath.V256: UnaryTwo<T, TOp, Lanes256<T>, TWeights>(ref xr, ref wr, ar, br, n); break;
            case SimdPath.V128: UnaryTwo<T, TOp, Lanes128<T>, TWeights>(ref xr, ref wr, ar, br, n); break;
            default: UnaryTwo<T, TOp, LanesScalar<T>, TWeights>(ref xr, ref wr, ar, br, n); break;
        }
    }

    public static unsafe void Run<T, TOp>(SimdPath path, ReadOnlySpan<T> x1, ReadOnlySpan<T> x2, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IBinaryOperator<T>
    {
        ref T ar = ref MemoryMarshal.GetReference(x1);
        ref T br = ref MemoryMarshal.GetReference(x2);
        nuint n = (nuint)x1.Length;
        fixed (T* yr = y)
        switch (Narrow(path, x1.Length, Lanes512<T>.Count, Lanes256<T>.Count, Lanes128<T>.Count))
        {
            case SimdPath.V512: Binary<T, TOp, Lanes512<T>>(ref ar, ref br, yr, n); break;
            case SimdPath.V256 when !Avx512F.IsSupported: BinaryStagedLoop<T, TOp, Lanes256x1<T>>(ref ar, ref br, yr, n); break;
            case SimdPath.V256: Binary<T, TOp, Lanes256<T>>(ref ar, ref br, yr, n); break;
            case SimdPath.V128: Binary<T, TOp, Lanes128<T>>(ref ar, ref br, yr, n); break;
            default: Binary<T, TOp, LanesScalar<T>>(ref ar, ref br, yr, n); break;
        }
    }

    /// <summary>The requested path, or a narrower one when the input is shorter than one vector.</summary>
    internal static SimdPath Narrow(SimdPath path, int length, int count512, int count256, int count128)
    {
        if (path == SimdPath.V512 && length < count512) path = SimdPath.V256;
        if (path == SimdPath.V256 && length < count256) path = SimdPath.V128;
        if (path == SimdPath.V128 && length < count128) path = SimdPath.Scalar;
        return path;
    }

    // Software-pipelined where the registers allow (Lag = 1): each pass loads and starts step k (the exp, the long
    // head of the chain) and then finishes step k − 1, whose divisions and corrections wait on that chain. Issued in
    // that order, the finishing operations enter the scheduler close to when their inputs are ready instead of
    // filling it for the whole chain, so more steps overlap. With Lag = 0 a step is started and finished in the same pass.
    // One call site per stage: every site inlines the whole operator, and the JIT's inline budget (set by the
    // small driver) runs out after one copy, leaving the lane helpers as calls.
    // NoInlining keeps each loop its own compilation root: inlined into a caller (BenchmarkDotNet's unrolled
    // loop did this), it would share that caller's budget and lose the inlining of the whole kernel (8× slower).

    /// <summary>
    /// How many steps Finish runs behind Start: 1 where the registers hold both stages' live values (AVX-512's 32, at
    /// every width), 0 otherwise. One-vector steps without AVX-512 run three stages instead (<see cref="UnaryStagedLoop"/>).
    /// A JIT-time constant, so each loop compiles to one form.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Lag<T, TV>() where T : unmanaged, IBinaryFloatingPointIeee754<T> where TV : struct, ILanes<TV, T> =>
        Avx512F.IsSupported ? 1u : 0u;

    /// <summary>
    /// Whether the steps are aligned to the destination (<see cref="AlignmentShift"/>), and the head, which then
    /// overlaps the next step, is loaded before the loop. Only with 32 registers: with 16, holding the head across the
    /// loop costs the V256 kernels more than alignment gains.
    /// </summary>
    private static bool HeadEarly => Avx512F.IsSupported;

    /// <summary>
    /// Where pass k's step starts. With <see cref="HeadEarly"/>: steps 0 … steps − 2 from step − shift on, each on a
    /// vector boundary of the destination and the last of them clamped to the tail, then the head at 0, which
    /// overlaps the first of them as the tail overlaps the one before it. Otherwise in order from 0, unshifted.
    /// Head and tail, where they overlap a neighbour, are loaded before the loop, so an in-place call never reads an
    /// element that an overlapping step has already written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint StepStart(nuint k, nuint steps, nuint step, nuint shift, nuint last) =>
        !HeadEarly ? Math.Min(k * step, last) : k + 1 < steps ? Math.Min(step - shift + k * step, last) : 0;

    /// <summary>
    /// How far short of one step the aligned steps start (see <see cref="StepStart"/>), so that their stores begin
    /// on a vector boundary of the destination: a 512-bit access that straddles a cache line costs two. Zero for the scalar path and for inputs of less than three
    /// steps, where the extra overlap would cost more than it saves, and without <see cref="HeadEarly"/>.
    /// </summary>
    private static unsafe nuint AlignmentShift<T, TV>(T* destination, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TV : struct, ILanes<TV, T>
    {
        nuint vectorElements = (nuint)TV.VectorLength;
        if (!HeadEarly || TV.Count == 1 || n < 3 * (nuint)TV.Count) return 0;
        nuint vectorBytes = vectorElements * (nuint)sizeof(T);
        nuint toBoundary = (vectorBytes - (nuint)destination % vectorBytes) % vectorBytes / (nuint)sizeof(T);
        return toBoundary == 0 ? 0 : vectorElements - toBoundary;
    }

    /// <summary>
    /// Outputs of at least this many bytes (each) are written past the caches. A store that misses the cache first
    /// reads its line (read-for-ownership), so an output far beyond the cache costs a third memory stream beside
    /// the input and the write-back. Below a quarter of a 32 MiB L3 the cached stores are as fast, and leave the
    /// output in cache for its consumer; above, streaming keeps the input in the L3 the output no longer fills, and
    /// it gains most when another process loads the memory (docs/performance.md).
    /// </summary>
    internal const long StreamingBytes = 8L << 20;

    /// <summary>
    /// Whether the aligned steps (see <see cref="StepStart"/>) may store non-temporally: only where they are aligned
    /// (<see cref="HeadEarly"/>, more than one element per vector, a destination on an element boundary) and the
    /// output is large.
    /// </summary>
    private static unsafe bool Streams<T, TV>(T* destination, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TV : struct, ILanes<TV, T> =>
        HeadEarly && TV.Count > 1 && (long)n * sizeof(T) >= StreamingBytes && (nuint)destination % (nuint)sizeof(T) == 0;

    /// <summary>Whether a call on <paramref name="path"/> of <paramref name="length"/> elements into
    /// <paramref name="destination"/> streams its (first) output: what the tests check the streaming path with.</summary>
    internal static unsafe bool StreamsInto<T>(SimdPath path, Span<T> destination, int length) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* p = destination)
            return Narrow(path, length, Lanes512<T>.Count, Lanes256<T>.Count, Lanes128<T>.Count) switch
            {
                SimdPath.V512 => Streams<T, Lanes512<T>>(p, (nuint)length),
                SimdPath.V256 => Streams<T, Lanes256<T>>(p, (nuint)length),
                SimdPath.V128 => Streams<T, Lanes128<T>>(p, (nuint)length),
                _ => false,
            };
    }

    /// <summary>Whether two destinations lie at the same offset from a vector boundary, so steps aligned to one are
    /// aligned to both. Otherwise the second output stays cached: realigning it by a permute per vector would win
    /// back 2–3% of the fused kernel at 32 MiB (measured with both streamed against only the first).</summary>
    private static unsafe bool SameAlignment<T, TV>(T* a, T* b)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TV : struct, ILanes<TV, T> =>
        ((nuint)a - (nuint)b) % ((nuint)TV.VectorLength * (nuint)sizeof(T)) == 0;

    /// <summary>Whether the step at <paramref name="at"/> is one of the aligned ones of <see cref="StepStart"/>: not the
    /// head at 0 and not the tail at <paramref name="last"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool OnVectorGrid(nuint at, nuint last) => at != 0 && at < last;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreStep<T, TV>(TV value, T* destination, nuint at, bool nonTemporal)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TV : struct, ILanes<TV, T>
    {
        if (nonTemporal) TV.StoreNonTemporal(value, destination, at);
        else TV.Store(value, ref *destination, at);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Unary<T, TOp, TV>(ref T x, T* y, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryOperator<T> where TV : struct, ILanes<TV, T>
    {
        if (TV.Count > 2 * TV.VectorLength)
        {
            if (Streams<T, TV>(y, n)) UnaryWideLoop<T, TOp, TV, StreamFirstOutput>(ref x, y, n);
            else UnaryWideLoop<T, TOp, TV, CachedStores>(ref x, y, n);
        }
        else if (Streams<T, TV>(y, n)) UnaryLoop<T, TOp, TV, StreamFirstOutput>(ref x, y, n);
        else UnaryLoop<T, TOp, TV, CachedStores>(ref x, y, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void UnaryTwo<T, TOp, TV, TWeights>(ref T x, ref T w, T* y1, T* y2, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryTwoOutputOperator<T> where TV : struct, ILanes<TV, T>
        where TWeights : struct, IWeights
    {
        if (!Streams<T, TV>(y1, n)) UnaryTwoLoop<T, TOp, TV, CachedStores, TWeights>(ref x, ref w, y1, y2, n);
        else if (SameAlignment<T, TV>(y1, y2)) UnaryTwoLoop<T, TOp, TV, StreamAllOutputs, TWeights>(ref x, ref w, y1, y2, n);
        else UnaryTwoLoop<T, TOp, TV, StreamFirstOutput, TWeights>(ref x, ref w, y1, y2, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Binary<T, TOp, TV>(ref T x1, ref T x2, T* y, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IBinaryOperator<T> where TV : struct, ILanes<TV, T>
    {
        if (Streams<T, TV>(y, n)) BinaryLoop<T, TOp, TV, StreamFirstOutput>(ref x1, ref x2, y, n);
        else BinaryLoop<T, TOp, TV, CachedStores>(ref x1, ref x2, y, n);
    }

    /// <summary>
    /// The input of the step starting at <paramref name="at"/>: head and tail were loaded before the loop, so in-place
    /// calls read them before any store overlaps them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV StepInput<T, TV>(ref T x, nuint at, nuint last, TV head, TV tail)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TV : struct, ILanes<TV, T> =>
        at == 0 ? (HeadEarly ? head : TV.Load(ref x, 0)) : at < last ? TV.Load(ref x, at) : tail;

    /// <summary>As above, with head and tail in <paramref name="edges"/> (one step each) instead of registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe TV StepInput<T, TV>(ref T x, nuint at, nuint last, T* edges)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TV : struct, ILanes<TV, T> =>
        at == 0 ? (HeadEarly ? TV.Load(ref *edges, 0) : TV.Load(ref x, 0)) : at < last ? TV.Load(ref x, at) : TV.Load(ref *edges, (nuint)TV.Count);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void UnaryLoop<T, TOp, TV, TMode>(ref T x, T* y, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryOperator<T> where TV : struct, ILanes<TV, T> where TMode : struct, IStoreMode
    {
        if (n == 0) return;
        nuint step = (nuint)TV.Count, last = n - step, shift = AlignmentShift<T, TV>(y, n), steps = 1 + (n + shift - 1) / step;
        TV head = HeadEarly ? TV.Load(ref x, 0) : default, tail = TV.Load(ref x, last);
        TV held = default, heldStarted = default;
        nuint heldAt = 0;
        for (nuint k = 0; k < steps + Lag<T, TV>(); k++)
        {
            TV v = default, started = default;
            nuint at = StepStart(k, steps, step, shift, last);
            if (k < steps)
            {
                v = StepInput(ref x, at, last, head, tail);
                started = TOp.Start(v);
            }
            if (Lag<T, TV>() == 0) { held = v; heldStarted = started; heldAt = at; }
            if (k >= Lag<T, TV>()) StoreStep(TOp.Finish(held, TOp.MinusA(held), heldStarted), y, heldAt, TMode.StreamFirst && OnVectorGrid(heldAt, last));
            if (Lag<T, TV>() == 1) { held = v; heldStarted = started; heldAt = at; }
        }
        if (TMode.StreamFirst) Sse.StoreFence();
    }

    /// <summary>
    /// The 1→1 loop for steps of more than two vectors (the forward's four on Vector512), whose chain needs every
    /// register, so no input stays in one across steps: the held step's input is loaded again when it is finished, and
    /// head and tail, which in-place calls must read before an overlapping step writes them, wait in a stack buffer.
    /// No store lands between a step's two loads (the overlapping head and tail come from the buffer). Four vectors
    /// spill in the plain loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static unsafe void UnaryWideLoop<T, TOp, TV, TMode>(ref T x, T* y, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryOperator<T> where TV : struct, ILanes<TV, T> where TMode : struct, IStoreMode
    {
        if (n == 0) return;
        nuint step = (nuint)TV.Count, last = n - step, shift = AlignmentShift<T, TV>(y, n), steps = 1 + (n + shift - 1) / step;
        T* edges = stackalloc T[2 * TV.Count];
        TV.Store(TV.Load(ref x, 0), ref *edges, 0);
        TV.Store(TV.Load(ref x, last), ref *edges, step);
        TV heldStarted = default;
        nuint heldAt = 0;
        for (nuint k = 0; k < steps + Lag<T, TV>(); k++)
        {
            TV started = default;
            nuint at = StepStart(k, steps, step, shift, last);
            if (k < steps) started = TOp.Start(StepInput<T, TV>(ref x, at, last, edges));
            if (Lag<T, TV>() == 0) { heldStarted = started; heldAt = at; }
            if (k >= Lag<T, TV>())
            {
                TV input = StepInput<T, TV>(ref x, heldAt, last, edges);
                StoreStep(TOp.Finish(input, TOp.MinusA(input), heldStarted), y, heldAt, TMode.StreamFirst && OnVectorGrid(heldAt, last));
            }
            if (Lag<T, TV>() == 1) { heldStarted = started; heldAt = at; }
        }
        if (TMode.StreamFirst) Sse.StoreFence();
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void UnaryTwoLoop<T, TOp, TV, TMode, TWeights>(ref T x, ref T w, T* y1, T* y2, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryTwoOutputOperator<T> where TV : struct, ILanes<TV, T> where TMode : struct, IStoreMode
        where TWeights : struct, IWeights
    {
        if (n == 0) return;
        nuint step = (nuint)TV.Count, last = n - step, shift = AlignmentShift<T, TV>(y1, n), steps = 1 + (n + shift - 1) / step;
        TV head = HeadEarly ? TV.Load(ref x, 0) : default, tail = TV.Load(ref x, last);
        TV held = default, heldStarted = default;
        nuint heldAt = 0;
        for (nuint k = 0; k < steps + Lag<T, TV>(); k++)
        {
            TV v = default, started = default;
            nuint at = StepStart(k, steps, step, shift, last);
            if (k < steps)
            {
                v = StepInput(ref x, at, last, head, tail);
                started = TOp.Start(v);
            }
            if (Lag<T, TV>() == 0) { held = v; heldStarted = started; heldAt = at; }
            if (k >= Lag<T, TV>())
            {
                bool onGrid = OnVectorGrid(heldAt, last);
                StoreStep(TOp.Finish(held, TOp.MinusA(held), heldStarted, out TV second), y1, heldAt, TMode.StreamFirst && onGrid);
                // The weights are no output, so they are read when the step is finished, not held from its start.
                if (TWeights.Apply) second = TV.Multiply(second, TV.Load(ref w, heldAt));
                StoreStep(second, y2, heldAt, TMode.StreamSecond && onGrid);
            }
            if (Lag<T, TV>() == 1) { held = v; heldStarted = started; heldAt = at; }
        }
        if (TMode.StreamFirst) Sse.StoreFence();
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BinaryLoop<T, TOp, TV, TMode>(ref T x1, ref T x2, T* y, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IBinaryOperator<T> where TV : struct, ILanes<TV, T> where TMode : struct, IStoreMode
    {
        if (n == 0) return;
        nuint step = (nuint)TV.Count, last = n - step, shift = AlignmentShift<T, TV>(y, n), steps = 1 + (n + shift - 1) / step;
        TV head1 = HeadEarly ? TV.Load(ref x1, 0) : default, head2 = HeadEarly ? TV.Load(ref x2, 0) : default, tail1 = TV.Load(ref x1, last), tail2 = TV.Load(ref x2, last);
        TV held1 = default, held2 = default, heldStarted = default;
        nuint heldAt = 0;
        for (nuint k = 0; k < steps + Lag<T, TV>(); k++)
        {
            TV a = default, b = default, started = default;
            nuint at = StepStart(k, steps, step, shift, last);
            if (k < steps)
            {
                a = StepInput(ref x1, at, last, head1, tail1);
                b = StepInput(ref x2, at, last, head2, tail2);
                started = TOp.Start(a);
            }
            if (Lag<T, TV>() == 0) { held1 = a; held2 = b; heldStarted = started; heldAt = at; }
            if (k >= Lag<T, TV>()) StoreStep(TOp.Finish(held1, TOp.MinusA(held1), held2, heldStarted), y, heldAt, TMode.StreamFirst && OnVectorGrid(heldAt, last));
            if (Lag<T, TV>() == 1) { held1 = a; held2 = b; heldStarted = started; heldAt = at; }
        }
        if (TMode.StreamFirst) Sse.StoreFence();
    }

    // Three stages a step apart, for one Vector256 per step without AVX-512: each pass runs the exp's head (range
    // reduction and table lookup) for step k, its tail (the polynomial) for step k − 1 and finishes step k − 2. A step's
    // chain is spread over three passes, each pass's chains are short, and the out-of-order window, which with 16
    // registers holds about one step, overlaps them (on Zen 4 the forward ran 20–27% faster than with two stages,
    // docs/performance.md). The passes have no branch but the loop's: the two passes before the first finish and after
    // the last head compute on the last step again and store into a scratch step. Each stage loads its input itself,
    // the head before any store can reach it; the finish of the last step, which overlaps the one before it, reads a
    // copy taken before the loop, so in-place calls read only inputs no store has touched.

    /// <summary>Where pass <paramref name="k"/>'s stage works (k = step index; past either end, wrapped below 0 too, the last step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint StagedAt(nuint k, nuint step, nuint last) => Math.Min(k * step, last);

    /// <summary>The input of the step at <paramref name="at"/> for its finish: the copy for the last step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe TV FinishInput<T, TV>(T* x, nuint at, nuint last, T* lastCopy)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TV : struct, ILanes<TV, T> =>
        TV.Load(ref *(at == last ? lastCopy : x + at), 0);

    /// <summary>Where the finish of pass <paramref name="k"/> stores: the output, or the scratch step before the first finish.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe T* FinishOutput<T>(nuint k, T* y, nuint at, T* scratch) where T : unmanaged => k >= 2 ? y + at : scratch;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static unsafe void UnaryStagedLoop<T, TOp, TV>(ref T x, T* y, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryOperator<T> where TV : struct, ILanes<TV, T>
    {
        if (n == 0) return;
        nuint step = (nuint)TV.Count, last = n - step, steps = 1 + (n - 1) / step;
        T* lastCopy = stackalloc T[TV.Count], scratch = stackalloc T[TV.Count];
        TV.Store(TV.Load(ref x, last), ref *lastCopy, 0);
        fixed (T* xp = &x)
        {
            TV r = default, scaleUp = default, tableError = default, started = default, minusA = default, finishMinusA = default;
            for (nuint k = 0; k < steps + 2; k++)
            {
                TV nextMinusA = TOp.MinusA(TV.Load(ref x, StagedAt(k, step, last)));
                TV nextR = TOp.Head(nextMinusA, out TV nextScaleUp, out TV nextTableError);
                TV nextStarted = TOp.Tail(r, scaleUp, tableError);
                nuint at = StagedAt(k - 2, step, last);
                TV.Store(TOp.Finish(FinishInput<T, TV>(xp, at, last, lastCopy), finishMinusA, started), ref *FinishOutput(k, y, at, scratch), 0);
                (r, scaleUp, tableError, started, minusA, finishMinusA) = (nextR, nextScaleUp, nextTableError, nextStarted, nextMinusA, minusA);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static unsafe void UnaryTwoStagedLoop<T, TOp, TV, TWeights>(ref T x, ref T w, T* y1, T* y2, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IUnaryTwoOutputOperator<T> where TV : struct, ILanes<TV, T>
        where TWeights : struct, IWeights
    {
        if (n == 0) return;
        nuint step = (nuint)TV.Count, last = n - step, steps = 1 + (n - 1) / step;
        T* lastCopy = stackalloc T[TV.Count], scratch = stackalloc T[2 * TV.Count];
        TV.Store(TV.Load(ref x, last), ref *lastCopy, 0);
        fixed (T* xp = &x)
        {
            TV r = default, scaleUp = default, tableError = default, started = default, minusA = default, finishMinusA = default;
            for (nuint k = 0; k < steps + 2; k++)
            {
                TV nextMinusA = TOp.MinusA(TV.Load(ref x, StagedAt(k, step, last)));
                TV nextR = TOp.Head(nextMinusA, out TV nextScaleUp, out TV nextTableError);
                TV nextStarted = TOp.Tail(r, scaleUp, tableError);
                nuint at = StagedAt(k - 2, step, last);
                TV.Store(TOp.Finish(FinishInput<T, TV>(xp, at, last, lastCopy), finishMinusA, started, out TV second), ref *FinishOutput(k, y1, at, scratch), 0);
                // The weights are no output, so they are read where the step is finished, as in the other loops.
                if (TWeights.Apply) second = TV.Multiply(second, TV.Load(ref w, at));
                TV.Store(second, ref *FinishOutput(k, y2, at, scratch + TV.Count), 0);
                (r, scaleUp, tableError, started, minusA, finishMinusA) = (nextR, nextScaleUp, nextTableError, nextStarted, nextMinusA, minusA);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static unsafe void BinaryStagedLoop<T, TOp, TV>(ref T x1, ref T x2, T* y, nuint n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : struct, IBinaryOperator<T> where TV : struct, ILanes<TV, T>
    {
        if (n == 0) return;
        nuint step = (nuint)TV.Count, last = n - step, steps = 1 + (n - 1) / step;
        T* lastCopy1 = stackalloc T[TV.Count], lastCopy2 = stackalloc T[TV.Count], scratch = stackalloc T[TV.Count];
        TV.Store(TV.Load(ref x1, last), ref *lastCopy1, 0);
        TV.Store(TV.Load(ref x2, last), ref *lastCopy2, 0);
        fixed (T* xp1 = &x1, xp2 = &x2)
        {
            TV r = default, scaleUp = default, tableError = default, started = default, minusA = default, finishMinusA = default;
            for (nuint k = 0; k < steps + 2; k++)
            {
                TV nextMinusA = TOp.MinusA(TV.Load(ref x1, StagedAt(k, step, last)));
                TV nextR = TOp.Head(nextMinusA, out TV nextScaleUp, out TV nextTableError);
                TV nextStarted = TOp.Tail(r, scaleUp, tableError);
                nuint at = StagedAt(k - 2, step, last);
                TV.Store(TOp.Finish(FinishInput<T, TV>(xp1, at, last, lastCopy1), finishMinusA, FinishInput<T, TV>(xp2, at, last, lastCopy2), started), ref *FinishOutput(k, y, at, scratch), 0);
                (r, scaleUp, tableError, started, minusA, finishMinusA) = (nextR, nextScaleUp, nextTableError, nextStarted, nextMinusA, minusA);
            }
        }
    }
}
