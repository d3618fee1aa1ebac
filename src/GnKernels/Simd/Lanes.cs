using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GnKernels.Simd;

// The widths. Each vector width holds 2 vectors (Lanes512x4, the forward's: 4; Lanes256x1 without AVX-512: 1) and
// issues every operation for all of them back to back: the SiLU chain (exp polynomial, quotient, correction) is
// latency-bound with one vector in flight, and independent twins interleaved in program order fill the out-of-order
// window (without AVX-512, the drivers' three-stage loops over consecutive one-vector steps do that instead). The structs
// call the runtime's vector intrinsics directly, never each other, so a kernel costs the JIT one inlinee per
// operation (its inline budget is tight).
// Pow2FromShifted moves the integer k from the mantissa into the exponent field: (bits(k + shifter) + bias) << mantissaBits;
// Vector512 with AVX-512 instead looks up 2^(j/16) (Pow2Table) and adds ⌊k/16⌋ to its exponent, and one Vector256 per
// step with AVX2 (Lanes256x1) 2^(j/8), within the reach of AVX2's one-register permute.

internal readonly struct Lanes512<T>(Vector512<T> a, Vector512<T> b) : ILanes<Lanes512<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector512<T> _a = a, _b = b;
    public static int Count => 2 * Vector512<T>.Count;
    public static int VectorLength => Vector512<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Lanes512<T> Splat(Vector512<T> v) => new(v, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Load(ref T s, nuint i) => new(Vector512.LoadUnsafe(ref s, i), Vector512.LoadUnsafe(ref s, i + 1 * (nuint)Vector512<T>.Count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes512<T> v, ref T d, nuint i)
    {
        v._a.StoreUnsafe(ref d, i + 0 * (nuint)Vector512<T>.Count);
        v._b.StoreUnsafe(ref d, i + 1 * (nuint)Vector512<T>.Count);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void StoreNonTemporal(Lanes512<T> v, T* d, nuint i)
    {
        Vector512.StoreAlignedNonTemporal(v._a, d + i);
        Vector512.StoreAlignedNonTemporal(v._b, d + i + (nuint)Vector512<T>.Count);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Constant(double x) => Splat(typeof(T) == typeof(double) ? Vector512.Create(x).As<double, T>() : Vector512.Create((float)x).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Add(Lanes512<T> a, Lanes512<T> b) => new(a._a + b._a, a._b + b._b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Subtract(Lanes512<T> a, Lanes512<T> b) => new(a._a - b._a, a._b - b._b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Multiply(Lanes512<T> a, Lanes512<T> b) => new(a._a * b._a, a._b * b._b);
    public static bool ReciprocalIsEstimate => Avx512F.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> ReciprocalEstimate(Lanes512<T> a) => !Avx512F.IsSupported
        ? new(Vector512<T>.One / a._a, Vector512<T>.One / a._b)
        : typeof(T) == typeof(double)
        ? new(Avx512F.Reciprocal14(a._a.AsDouble()).As<double, T>(), Avx512F.Reciprocal14(a._b.AsDouble()).As<double, T>())
        : new(Avx512F.Reciprocal14(a._a.AsSingle()).As<float, T>(), Avx512F.Reciprocal14(a._b.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Divide(Lanes512<T> a, Lanes512<T> b) => new(a._a / b._a, a._b / b._b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> MultiplyAdd(Lanes512<T> a, Lanes512<T> b, Lanes512<T> c) => typeof(T) == typeof(double)
        ? new(Vector512.MultiplyAddEstimate(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()).As<double, T>(), Vector512.MultiplyAddEstimate(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()).As<double, T>())
        : new(Vector512.MultiplyAddEstimate(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()).As<float, T>(), Vector512.MultiplyAddEstimate(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> FusedMultiplyAdd(Lanes512<T> a, Lanes512<T> b, Lanes512<T> c) => typeof(T) == typeof(double)
        ? new(Vector512.FusedMultiplyAdd(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()).As<double, T>(), Vector512.FusedMultiplyAdd(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()).As<double, T>())
        : new(Vector512.FusedMultiplyAdd(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()).As<float, T>(), Vector512.FusedMultiplyAdd(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()).As<float, T>());
    // The intrinsic, not FusedMultiplyAdd(-a, b, c): through these structs the JIT does not fold the negation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> NegatedMultiplyAdd(Lanes512<T> a, Lanes512<T> b, Lanes512<T> c) => typeof(T) == typeof(double)
        ? new((Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()) : Vector512.FusedMultiplyAdd(-a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble())).As<double, T>(),
              (Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()) : Vector512.FusedMultiplyAdd(-a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble())).As<double, T>())
        : new((Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()) : Vector512.FusedMultiplyAdd(-a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle())).As<float, T>(),
              (Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()) : Vector512.FusedMultiplyAdd(-a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle())).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> NegativeAbs(Lanes512<T> a) => new(a._a | Vector512.Create(-T.Zero), a._b | Vector512.Create(-T.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> XorSign(Lanes512<T> a, Lanes512<T> s) => new(a._a ^ (s._a & Vector512.Create(-T.Zero)), a._b ^ (s._b & Vector512.Create(-T.Zero)));
    public static bool SignStepIsInteger => Avx512F.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> OneWhereSignClear(Lanes512<T> x) => typeof(T) == typeof(double)
        ? new(Vector512.AndNot(Vector512.Create(1.0), Vector512.ShiftRightArithmetic(x._a.AsInt64(), 63).AsDouble()).As<double, T>(), Vector512.AndNot(Vector512.Create(1.0), Vector512.ShiftRightArithmetic(x._b.AsInt64(), 63).AsDouble()).As<double, T>())
        : new(Vector512.AndNot(Vector512.Create(1.0f), Vector512.ShiftRightArithmetic(x._a.AsInt32(), 31).AsSingle()).As<float, T>(), Vector512.AndNot(Vector512.Create(1.0f), Vector512.ShiftRightArithmetic(x._b.AsInt32(), 31).AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> MinNative(Lanes512<T> a, Lanes512<T> b) => new(Vector512.MinNative(a._a, b._a), Vector512.MinNative(a._b, b._b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> MaxNative(Lanes512<T> a, Lanes512<T> b) => new(Vector512.MaxNative(a._a, b._a), Vector512.MaxNative(a._b, b._b));
    // The table needs AVX-512's permutes; Vector512 without them (tests force the path anywhere) runs 2^k alone.
    public static int ExpTableBits => Avx512F.IsSupported ? 4 : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Pow2FromShifted(Lanes512<T> s, out Lanes512<T> tableError)
    {
        if (!Avx512F.IsSupported)
        {
            tableError = default;
            return typeof(T) == typeof(double)
                ? new(((s._a.AsInt64() + Vector512.Create(1023L)) << 52).As<long, T>(), ((s._b.AsInt64() + Vector512.Create(1023L)) << 52).As<long, T>())
                : new(((s._a.AsInt32() + Vector512.Create(127)) << 23).As<int, T>(), ((s._b.AsInt32() + Vector512.Create(127)) << 23).As<int, T>());
        }
        if (typeof(T) == typeof(double))
        {
            Vector512<long> a = s._a.AsInt64(), b = s._b.AsInt64();
            tableError = new(Avx512F.PermuteVar8x64x2(Pow2Table.ErrorLow, a, Pow2Table.ErrorHigh).As<double, T>(), Avx512F.PermuteVar8x64x2(Pow2Table.ErrorLow, b, Pow2Table.ErrorHigh).As<double, T>());
            return new((Avx512F.PermuteVar8x64x2(Pow2Table.BitsLow, a, Pow2Table.BitsHigh) + (a << 48)).As<long, T>(),
                (Avx512F.PermuteVar8x64x2(Pow2Table.BitsLow, b, Pow2Table.BitsHigh) + (b << 48)).As<long, T>());
        }
        Vector512<int> af = s._a.AsInt32(), bf = s._b.AsInt32();
        tableError = new(Avx512F.PermuteVar16x32(Pow2Table.ErrorSingle, af).As<float, T>(), Avx512F.PermuteVar16x32(Pow2Table.ErrorSingle, bf).As<float, T>());
        return new((Avx512F.PermuteVar16x32(Pow2Table.BitsSingle, af) + (af << 19)).As<int, T>(), (Avx512F.PermuteVar16x32(Pow2Table.BitsSingle, bf) + (bf << 19)).As<int, T>());
    }
}

/// <summary>
/// <see cref="Lanes512{T}"/> with four vectors per step, for the forward SiLU: its chain is short enough that four
/// independent vectors fit AVX-512's 32 registers when the loop keeps nothing else in them (its held input is reloaded
/// and head and tail wait in memory, see <see cref="ElementwiseDriver"/>), and they fill the FMA pipes the latency
/// leaves idle. The kernels that compute the derivative spill already with three vectors, so they keep two.
/// </summary>
internal readonly struct Lanes512x4<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c, Vector512<T> d) : ILanes<Lanes512x4<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector512<T> _a = a, _b = b, _c = c, _d = d;
    public static int Count => 4 * Vector512<T>.Count;
    public static int VectorLength => Vector512<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Lanes512x4<T> Splat(Vector512<T> v) => new(v, v, v, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> Load(ref T s, nuint i) => new(Vector512.LoadUnsafe(ref s, i), Vector512.LoadUnsafe(ref s, i + 1 * (nuint)Vector512<T>.Count), Vector512.LoadUnsafe(ref s, i + 2 * (nuint)Vector512<T>.Count), Vector512.LoadUnsafe(ref s, i + 3 * (nuint)Vector512<T>.Count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes512x4<T> v, ref T d, nuint i)
    {
        v._a.StoreUnsafe(ref d, i + 0 * (nuint)Vector512<T>.Count);
        v._b.StoreUnsafe(ref d, i + 1 * (nuint)Vector512<T>.Count);
        v._c.StoreUnsafe(ref d, i + 2 * (nuint)Vector512<T>.Count);
        v._d.StoreUnsafe(ref d, i + 3 * (nuint)Vector512<T>.Count);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void StoreNonTemporal(Lanes512x4<T> v, T* d, nuint i)
    {
        Vector512.StoreAlignedNonTemporal(v._a, d + i);
        Vector512.StoreAlignedNonTemporal(v._b, d + i + (nuint)Vector512<T>.Count);
        Vector512.StoreAlignedNonTemporal(v._c, d + i + 2 * (nuint)Vector512<T>.Count);
        Vector512.StoreAlignedNonTemporal(v._d, d + i + 3 * (nuint)Vector512<T>.Count);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> Constant(double x) => Splat(typeof(T) == typeof(double) ? Vector512.Create(x).As<double, T>() : Vector512.Create((float)x).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> Add(Lanes512x4<T> a, Lanes512x4<T> b) => new(a._a + b._a, a._b + b._b, a._c + b._c, a._d + b._d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> Subtract(Lanes512x4<T> a, Lanes512x4<T> b) => new(a._a - b._a, a._b - b._b, a._c - b._c, a._d - b._d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> Multiply(Lanes512x4<T> a, Lanes512x4<T> b) => new(a._a * b._a, a._b * b._b, a._c * b._c, a._d * b._d);
    public static bool ReciprocalIsEstimate => Avx512F.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> ReciprocalEstimate(Lanes512x4<T> a) => !Avx512F.IsSupported
        ? new(Vector512<T>.One / a._a, Vector512<T>.One / a._b, Vector512<T>.One / a._c, Vector512<T>.One / a._d)
        : typeof(T) == typeof(double)
        ? new(Avx512F.Reciprocal14(a._a.AsDouble()).As<double, T>(), Avx512F.Reciprocal14(a._b.AsDouble()).As<double, T>(), Avx512F.Reciprocal14(a._c.AsDouble()).As<double, T>(), Avx512F.Reciprocal14(a._d.AsDouble()).As<double, T>())
        : new(Avx512F.Reciprocal14(a._a.AsSingle()).As<float, T>(), Avx512F.Reciprocal14(a._b.AsSingle()).As<float, T>(), Avx512F.Reciprocal14(a._c.AsSingle()).As<float, T>(), Avx512F.Reciprocal14(a._d.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> Divide(Lanes512x4<T> a, Lanes512x4<T> b) => new(a._a / b._a, a._b / b._b, a._c / b._c, a._d / b._d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> MultiplyAdd(Lanes512x4<T> a, Lanes512x4<T> b, Lanes512x4<T> c) => typeof(T) == typeof(double)
        ? new(Vector512.MultiplyAddEstimate(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()).As<double, T>(), Vector512.MultiplyAddEstimate(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()).As<double, T>(), Vector512.MultiplyAddEstimate(a._c.AsDouble(), b._c.AsDouble(), c._c.AsDouble()).As<double, T>(), Vector512.MultiplyAddEstimate(a._d.AsDouble(), b._d.AsDouble(), c._d.AsDouble()).As<double, T>())
        : new(Vector512.MultiplyAddEstimate(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()).As<float, T>(), Vector512.MultiplyAddEstimate(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()).As<float, T>(), Vector512.MultiplyAddEstimate(a._c.AsSingle(), b._c.AsSingle(), c._c.AsSingle()).As<float, T>(), Vector512.MultiplyAddEstimate(a._d.AsSingle(), b._d.AsSingle(), c._d.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> FusedMultiplyAdd(Lanes512x4<T> a, Lanes512x4<T> b, Lanes512x4<T> c) => typeof(T) == typeof(double)
        ? new(Vector512.FusedMultiplyAdd(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()).As<double, T>(), Vector512.FusedMultiplyAdd(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()).As<double, T>(), Vector512.FusedMultiplyAdd(a._c.AsDouble(), b._c.AsDouble(), c._c.AsDouble()).As<double, T>(), Vector512.FusedMultiplyAdd(a._d.AsDouble(), b._d.AsDouble(), c._d.AsDouble()).As<double, T>())
        : new(Vector512.FusedMultiplyAdd(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()).As<float, T>(), Vector512.FusedMultiplyAdd(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()).As<float, T>(), Vector512.FusedMultiplyAdd(a._c.AsSingle(), b._c.AsSingle(), c._c.AsSingle()).As<float, T>(), Vector512.FusedMultiplyAdd(a._d.AsSingle(), b._d.AsSingle(), c._d.AsSingle()).As<float, T>());
    // The intrinsic, not FusedMultiplyAdd(-a, b, c): through these structs the JIT does not fold the negation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> NegatedMultiplyAdd(Lanes512x4<T> a, Lanes512x4<T> b, Lanes512x4<T> c) => typeof(T) == typeof(double)
        ? new((Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()) : Vector512.FusedMultiplyAdd(-a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble())).As<double, T>(),
              (Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()) : Vector512.FusedMultiplyAdd(-a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble())).As<double, T>(), (Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._c.AsDouble(), b._c.AsDouble(), c._c.AsDouble()) : Vector512.FusedMultiplyAdd(-a._c.AsDouble(), b._c.AsDouble(), c._c.AsDouble())).As<double, T>(), (Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._d.AsDouble(), b._d.AsDouble(), c._d.AsDouble()) : Vector512.FusedMultiplyAdd(-a._d.AsDouble(), b._d.AsDouble(), c._d.AsDouble())).As<double, T>())
        : new((Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()) : Vector512.FusedMultiplyAdd(-a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle())).As<float, T>(),
              (Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()) : Vector512.FusedMultiplyAdd(-a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle())).As<float, T>(), (Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._c.AsSingle(), b._c.AsSingle(), c._c.AsSingle()) : Vector512.FusedMultiplyAdd(-a._c.AsSingle(), b._c.AsSingle(), c._c.AsSingle())).As<float, T>(), (Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a._d.AsSingle(), b._d.AsSingle(), c._d.AsSingle()) : Vector512.FusedMultiplyAdd(-a._d.AsSingle(), b._d.AsSingle(), c._d.AsSingle())).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> NegativeAbs(Lanes512x4<T> a) => new(a._a | Vector512.Create(-T.Zero), a._b | Vector512.Create(-T.Zero), a._c | Vector512.Create(-T.Zero), a._d | Vector512.Create(-T.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> XorSign(Lanes512x4<T> a, Lanes512x4<T> s) => new(a._a ^ (s._a & Vector512.Create(-T.Zero)), a._b ^ (s._b & Vector512.Create(-T.Zero)), a._c ^ (s._c & Vector512.Create(-T.Zero)), a._d ^ (s._d & Vector512.Create(-T.Zero)));
    public static bool SignStepIsInteger => Avx512F.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> OneWhereSignClear(Lanes512x4<T> x) => typeof(T) == typeof(double)
        ? new(Vector512.AndNot(Vector512.Create(1.0), Vector512.ShiftRightArithmetic(x._a.AsInt64(), 63).AsDouble()).As<double, T>(), Vector512.AndNot(Vector512.Create(1.0), Vector512.ShiftRightArithmetic(x._b.AsInt64(), 63).AsDouble()).As<double, T>(), Vector512.AndNot(Vector512.Create(1.0), Vector512.ShiftRightArithmetic(x._c.AsInt64(), 63).AsDouble()).As<double, T>(), Vector512.AndNot(Vector512.Create(1.0), Vector512.ShiftRightArithmetic(x._d.AsInt64(), 63).AsDouble()).As<double, T>())
        : new(Vector512.AndNot(Vector512.Create(1.0f), Vector512.ShiftRightArithmetic(x._a.AsInt32(), 31).AsSingle()).As<float, T>(), Vector512.AndNot(Vector512.Create(1.0f), Vector512.ShiftRightArithmetic(x._b.AsInt32(), 31).AsSingle()).As<float, T>(), Vector512.AndNot(Vector512.Create(1.0f), Vector512.ShiftRightArithmetic(x._c.AsInt32(), 31).AsSingle()).As<float, T>(), Vector512.AndNot(Vector512.Create(1.0f), Vector512.ShiftRightArithmetic(x._d.AsInt32(), 31).AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> MinNative(Lanes512x4<T> a, Lanes512x4<T> b) => new(Vector512.MinNative(a._a, b._a), Vector512.MinNative(a._b, b._b), Vector512.MinNative(a._c, b._c), Vector512.MinNative(a._d, b._d));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> MaxNative(Lanes512x4<T> a, Lanes512x4<T> b) => new(Vector512.MaxNative(a._a, b._a), Vector512.MaxNative(a._b, b._b), Vector512.MaxNative(a._c, b._c), Vector512.MaxNative(a._d, b._d));
    // The table needs AVX-512's permutes; Vector512 without them (tests force the path anywhere) runs 2^k alone.
    public static int ExpTableBits => Avx512F.IsSupported ? 4 : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512x4<T> Pow2FromShifted(Lanes512x4<T> s, out Lanes512x4<T> tableError)
    {
        if (!Avx512F.IsSupported)
        {
            tableError = default;
            return typeof(T) == typeof(double)
                ? new(((s._a.AsInt64() + Vector512.Create(1023L)) << 52).As<long, T>(), ((s._b.AsInt64() + Vector512.Create(1023L)) << 52).As<long, T>(), ((s._c.AsInt64() + Vector512.Create(1023L)) << 52).As<long, T>(), ((s._d.AsInt64() + Vector512.Create(1023L)) << 52).As<long, T>())
                : new(((s._a.AsInt32() + Vector512.Create(127)) << 23).As<int, T>(), ((s._b.AsInt32() + Vector512.Create(127)) << 23).As<int, T>(), ((s._c.AsInt32() + Vector512.Create(127)) << 23).As<int, T>(), ((s._d.AsInt32() + Vector512.Create(127)) << 23).As<int, T>());
        }
        if (typeof(T) == typeof(double))
        {
            Vector512<long> a = s._a.AsInt64(), b = s._b.AsInt64(), c = s._c.AsInt64(), e = s._d.AsInt64();
            tableError = new(Avx512F.PermuteVar8x64x2(Pow2Table.ErrorLow, a, Pow2Table.ErrorHigh).As<double, T>(), Avx512F.PermuteVar8x64x2(Pow2Table.ErrorLow, b, Pow2Table.ErrorHigh).As<double, T>(), Avx512F.PermuteVar8x64x2(Pow2Table.ErrorLow, c, Pow2Table.ErrorHigh).As<double, T>(), Avx512F.PermuteVar8x64x2(Pow2Table.ErrorLow, e, Pow2Table.ErrorHigh).As<double, T>());
            return new((Avx512F.PermuteVar8x64x2(Pow2Table.BitsLow, a, Pow2Table.BitsHigh) + (a << 48)).As<long, T>(),
                (Avx512F.PermuteVar8x64x2(Pow2Table.BitsLow, b, Pow2Table.BitsHigh) + (b << 48)).As<long, T>(), (Avx512F.PermuteVar8x64x2(Pow2Table.BitsLow, c, Pow2Table.BitsHigh) + (c << 48)).As<long, T>(), (Avx512F.PermuteVar8x64x2(Pow2Table.BitsLow, e, Pow2Table.BitsHigh) + (e << 48)).As<long, T>());
        }
        Vector512<int> af = s._a.AsInt32(), bf = s._b.AsInt32(), cf = s._c.AsInt32(), df = s._d.AsInt32();
        tableError = new(Avx512F.PermuteVar16x32(Pow2Table.ErrorSingle, af).As<float, T>(), Avx512F.PermuteVar16x32(Pow2Table.ErrorSingle, bf).As<float, T>(), Avx512F.PermuteVar16x32(Pow2Table.ErrorSingle, cf).As<float, T>(), Avx512F.PermuteVar16x32(Pow2Table.ErrorSingle, df).As<float, T>());
        return new((Avx512F.PermuteVar16x32(Pow2Table.BitsSingle, af) + (af << 19)).As<int, T>(), (Avx512F.PermuteVar16x32(Pow2Table.BitsSingle, bf) + (bf << 19)).As<int, T>(), (Avx512F.PermuteVar16x32(Pow2Table.BitsSingle, cf) + (cf << 19)).As<int, T>(), (Avx512F.PermuteVar16x32(Pow2Table.BitsSingle, df) + (df << 19)).As<int, T>());
    }
}

internal readonly struct Lanes256<T>(Vector256<T> a, Vector256<T> b) : ILanes<Lanes256<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector256<T> _a = a, _b = b;
    public static int Count => 2 * Vector256<T>.Count;
    public static int VectorLength => Vector256<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Lanes256<T> Splat(Vector256<T> v) => new(v, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Load(ref T s, nuint i) => new(Vector256.LoadUnsafe(ref s, i), Vector256.LoadUnsafe(ref s, i + 1 * (nuint)Vector256<T>.Count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes256<T> v, ref T d, nuint i)
    {
        v._a.StoreUnsafe(ref d, i + 0 * (nuint)Vector256<T>.Count);
        v._b.StoreUnsafe(ref d, i + 1 * (nuint)Vector256<T>.Count);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void StoreNonTemporal(Lanes256<T> v, T* d, nuint i)
    {
        Vector256.StoreAlignedNonTemporal(v._a, d + i);
        Vector256.StoreAlignedNonTemporal(v._b, d + i + (nuint)Vector256<T>.Count);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Constant(double x) => Splat(typeof(T) == typeof(double) ? Vector256.Create(x).As<double, T>() : Vector256.Create((float)x).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Add(Lanes256<T> a, Lanes256<T> b) => new(a._a + b._a, a._b + b._b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Subtract(Lanes256<T> a, Lanes256<T> b) => new(a._a - b._a, a._b - b._b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Multiply(Lanes256<T> a, Lanes256<T> b) => new(a._a * b._a, a._b * b._b);
    public static bool ReciprocalIsEstimate => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> ReciprocalEstimate(Lanes256<T> a) => new(Vector256<T>.One / a._a, Vector256<T>.One / a._b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Divide(Lanes256<T> a, Lanes256<T> b) => new(a._a / b._a, a._b / b._b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> MultiplyAdd(Lanes256<T> a, Lanes256<T> b, Lanes256<T> c) => typeof(T) == typeof(double)
        ? new(Vector256.MultiplyAddEstimate(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()).As<double, T>(), Vector256.MultiplyAddEstimate(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()).As<double, T>())
        : new(Vector256.MultiplyAddEstimate(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()).As<float, T>(), Vector256.MultiplyAddEstimate(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> FusedMultiplyAdd(Lanes256<T> a, Lanes256<T> b, Lanes256<T> c) => typeof(T) == typeof(double)
        ? new(Vector256.FusedMultiplyAdd(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()).As<double, T>(), Vector256.FusedMultiplyAdd(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()).As<double, T>())
        : new(Vector256.FusedMultiplyAdd(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()).As<float, T>(), Vector256.FusedMultiplyAdd(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()).As<float, T>());
    // The intrinsic, not FusedMultiplyAdd(-a, b, c): through these structs the JIT does not fold the negation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> NegatedMultiplyAdd(Lanes256<T> a, Lanes256<T> b, Lanes256<T> c) => typeof(T) == typeof(double)
        ? new((Fma.IsSupported ? Fma.MultiplyAddNegated(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()) : Vector256.FusedMultiplyAdd(-a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble())).As<double, T>(),
              (Fma.IsSupported ? Fma.MultiplyAddNegated(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()) : Vector256.FusedMultiplyAdd(-a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble())).As<double, T>())
        : new((Fma.IsSupported ? Fma.MultiplyAddNegated(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()) : Vector256.FusedMultiplyAdd(-a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle())).As<float, T>(),
              (Fma.IsSupported ? Fma.MultiplyAddNegated(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()) : Vector256.FusedMultiplyAdd(-a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle())).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> NegativeAbs(Lanes256<T> a) => new(a._a | Vector256.Create(-T.Zero), a._b | Vector256.Create(-T.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> XorSign(Lanes256<T> a, Lanes256<T> s) => new(a._a ^ (s._a & Vector256.Create(-T.Zero)), a._b ^ (s._b & Vector256.Create(-T.Zero)));
    public static bool SignStepIsInteger => Avx512F.VL.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> OneWhereSignClear(Lanes256<T> x) => typeof(T) == typeof(double)
        ? new(Vector256.AndNot(Vector256.Create(1.0), Vector256.ShiftRightArithmetic(x._a.AsInt64(), 63).AsDouble()).As<double, T>(), Vector256.AndNot(Vector256.Create(1.0), Vector256.ShiftRightArithmetic(x._b.AsInt64(), 63).AsDouble()).As<double, T>())
        : new(Vector256.AndNot(Vector256.Create(1.0f), Vector256.ShiftRightArithmetic(x._a.AsInt32(), 31).AsSingle()).As<float, T>(), Vector256.AndNot(Vector256.Create(1.0f), Vector256.ShiftRightArithmetic(x._b.AsInt32(), 31).AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> MinNative(Lanes256<T> a, Lanes256<T> b) => new(Vector256.MinNative(a._a, b._a), Vector256.MinNative(a._b, b._b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> MaxNative(Lanes256<T> a, Lanes256<T> b) => new(Vector256.MaxNative(a._a, b._a), Vector256.MaxNative(a._b, b._b));
    public static int ExpTableBits => 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Pow2FromShifted(Lanes256<T> s, out Lanes256<T> tableError)
    {
        tableError = default;
        return typeof(T) == typeof(double)
            ? new(((s._a.AsInt64() + Vector256.Create(1023L)) << 52).As<long, T>(), ((s._b.AsInt64() + Vector256.Create(1023L)) << 52).As<long, T>())
            : new(((s._a.AsInt32() + Vector256.Create(127)) << 23).As<int, T>(), ((s._b.AsInt32() + Vector256.Create(127)) << 23).As<int, T>());
    }
}

/// <summary>
/// One Vector256 per step, for x86 without AVX-512. With 16 vector registers the two-vector step's chains spilled (36
/// stack accesses per step in the forward, 54 in the fused kernel), and the 32-byte spill slots, on a stack aligned to
/// 16 bytes only, straddle cache lines in some processes and not in others: the fused double kernel ran 2.1× slower in
/// about one process in eight. One vector's chain fits the registers with the exps of the next two steps under way
/// beside it (the drivers' three-stage loops): no spill.
/// </summary>
internal readonly struct Lanes256x1<T>(Vector256<T> a) : ILanes<Lanes256x1<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector256<T> _a = a;
    public static int Count => Vector256<T>.Count;
    public static int VectorLength => Vector256<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> Load(ref T s, nuint i) => new(Vector256.LoadUnsafe(ref s, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes256x1<T> v, ref T d, nuint i) => v._a.StoreUnsafe(ref d, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void StoreNonTemporal(Lanes256x1<T> v, T* d, nuint i) => Vector256.StoreAlignedNonTemporal(v._a, d + i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> Constant(double x) => new(typeof(T) == typeof(double) ? Vector256.Create(x).As<double, T>() : Vector256.Create((float)x).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> Add(Lanes256x1<T> a, Lanes256x1<T> b) => new(a._a + b._a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> Subtract(Lanes256x1<T> a, Lanes256x1<T> b) => new(a._a - b._a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> Multiply(Lanes256x1<T> a, Lanes256x1<T> b) => new(a._a * b._a);
    public static bool ReciprocalIsEstimate => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> ReciprocalEstimate(Lanes256x1<T> a) => new(Vector256<T>.One / a._a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> Divide(Lanes256x1<T> a, Lanes256x1<T> b) => new(a._a / b._a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> MultiplyAdd(Lanes256x1<T> a, Lanes256x1<T> b, Lanes256x1<T> c) => typeof(T) == typeof(double)
        ? new(Vector256.MultiplyAddEstimate(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()).As<double, T>())
        : new(Vector256.MultiplyAddEstimate(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> FusedMultiplyAdd(Lanes256x1<T> a, Lanes256x1<T> b, Lanes256x1<T> c) => typeof(T) == typeof(double)
        ? new(Vector256.FusedMultiplyAdd(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()).As<double, T>())
        : new(Vector256.FusedMultiplyAdd(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> NegatedMultiplyAdd(Lanes256x1<T> a, Lanes256x1<T> b, Lanes256x1<T> c) => typeof(T) == typeof(double)
        ? new((Fma.IsSupported ? Fma.MultiplyAddNegated(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()) : Vector256.FusedMultiplyAdd(-a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble())).As<double, T>())
        : new((Fma.IsSupported ? Fma.MultiplyAddNegated(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()) : Vector256.FusedMultiplyAdd(-a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle())).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> NegativeAbs(Lanes256x1<T> a) => new(a._a | Vector256.Create(-T.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> XorSign(Lanes256x1<T> a, Lanes256x1<T> s) => new(a._a ^ (s._a & Vector256.Create(-T.Zero)));
    public static bool SignStepIsInteger => Avx512F.VL.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> OneWhereSignClear(Lanes256x1<T> x) => typeof(T) == typeof(double)
        ? new(Vector256.AndNot(Vector256.Create(1.0), Vector256.ShiftRightArithmetic(x._a.AsInt64(), 63).AsDouble()).As<double, T>())
        : new(Vector256.AndNot(Vector256.Create(1.0f), Vector256.ShiftRightArithmetic(x._a.AsInt32(), 31).AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> MinNative(Lanes256x1<T> a, Lanes256x1<T> b) => new(Vector256.MinNative(a._a, b._a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> MaxNative(Lanes256x1<T> a, Lanes256x1<T> b) => new(Vector256.MaxNative(a._a, b._a));
    public static int ExpTableBits => Avx2.IsSupported ? 3 : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256x1<T> Pow2FromShifted(Lanes256x1<T> s, out Lanes256x1<T> tableError)
    {
        if (!Avx2.IsSupported)
        {
            tableError = default;
            return typeof(T) == typeof(double)
                ? new(((s._a.AsInt64() + Vector256.Create(1023L)) << 52).As<long, T>())
                : new(((s._a.AsInt32() + Vector256.Create(127)) << 23).As<int, T>());
        }
        if (typeof(T) == typeof(double))
        {
            // vpermd reads the low 3 bits of each 32-bit index: k's low half, repeated in both halves of its lane.
            Vector256<int> j = Avx2.Shuffle(s._a.AsInt32(), 0b10_10_00_00);
            Vector256<int> entry = Avx2.Blend(Avx2.PermuteVar8x32(Pow2Table.EighthsLowHalves, j), Avx2.PermuteVar8x32(Pow2Table.EighthsHighHalves, j), 0b1010_1010);
            tableError = new(Avx2.PermuteVar8x32(Pow2Table.EighthsErrorHighHalves, j).As<int, T>());
            return new((entry.AsInt64() + (s._a.AsInt64() << 49)).As<long, T>());
        }
        Vector256<int> k = s._a.AsInt32();
        tableError = new(Avx2.PermuteVar8x32(Pow2Table.EighthsSingleError, k).As<float, T>());
        return new((Avx2.PermuteVar8x32(Pow2Table.EighthsSingleBits, k) + (k << 20)).As<int, T>());
    }
}

internal readonly struct Lanes128<T>(Vector128<T> a, Vector128<T> b) : ILanes<Lanes128<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector128<T> _a = a, _b = b;
    public static int Count => 2 * Vector128<T>.Count;
    public static int VectorLength => Vector128<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Lanes128<T> Splat(Vector128<T> v) => new(v, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Load(ref T s, nuint i) => new(Vector128.LoadUnsafe(ref s, i), Vector128.LoadUnsafe(ref s, i + 1 * (nuint)Vector128<T>.Count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes128<T> v, ref T d, nuint i)
    {
        v._a.StoreUnsafe(ref d, i + 0 * (nuint)Vector128<T>.Count);
        v._b.StoreUnsafe(ref d, i + 1 * (nuint)Vector128<T>.Count);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void StoreNonTemporal(Lanes128<T> v, T* d, nuint i)
    {
        Vector128.StoreAlignedNonTemporal(v._a, d + i);
        Vector128.StoreAlignedNonTemporal(v._b, d + i + (nuint)Vector128<T>.Count);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Constant(double x) => Splat(typeof(T) == typeof(double) ? Vector128.Create(x).As<double, T>() : Vector128.Create((float)x).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Add(Lanes128<T> a, Lanes128<T> b) => new(a._a + b._a, a._b + b._b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Subtract(Lanes128<T> a, Lanes128<T> b) => new(a._a - b._a, a._b - b._b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Multiply(Lanes128<T> a, Lanes128<T> b) => new(a._a * b._a, a._b * b._b);
    public static bool ReciprocalIsEstimate => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> ReciprocalEstimate(Lanes128<T> a) => new(Vector128<T>.One / a._a, Vector128<T>.One / a._b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Divide(Lanes128<T> a, Lanes128<T> b) => new(a._a / b._a, a._b / b._b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> MultiplyAdd(Lanes128<T> a, Lanes128<T> b, Lanes128<T> c) => typeof(T) == typeof(double)
        ? new(Vector128.MultiplyAddEstimate(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()).As<double, T>(), Vector128.MultiplyAddEstimate(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()).As<double, T>())
        : new(Vector128.MultiplyAddEstimate(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()).As<float, T>(), Vector128.MultiplyAddEstimate(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> FusedMultiplyAdd(Lanes128<T> a, Lanes128<T> b, Lanes128<T> c) => typeof(T) == typeof(double)
        ? new(Vector128.FusedMultiplyAdd(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()).As<double, T>(), Vector128.FusedMultiplyAdd(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()).As<double, T>())
        : new(Vector128.FusedMultiplyAdd(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()).As<float, T>(), Vector128.FusedMultiplyAdd(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()).As<float, T>());
    // The intrinsic, not FusedMultiplyAdd(-a, b, c): through these structs the JIT does not fold the negation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> NegatedMultiplyAdd(Lanes128<T> a, Lanes128<T> b, Lanes128<T> c) => typeof(T) == typeof(double)
        ? new((Fma.IsSupported ? Fma.MultiplyAddNegated(a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble()) : Vector128.FusedMultiplyAdd(-a._a.AsDouble(), b._a.AsDouble(), c._a.AsDouble())).As<double, T>(),
              (Fma.IsSupported ? Fma.MultiplyAddNegated(a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble()) : Vector128.FusedMultiplyAdd(-a._b.AsDouble(), b._b.AsDouble(), c._b.AsDouble())).As<double, T>())
        : new((Fma.IsSupported ? Fma.MultiplyAddNegated(a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle()) : Vector128.FusedMultiplyAdd(-a._a.AsSingle(), b._a.AsSingle(), c._a.AsSingle())).As<float, T>(),
              (Fma.IsSupported ? Fma.MultiplyAddNegated(a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle()) : Vector128.FusedMultiplyAdd(-a._b.AsSingle(), b._b.AsSingle(), c._b.AsSingle())).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> NegativeAbs(Lanes128<T> a) => new(a._a | Vector128.Create(-T.Zero), a._b | Vector128.Create(-T.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> XorSign(Lanes128<T> a, Lanes128<T> s) => new(a._a ^ (s._a & Vector128.Create(-T.Zero)), a._b ^ (s._b & Vector128.Create(-T.Zero)));
    public static bool SignStepIsInteger => Avx512F.VL.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> OneWhereSignClear(Lanes128<T> x) => typeof(T) == typeof(double)
        ? new(Vector128.AndNot(Vector128.Create(1.0), Vector128.ShiftRightArithmetic(x._a.AsInt64(), 63).AsDouble()).As<double, T>(), Vector128.AndNot(Vector128.Create(1.0), Vector128.ShiftRightArithmetic(x._b.AsInt64(), 63).AsDouble()).As<double, T>())
        : new(Vector128.AndNot(Vector128.Create(1.0f), Vector128.ShiftRightArithmetic(x._a.AsInt32(), 31).AsSingle()).As<float, T>(), Vector128.AndNot(Vector128.Create(1.0f), Vector128.ShiftRightArithmetic(x._b.AsInt32(), 31).AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> MinNative(Lanes128<T> a, Lanes128<T> b) => new(Vector128.MinNative(a._a, b._a), Vector128.MinNative(a._b, b._b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> MaxNative(Lanes128<T> a, Lanes128<T> b) => new(Vector128.MaxNative(a._a, b._a), Vector128.MaxNative(a._b, b._b));
    public static int ExpTableBits => 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Pow2FromShifted(Lanes128<T> s, out Lanes128<T> tableError)
    {
        tableError = default;
        return typeof(T) == typeof(double)
            ? new(((s._a.AsInt64() + Vector128.Create(1023L)) << 52).As<long, T>(), ((s._b.AsInt64() + Vector128.Create(1023L)) << 52).As<long, T>())
            : new(((s._a.AsInt32() + Vector128.Create(127)) << 23).As<int, T>(), ((s._b.AsInt32() + Vector128.Create(127)) << 23).As<int, T>());
    }
}

/// <summary>One lane: the portable fallback, and the same math as the vector widths.</summary>
internal readonly struct LanesScalar<T>(T v) : ILanes<LanesScalar<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _v = v;
    public static int Count => 1;
    public static int VectorLength => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Load(ref T s, nuint i) => new(Unsafe.Add(ref s, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(LanesScalar<T> v, ref T d, nuint i) => Unsafe.Add(ref d, i) = v._v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void StoreNonTemporal(LanesScalar<T> v, T* d, nuint i) => d[i] = v._v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Constant(double x)
    {
        if (typeof(T) == typeof(double)) return new(Unsafe.As<double, T>(ref x));
        float f = (float)x;
        return new(Unsafe.As<float, T>(ref f));
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Add(LanesScalar<T> a, LanesScalar<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Subtract(LanesScalar<T> a, LanesScalar<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Multiply(LanesScalar<T> a, LanesScalar<T> b) => new(a._v * b._v);
    public static bool ReciprocalIsEstimate => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> ReciprocalEstimate(LanesScalar<T> a) => new(T.One / a._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Divide(LanesScalar<T> a, LanesScalar<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> MultiplyAdd(LanesScalar<T> a, LanesScalar<T> b, LanesScalar<T> c) => new(T.MultiplyAddEstimate(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> FusedMultiplyAdd(LanesScalar<T> a, LanesScalar<T> b, LanesScalar<T> c) => new(T.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> NegatedMultiplyAdd(LanesScalar<T> a, LanesScalar<T> b, LanesScalar<T> c) => new(T.FusedMultiplyAdd(-a._v, b._v, c._v));
    // Measured per type on the scalar path: the sign test beats the FMA form for float and loses for double.
    public static bool SignStepIsInteger => typeof(T) == typeof(float);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> OneWhereSignClear(LanesScalar<T> x) => new(T.IsNegative(x._v) ? T.Zero : T.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> NegativeAbs(LanesScalar<T> a) => new(-T.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> XorSign(LanesScalar<T> a, LanesScalar<T> s) => T.IsNegative(s._v) ? new(-a._v) : a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> MinNative(LanesScalar<T> a, LanesScalar<T> b) => new(T.MinNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> MaxNative(LanesScalar<T> a, LanesScalar<T> b) => new(T.MaxNative(a._v, b._v));
    public static int ExpTableBits => 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesScalar<T> Pow2FromShifted(LanesScalar<T> s, out LanesScalar<T> tableError)
    {
        tableError = default;
        T v = s._v;
        if (typeof(T) == typeof(double))
        {
            long bits = (BitConverter.DoubleToInt64Bits(Unsafe.As<T, double>(ref v)) + 1023L) << 52;
            double r = BitConverter.Int64BitsToDouble(bits);
            return new(Unsafe.As<double, T>(ref r));
        }
        else
        {
            int bits = (BitConverter.SingleToInt32Bits(Unsafe.As<T, float>(ref v)) + 127) << 23;
            float r = BitConverter.Int32BitsToSingle(bits);
            return new(Unsafe.As<float, T>(ref r));
        }
    }
}
