using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GnKernels.Simd;

/// <summary>
/// The two GEMM shapes of the Jacobian's products, a tall row-major D (the activations Φ or E, rows × cols) times a few
/// vectors: C = D·Qᵀ (a dot product of every row with each of a few rows of Q) and C += Sᵀ·D (every row of D weighted
/// by a few coefficients and summed). Both read D once and are bound by that read; OpenBLAS packs D into its own
/// layout first, which costs as much again, so these stream D from where it lies, the few vectors' terms held in
/// registers (the products at (500, 5000, 10) run 1.6–1.9× faster than through OpenBLAS, `JacobianBenchmarks`).
/// Vector512 and Vector256 (with FMA); other paths use BLAS (<see cref="Accelerates"/>).
/// Every result is the same bits whatever rows or columns a call covers, so the work can be split across threads and
/// row chunks freely: a row's dot products do not depend on its neighbours, and a column's weighted sum runs over the
/// rows in blocks of <see cref="RowBlock"/> from the first row of the call, whether in a vector or in the scalar tail.
/// </summary>
internal static class SkinnyGemm
{
    /// <summary>Rows summed in registers before their part is added to C in <see cref="AddTransposedProduct"/>.</summary>
    public const int RowBlock = 8;
    // Doubles ahead of the current column that the first term group prefetches in each row: the hardware prefetchers
    // alone fall behind on several short strided streams at once (blocks of rows read a step at a time).
    private const int PrefetchDistance = 128;

    /// <summary>Whether <paramref name="path"/> has these kernels (Vector512, or Vector256 with FMA in hardware).</summary>
    public static bool Accelerates(SimdPath path) => path == SimdPath.V512 || (path == SimdPath.V256 && Fma.IsSupported);

    /// <summary>
    /// C[t, j] += Σᵣ S[r, t]·D[r, j] for t &lt; <paramref name="terms"/>, rows r &lt; <paramref name="rows"/> and
    /// columns j ∈ [<paramref name="firstColumn"/>, <paramref name="endColumn"/>); row strides ldd, lds, ldc.
    /// </summary>
    public static void AddTransposedProduct(SimdPath path, ref double d, nint ldd, int rows, ref double s, nint lds, int terms,
        ref double c, nint ldc, int firstColumn, int endColumn)
    {
        // Two accumulators per term: ten terms fill 20 of AVX-512's 32 registers, five 10 of AVX2's 16. The groups take
        // turns on each block of rows, so a block read from memory once serves them all from the caches.
        int perGroup = path == SimdPath.V512 ? 10 : 5;
        for (int r0 = 0; r0 < rows; r0 += RowBlock)
        {
            int blockRows = Math.Min(RowBlock, rows - r0);
            ref double block = ref Unsafe.Add(ref d, r0 * ldd);
            for (int g = 0; g < terms; g += perGroup)
            {
                int count = Math.Min(perGroup, terms - g);
                ref double sg = ref Unsafe.Add(ref s, r0 * lds + g);
                ref double cg = ref Unsafe.Add(ref c, g * ldc);
                bool prefetch = g == 0;
                if (path == SimdPath.V512)
                    TransposedGroup<V512>(count, ref block, ldd, blockRows, ref sg, lds, ref cg, ldc, firstColumn, endColumn, prefetch);
                else
                    TransposedGroup<V256>(count, ref block, ldd, blockRows, ref sg, lds, ref cg, ldc, firstColumn, endColumn, prefetch);
            }
        }
    }

    /// <summary>
    /// C[r·rowStride + t·termStride] = D[r, :]·Q[t, :] for rows r ∈ [<paramref name="firstRow"/>, <paramref name="endRow"/>)
    /// and t &lt; <paramref name="terms"/>, each of D's and Q's rows <paramref name="cols"/> long.
    /// </summary>
    public static void RowDots(SimdPath path, ref double d, nint ldd, int firstRow, int endRow, int cols, ref double q, nint ldq, int terms,
        ref double c, nint rowStride, nint termStride)
    {
        // Four rows per pass share each load of Q; the terms per pass are what the registers hold (4·5 accumulators of
        // 32 with AVX-512, 4·2 of 16 with AVX2).
        int perGroup = path == SimdPath.V512 ? 5 : 2;
        for (int r = firstRow; r < endRow; r += 4)
        {
            // Past the end a pass repeats the last row and stores nothing for it, so every row takes the same operations.
            int valid = Math.Min(4, endRow - r);
            for (int g = 0; g < terms; g += perGroup)
            {
                int count = Math.Min(perGroup, terms - g);
                ref double cg = ref Unsafe.Add(ref c, g * termStride);
                if (path == SimdPath.V512)
                    DotsGroup<V512>(count, ref d, ldd, r, valid, cols, ref Unsafe.Add(ref q, g * ldq), ldq, ref cg, rowStride, termStride, g == 0);
                else
                    DotsGroup<V256>(count, ref d, ldd, r, valid, cols, ref Unsafe.Add(ref q, g * ldq), ldq, ref cg, rowStride, termStride, g == 0);
            }
        }
    }

    private static void TransposedGroup<TV>(int count, ref double d, nint ldd, int rows, ref double s, nint lds, ref double c, nint ldc,
        int firstColumn, int endColumn, bool prefetch) where TV : struct, IVector<TV>
    {
        switch (count)
        {
            case 1: Transposed<TV, Terms1>(ref d, ldd, rows, ref s, lds, ref c, ldc, firstColumn, endColumn, prefetch); break;
            case 2: Transposed<TV, Terms2>(ref d, ldd, rows, ref s, lds, ref c, ldc, firstColumn, endColumn, prefetch); break;
            case 3: Transposed<TV, Terms3>(ref d, ldd, rows, ref s, lds, ref c, ldc, firstColumn, endColumn, prefetch); break;
            case 4: Transposed<TV, Terms4>(ref d, ldd, rows, ref s, lds, ref c, ldc, firstColumn, endColumn, prefetch); break;
            case 5: Transposed<TV, Terms5>(ref d, ldd, rows, ref s, lds, ref c, ldc, firstColumn, endColumn, prefetch); break;
            case 6: Transposed<TV, Terms6>(ref d, ldd, rows, ref s, lds, ref c, ldc, firstColumn, endColumn, prefetch); break;
            case 7: Transposed<TV, Terms7>(ref d, ldd, rows, ref s, lds, ref c, ldc, firstColumn, endColumn, prefetch); break;
            case 8: Transposed<TV, Terms8>(ref d, ldd, rows, ref s, lds, ref c, ldc, firstColumn, endColumn, prefetch); break;
            case 9: Transposed<TV, Terms9>(ref d, ldd, rows, ref s, lds, ref c, ldc, firstColumn, endColumn, prefetch); break;
            default: Transposed<TV, Terms10>(ref d, ldd, rows, ref s, lds, ref c, ldc, firstColumn, endColumn, prefetch); break;
        }
    }

    private static void DotsGroup<TV>(int count, ref double d, nint ldd, int row, int valid, int cols, ref double q, nint ldq,
        ref double c, nint rowStride, nint termStride, bool prefetch) where TV : struct, IVector<TV>
    {
        switch (count)
        {
            case 1: Dots<TV, Terms1>(ref d, ldd, row, valid, cols, ref q, ldq, ref c, rowStride, termStride, prefetch); break;
            case 2: Dots<TV, Terms2>(ref d, ldd, row, valid, cols, ref q, ldq, ref c, rowStride, termStride, prefetch); break;
            case 3: Dots<TV, Terms3>(ref d, ldd, row, valid, cols, ref q, ldq, ref c, rowStride, termStride, prefetch); break;
            case 4: Dots<TV, Terms4>(ref d, ldd, row, valid, cols, ref q, ldq, ref c, rowStride, termStride, prefetch); break;
            default: Dots<TV, Terms5>(ref d, ldd, row, valid, cols, ref q, ldq, ref c, rowStride, termStride, prefetch); break;
        }
    }

    /// <summary>
    /// Up to ten terms on one block of at most <see cref="RowBlock"/> rows: per step of two vectors of columns, two
    /// accumulators per term (each broadcast coefficient feeds both; unused ones vanish: <typeparamref name="TTerms"/>
    /// is a constant to the JIT), then C += the block's sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transposed<TV, TTerms>(ref double d, nint ldd, int rows, ref double s, nint lds, ref double c, nint ldc,
        int firstColumn, int endColumn, bool prefetch) where TV : struct, IVector<TV> where TTerms : struct, ITermCount
    {
        int n = TTerms.Value, width = 2 * TV.Count;
        int vectorEnd = firstColumn + (endColumn - firstColumn) / width * width;
        for (int j = firstColumn; j < vectorEnd; j += width)
        {
            TV a0 = TV.Zero, a1 = TV.Zero, a2 = TV.Zero, a3 = TV.Zero, a4 = TV.Zero, a5 = TV.Zero, a6 = TV.Zero, a7 = TV.Zero, a8 = TV.Zero, a9 = TV.Zero;
            TV b0 = TV.Zero, b1 = TV.Zero, b2 = TV.Zero, b3 = TV.Zero, b4 = TV.Zero, b5 = TV.Zero, b6 = TV.Zero, b7 = TV.Zero, b8 = TV.Zero, b9 = TV.Zero;
            for (int r = 0; r < rows; r++)
            {
                ref double row = ref Unsafe.Add(ref d, r * ldd + j);
                if (prefetch)
                {
                    Prefetch(ref row);
                    Prefetch(ref Unsafe.Add(ref row, 2 * TV.Count - 1)); // the step's last line (its second with AVX-512)
                }
                TV x = TV.Load(ref row), y = TV.Load(ref Unsafe.Add(ref row, TV.Count));
                ref double sr = ref Unsafe.Add(ref s, r * lds);
                TV w = TV.Broadcast(sr);
                (a0, b0) = (TV.MultiplyAdd(w, x, a0), TV.MultiplyAdd(w, y, b0));
                if (n > 1) { w = TV.Broadcast(Unsafe.Add(ref sr, 1)); (a1, b1) = (TV.MultiplyAdd(w, x, a1), TV.MultiplyAdd(w, y, b1)); }
                if (n > 2) { w = TV.Broadcast(Unsafe.Add(ref sr, 2)); (a2, b2) = (TV.MultiplyAdd(w, x, a2), TV.MultiplyAdd(w, y, b2)); }
                if (n > 3) { w = TV.Broadcast(Unsafe.Add(ref sr, 3)); (a3, b3) = (TV.MultiplyAdd(w, x, a3), TV.MultiplyAdd(w, y, b3)); }
                if (n > 4) { w = TV.Broadcast(Unsafe.Add(ref sr, 4)); (a4, b4) = (TV.MultiplyAdd(w, x, a4), TV.MultiplyAdd(w, y, b4)); }
                if (n > 5) { w = TV.Broadcast(Unsafe.Add(ref sr, 5)); (a5, b5) = (TV.MultiplyAdd(w, x, a5), TV.MultiplyAdd(w, y, b5)); }
                if (n > 6) { w = TV.Broadcast(Unsafe.Add(ref sr, 6)); (a6, b6) = (TV.MultiplyAdd(w, x, a6), TV.MultiplyAdd(w, y, b6)); }
                if (n > 7) { w = TV.Broadcast(Unsafe.Add(ref sr, 7)); (a7, b7) = (TV.MultiplyAdd(w, x, a7), TV.MultiplyAdd(w, y, b7)); }
                if (n > 8) { w = TV.Broadcast(Unsafe.Add(ref sr, 8)); (a8, b8) = (TV.MultiplyAdd(w, x, a8), TV.MultiplyAdd(w, y, b8)); }
                if (n > 9) { w = TV.Broadcast(Unsafe.Add(ref sr, 9)); (a9, b9) = (TV.MultiplyAdd(w, x, a9), TV.MultiplyAdd(w, y, b9)); }
            }
            ref double cj = ref Unsafe.Add(ref c, j);
            AddTo(ref cj, a0, b0);
            if (n > 1) AddTo(ref Unsafe.Add(ref cj, ldc), a1, b1);
            if (n > 2) AddTo(ref Unsafe.Add(ref cj, 2 * ldc), a2, b2);
            if (n > 3) AddTo(ref Unsafe.Add(ref cj, 3 * ldc), a3, b3);
            if (n > 4) AddTo(ref Unsafe.Add(ref cj, 4 * ldc), a4, b4);
            if (n > 5) AddTo(ref Unsafe.Add(ref cj, 5 * ldc), a5, b5);
            if (n > 6) AddTo(ref Unsafe.Add(ref cj, 6 * ldc), a6, b6);
            if (n > 7) AddTo(ref Unsafe.Add(ref cj, 7 * ldc), a7, b7);
            if (n > 8) AddTo(ref Unsafe.Add(ref cj, 8 * ldc), a8, b8);
            if (n > 9) AddTo(ref Unsafe.Add(ref cj, 9 * ldc), a9, b9);
        }
        // The columns past the last whole step: the same fused multiply-adds per lane, so the same bits.
        for (int j = vectorEnd; j < endColumn; j++)
            for (int t = 0; t < n; t++)
            {
                double sum = 0;
                for (int r = 0; r < rows; r++) sum = Math.FusedMultiplyAdd(Unsafe.Add(ref s, r * lds + t), Unsafe.Add(ref d, r * ldd + j), sum);
                Unsafe.Add(ref c, t * ldc + j) += sum;
            }

        static void AddTo(ref double destination, TV first, TV second)
        {
            TV.Store(TV.Add(TV.Load(ref destination), first), ref destination);
            ref double next = ref Unsafe.Add(ref destination, TV.Count);
            TV.Store(TV.Add(TV.Load(ref next), second), ref next);
        }
    }

    /// <summary>
    /// Four rows from <paramref name="row"/> (the first <paramref name="valid"/> of them stored) against up to five rows
    /// of Q: one accumulator per row and term, summed across lanes at the end, the columns past the last whole step added
    /// one at a time. A row's result does not depend on the rows beside it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots<TV, TTerms>(ref double d, nint ldd, int row, int valid, int cols, ref double q, nint ldq,
        ref double c, nint rowStride, nint termStride, bool prefetch) where TV : struct, IVector<TV> where TTerms : struct, ITermCount
    {
        int n = TTerms.Value, width = TV.Count, vectorEnd = cols / width * width;
        ref double x0 = ref Unsafe.Add(ref d, row * ldd);
        ref double x1 = ref Unsafe.Add(ref d, (row + Math.Min(1, valid - 1)) * ldd);
        ref double x2 = ref Unsafe.Add(ref d, (row + Math.Min(2, valid - 1)) * ldd);
        ref double x3 = ref Unsafe.Add(ref d, (row + Math.Min(3, valid - 1)) * ldd);
        TV a0 = TV.Zero, a1 = TV.Zero, a2 = TV.Zero, a3 = TV.Zero, a4 = TV.Zero;
        TV b0 = TV.Zero, b1 = TV.Zero, b2 = TV.Zero, b3 = TV.Zero, b4 = TV.Zero;
        TV e0 = TV.Zero, e1 = TV.Zero, e2 = TV.Zero, e3 = TV.Zero, e4 = TV.Zero;
        TV f0 = TV.Zero, f1 = TV.Zero, f2 = TV.Zero, f3 = TV.Zero, f4 = TV.Zero;
        for (int j = 0; j < vectorEnd; j += width)
        {
            if (prefetch)
            {
                Prefetch(ref Unsafe.Add(ref x0, j));
                Prefetch(ref Unsafe.Add(ref x1, j));
                Prefetch(ref Unsafe.Add(ref x2, j));
                Prefetch(ref Unsafe.Add(ref x3, j));
            }
            TV u0 = TV.Load(ref Unsafe.Add(ref x0, j)), u1 = TV.Load(ref Unsafe.Add(ref x1, j));
            TV u2 = TV.Load(ref Unsafe.Add(ref x2, j)), u3 = TV.Load(ref Unsafe.Add(ref x3, j));
            ref double qj = ref Unsafe.Add(ref q, j);
            TV w = TV.Load(ref qj);
            (a0, b0, e0, f0) = (TV.MultiplyAdd(w, u0, a0), TV.MultiplyAdd(w, u1, b0), TV.MultiplyAdd(w, u2, e0), TV.MultiplyAdd(w, u3, f0));
            if (n > 1)
            {
                w = TV.Load(ref Unsafe.Add(ref qj, ldq));
                (a1, b1, e1, f1) = (TV.MultiplyAdd(w, u0, a1), TV.MultiplyAdd(w, u1, b1), TV.MultiplyAdd(w, u2, e1), TV.MultiplyAdd(w, u3, f1));
            }
            if (n > 2)
            {
                w = TV.Load(ref Unsafe.Add(ref qj, 2 * ldq));
                (a2, b2, e2, f2) = (TV.MultiplyAdd(w, u0, a2), TV.MultiplyAdd(w, u1, b2), TV.MultiplyAdd(w, u2, e2), TV.MultiplyAdd(w, u3, f2));
            }
            if (n > 3)
            {
                w = TV.Load(ref Unsafe.Add(ref qj, 3 * ldq));
                (a3, b3, e3, f3) = (TV.MultiplyAdd(w, u0, a3), TV.MultiplyAdd(w, u1, b3), TV.MultiplyAdd(w, u2, e3), TV.MultiplyAdd(w, u3, f3));
            }
            if (n > 4)
            {
                w = TV.Load(ref Unsafe.Add(ref qj, 4 * ldq));
                (a4, b4, e4, f4) = (TV.MultiplyAdd(w, u0, a4), TV.MultiplyAdd(w, u1, b4), TV.MultiplyAdd(w, u2, e4), TV.MultiplyAdd(w, u3, f4));
            }
        }
        // Across the lanes before any call, so no accumulator lives across one (the JIT would keep them all in memory).
        Span<double> sums = stackalloc double[4 * 5];
        (sums[0], sums[1], sums[2], sums[3]) = (TV.Sum(a0), TV.Sum(b0), TV.Sum(e0), TV.Sum(f0));
        if (n > 1) (sums[4], sums[5], sums[6], sums[7]) = (TV.Sum(a1), TV.Sum(b1), TV.Sum(e1), TV.Sum(f1));
        if (n > 2) (sums[8], sums[9], sums[10], sums[11]) = (TV.Sum(a2), TV.Sum(b2), TV.Sum(e2), TV.Sum(f2));
        if (n > 3) (sums[12], sums[13], sums[14], sums[15]) = (TV.Sum(a3), TV.Sum(b3), TV.Sum(e3), TV.Sum(f3));
        if (n > 4) (sums[16], sums[17], sums[18], sums[19]) = (TV.Sum(a4), TV.Sum(b4), TV.Sum(e4), TV.Sum(f4));
        // Then per row and term the columns past the last whole step, in order, and the store for the valid rows.
        for (int t = 0; t < n; t++)
        {
            ref double qt = ref Unsafe.Add(ref q, t * ldq);
            for (int i = 0; i < valid; i++)
            {
                double sum = sums[4 * t + i];
                ref double x = ref Unsafe.Add(ref d, (row + i) * ldd);
                for (int j = vectorEnd; j < cols; j++) sum = Math.FusedMultiplyAdd(Unsafe.Add(ref x, j), Unsafe.Add(ref qt, j), sum);
                Unsafe.Add(ref c, t * termStride + (row + i) * rowStride) = sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(ref double at)
    {
        if (Sse.IsSupported) Sse.Prefetch0((double*)Unsafe.AsPointer(ref at) + PrefetchDistance);
    }

    /// <summary>One vector width as the kernels see it; the structs wrap one register and inline away.</summary>
    private interface IVector<TSelf> where TSelf : struct, IVector<TSelf>
    {
        static abstract int Count { get; }
        static abstract TSelf Zero { get; }
        static abstract TSelf Load(ref double source);
        static abstract void Store(TSelf value, ref double destination);
        static abstract TSelf Broadcast(double value);
        /// <summary>a·b + c with one rounding.</summary>
        static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);
        static abstract TSelf Add(TSelf a, TSelf b);
        static abstract double Sum(TSelf a);
    }

    private readonly struct V512(Vector512<double> v) : IVector<V512>
    {
        private readonly Vector512<double> _v = v;
        public static int Count => Vector512<double>.Count;
        public static V512 Zero => default;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Load(ref double source) => new(Vector512.LoadUnsafe(ref source));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V512 value, ref double destination) => value._v.StoreUnsafe(ref destination);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Broadcast(double value) => new(Vector512.Create(value));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 MultiplyAdd(V512 a, V512 b, V512 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Add(V512 a, V512 b) => new(a._v + b._v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(V512 a) => Vector512.Sum(a._v);
    }

    private readonly struct V256(Vector256<double> v) : IVector<V256>
    {
        private readonly Vector256<double> _v = v;
        public static int Count => Vector256<double>.Count;
        public static V256 Zero => default;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Load(ref double source) => new(Vector256.LoadUnsafe(ref source));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V256 value, ref double destination) => value._v.StoreUnsafe(ref destination);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Broadcast(double value) => new(Vector256.Create(value));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 MultiplyAdd(V256 a, V256 b, V256 c) => new(Vector256.FusedMultiplyAdd(a._v, b._v, c._v));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Add(V256 a, V256 b) => new(a._v + b._v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(V256 a) => Vector256.Sum(a._v);
    }

    /// <summary>A number of terms known to the JIT, so the unused accumulators of a kernel compile away.</summary>
    private interface ITermCount
    {
        static abstract int Value { get; }
    }

    private struct Terms1 : ITermCount { public static int Value => 1; }
    private struct Terms2 : ITermCount { public static int Value => 2; }
    private struct Terms3 : ITermCount { public static int Value => 3; }
    private struct Terms4 : ITermCount { public static int Value => 4; }
    private struct Terms5 : ITermCount { public static int Value => 5; }
    private struct Terms6 : ITermCount { public static int Value => 6; }
    private struct Terms7 : ITermCount { public static int Value => 7; }
    private struct Terms8 : ITermCount { public static int Value => 8; }
    private struct Terms9 : ITermCount { public static int Value => 9; }
    private struct Terms10 : ITermCount { public static int Value => 10; }
}
