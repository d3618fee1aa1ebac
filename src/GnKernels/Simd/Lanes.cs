using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GnKernels.Simd;

// The four widths. Each is a thin struct over the runtime's vector type; Pow2FromShifted moves the integer k
// from the mantissa into the exponent field: (bits(k + shifter) + bias) << mantissaBits.

internal readonly struct Lanes512<T>(Vector512<T> v) : ILanes<Lanes512<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector512<T> _v = v;
    public static int Count => Vector512<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Load(ref T s, nuint i) => new(Vector512.LoadUnsafe(ref s, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes512<T> v, ref T d, nuint i) => v._v.StoreUnsafe(ref d, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Create(T x) => new(Vector512.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Add(Lanes512<T> a, Lanes512<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Subtract(Lanes512<T> a, Lanes512<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Multiply(Lanes512<T> a, Lanes512<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Divide(Lanes512<T> a, Lanes512<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> MultiplyAdd(Lanes512<T> a, Lanes512<T> b, Lanes512<T> c) => typeof(T) == typeof(double)
        ? new(Vector512.MultiplyAddEstimate(a._v.AsDouble(), b._v.AsDouble(), c._v.AsDouble()).As<double, T>())
        : new(Vector512.MultiplyAddEstimate(a._v.AsSingle(), b._v.AsSingle(), c._v.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> FusedMultiplyAdd(Lanes512<T> a, Lanes512<T> b, Lanes512<T> c) => typeof(T) == typeof(double)
        ? new(Vector512.FusedMultiplyAdd(a._v.AsDouble(), b._v.AsDouble(), c._v.AsDouble()).As<double, T>())
        : new(Vector512.FusedMultiplyAdd(a._v.AsSingle(), b._v.AsSingle(), c._v.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Abs(Lanes512<T> a) => new(Vector512.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Min(Lanes512<T> a, Lanes512<T> b) => new(Vector512.Min(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Max(Lanes512<T> a, Lanes512<T> b) => new(Vector512.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> LessThan(Lanes512<T> a, Lanes512<T> b) => new(Vector512.LessThan(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Select(Lanes512<T> m, Lanes512<T> t, Lanes512<T> f) => new(Vector512.ConditionalSelect(m._v, t._v, f._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Pow2FromShifted(Lanes512<T> s)
    {
        if (typeof(T) == typeof(double))
            return new(((s._v.AsInt64() + Vector512.Create(1023L)) << 52).As<long, T>());
        return new(((s._v.AsInt32() + Vector512.Create(127)) << 23).As<int, T>());
    }
}

internal readonly struct Lanes256<T>(Vector256<T> v) : ILanes<Lanes256<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector256<T> _v = v;
    public static int Count => Vector256<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Load(ref T s, nuint i) => new(Vector256.LoadUnsafe(ref s, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes256<T> v, ref T d, nuint i) => v._v.StoreUnsafe(ref d, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Create(T x) => new(Vector256.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Add(Lanes256<T> a, Lanes256<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Subtract(Lanes256<T> a, Lanes256<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Multiply(Lanes256<T> a, Lanes256<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Divide(Lanes256<T> a, Lanes256<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> MultiplyAdd(Lanes256<T> a, Lanes256<T> b, Lanes256<T> c) => typeof(T) == typeof(double)
        ? new(Vector256.MultiplyAddEstimate(a._v.AsDouble(), b._v.AsDouble(), c._v.AsDouble()).As<double, T>())
        : new(Vector256.MultiplyAddEstimate(a._v.AsSingle(), b._v.AsSingle(), c._v.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> FusedMultiplyAdd(Lanes256<T> a, Lanes256<T> b, Lanes256<T> c) => typeof(T) == typeof(double)
        ? new(Vector256.FusedMultiplyAdd(a._v.AsDouble(), b._v.AsDouble(), c._v.AsDouble()).As<double, T>())
        : new(Vector256.FusedMultiplyAdd(a._v.AsSingle(), b._v.AsSingle(), c._v.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Abs(Lanes256<T> a) => new(Vector256.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Min(Lanes256<T> a, Lanes256<T> b) => new(Vector256.Min(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Max(Lanes256<T> a, Lanes256<T> b) => new(Vector256.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> LessThan(Lanes256<T> a, Lanes256<T> b) => new(Vector256.LessThan(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Select(Lanes256<T> m, Lanes256<T> t, Lanes256<T> f) => new(Vector256.ConditionalSelect(m._v, t._v, f._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Pow2FromShifted(Lanes256<T> s)
    {
        if (typeof(T) == typeof(double))
            return new(((s._v.AsInt64() + Vector256.Create(1023L)) << 52).As<long, T>());
        return new(((s._v.AsInt32() + Vector256.Create(127)) << 23).As<int, T>());
    }
}

internal readonly struct Lanes128<T>(Vector128<T> v) : ILanes<Lanes128<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector128<T> _v = v;
    public static int Count => Vector128<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Load(ref T s, nuint i) => new(Vector128.LoadUnsafe(ref s, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes128<T> v, ref T d, nuint i) => v._v.StoreUnsafe(ref d, i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Create(T x) => new(Vector128.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Add(Lanes128<T> a, Lanes128<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Subtract(Lanes128<T> a, Lanes128<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Multiply(Lanes128<T> a, Lanes128<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Divide(Lanes128<T> a, Lanes128<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> MultiplyAdd(Lanes128<T> a, Lanes128<T> b, Lanes128<T> c) => typeof(T) == typeof(double)
        ? new(Vector128.MultiplyAddEstimate(a._v.AsDouble(), b._v.AsDouble(), c._v.AsDouble()).As<double, T>())
        : new(Vector128.MultiplyAddEstimate(a._v.AsSingle(), b._v.AsSingle(), c._v.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> FusedMultiplyAdd(Lanes128<T> a, Lanes128<T> b, Lanes128<T> c) => typeof(T) == typeof(double)
        ? new(Vector128.FusedMultiplyAdd(a._v.AsDouble(), b._v.AsDouble(), c._v.AsDouble()).As<double, T>())
        : new(Vector128.FusedMultiplyAdd(a._v.AsSingle(), b._v.AsSingle(), c._v.AsSingle()).As<float, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Abs(Lanes128<T> a) => new(Vector128.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Min(Lanes128<T> a, Lanes128<T> b) => new(Vector128.Min(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Max(Lanes128<T> a, Lanes128<T> b) => new(Vector128.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> LessThan(Lanes128<T> a, Lanes128<T> b) => new(Vector128.LessThan(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Select(Lanes128<T> m, Lanes128<T> t, Lanes128<T> f) => new(Vector128.ConditionalSelect(m._v, t._v, f._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128<T> Pow2FromShifted(Lanes128<T> s)
    {
        if (typeof(T) == typeof(double))
            return new(((s._v.AsInt64() + Vector128.Create(1023L)) << 52).As<long, T>());
        return new(((s._v.AsInt32() + Vector128.Create(127)) << 23).As<int, T>());
    }
}

/// <summary>One lane: the portable fallback, and the same math as the vector widths.</summary>
internal readonly struct LanesScalar<T>(T v) : ILanes<LanesScalar<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _v = v;
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Load(ref T s, nuint i) => new(Unsafe.Add(ref s, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(LanesScalar<T> v, ref T d, nuint i) => Unsafe.Add(ref d, i) = v._v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Create(T x) => new(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Add(LanesScalar<T> a, LanesScalar<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Subtract(LanesScalar<T> a, LanesScalar<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Multiply(LanesScalar<T> a, LanesScalar<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Divide(LanesScalar<T> a, LanesScalar<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> MultiplyAdd(LanesScalar<T> a, LanesScalar<T> b, LanesScalar<T> c) => new(T.MultiplyAddEstimate(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> FusedMultiplyAdd(LanesScalar<T> a, LanesScalar<T> b, LanesScalar<T> c) => new(T.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Abs(LanesScalar<T> a) => new(T.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Min(LanesScalar<T> a, LanesScalar<T> b) => new(T.Min(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Max(LanesScalar<T> a, LanesScalar<T> b) => new(T.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> LessThan(LanesScalar<T> a, LanesScalar<T> b) => new(a._v < b._v ? AllOnes : T.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesScalar<T> Select(LanesScalar<T> m, LanesScalar<T> t, LanesScalar<T> f) => T.IsNaN(m._v) ? t : f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesScalar<T> Pow2FromShifted(LanesScalar<T> s)
    {
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

    // All bits set reads as a NaN: the scalar mask convention mirrors the vector one.
    private static T AllOnes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (typeof(T) == typeof(double)) { double d = BitConverter.Int64BitsToDouble(-1L); return Unsafe.As<double, T>(ref d); }
            float f = BitConverter.Int32BitsToSingle(-1);
            return Unsafe.As<float, T>(ref f);
        }
    }
}
