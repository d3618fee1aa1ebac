using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GnKernels.Simd;

/// <summary>
/// 2^(j/16), j = 0 … 15, rounded to double and float, with each entry's relative rounding error (AVX-512's
/// two-register permutes); and 2^(j/8), j = 0 … 7, for AVX2, whose permute (vpermd) picks 32-bit lanes from one register.
/// </summary>
internal static class Pow2Table
{
    // Entry j holds bits(2^(j/16)) − j·2^48 (float: − j·2^19): adding the shifted k's bits moved up by 48 (19) puts
    // ⌊k/16⌋ into the exponent and cancels j, so one shift and one add build T_j·2^⌊k/16⌋.
    internal static Vector512<long> BitsLow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(0x3FF0000000000000, 0x3FEFB5586CF9890F, 0x3FEF72B83C7D517B, 0x3FEF387A6E756238, 0x3FEF06FE0A31B715, 0x3FEEDEA64C123422, 0x3FEEBFDAD5362A27, 0x3FEEAB07DD485429);
    }
    internal static Vector512<long> BitsHigh
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(0x3FEEA09E667F3BCD, 0x3FEEA11473EB0187, 0x3FEEACE5422AA0DB, 0x3FEEC49182A3F090, 0x3FEEE89F995AD3AD, 0x3FEF199BDD85529C, 0x3FEF5818DCFBA487, 0x3FEFA4AFA2A490DA);
    }
    internal static Vector512<int> BitsSingle
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(0x3F800000, 0x3F7DAAC3, 0x3F7B95C2, 0x3F79C3D3, 0x3F7837F0, 0x3F76F532, 0x3F75FED7, 0x3F75583F, 0x3F7504F3, 0x3F7508A4, 0x3F75672A, 0x3F76248C, 0x3F7744FD, 0x3F78CCDF, 0x3F7AC0C7, 0x3F7D257D);
    }
    internal static Vector512<double> ErrorLow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(0.0, 8.189317638195515e-17, -2.7939114859515733e-17, 7.826573258636076e-17, 3.3484623336251524e-17, 3.750854201303127e-17, 1.9572585293112036e-17, 5.68648095791174e-17);
    }
    internal static Vector512<double> ErrorHigh
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(-6.835808657661922e-17, -2.3591094770850053e-17, 5.1548301170786783e-17, 1.5341410053603723e-17, 4.875160526227062e-17, 1.685487290628973e-17, 1.790126907604513e-17, -5.545065618639427e-17);
    }
    internal static Vector512<float> ErrorSingle
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(0.0f, 4.6285471455576044e-08f, -1.199215748926008e-08f, 4.7297824323777604e-08f, 3.1934181521364735e-08f, 3.621057231839586e-08f, -3.0990719324108795e-08f, -7.475213337215791e-09f,
        1.7114270889351246e-08f, -3.047683350132502e-08f, 5.233334210430485e-09f, 6.10759176566944e-09f, -1.4719605090363075e-08f, -5.258795177098818e-09f, -6.128259677495862e-09f, 5.140609271592211e-09f);
    }

    // AVX2: entry j holds bits(2^(j/8)) − j·2^49 (float: − j·2^20), the same construction for ⌊k/8⌋. A double's two
    // 32-bit halves come from two tables, each permuted by j repeated in both halves of its lane.
    internal static Vector256<int> EighthsLowHalves
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.Create(0x00000000, 0x3C7D517B, 0x0A31B715, unchecked((int)0xD5362A27), 0x667F3BCD, 0x422AA0DB, unchecked((int)0x995AD3AD), unchecked((int)0xDCFBA487));
    }
    internal static Vector256<int> EighthsHighHalves
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.Create(0x3FF00000, 0x3FEF72B8, 0x3FEF06FE, 0x3FEEBFDA, 0x3FEEA09E, 0x3FEEACE5, 0x3FEEE89F, 0x3FEF5818);
    }
    /// <summary>The high halves of the double entries' errors: permuted like the entries, each lane reads its high half
    /// twice, which changes an error below 2⁻⁵³ by less than 2⁻²⁰ of itself.</summary>
    internal static Vector256<int> EighthsErrorHighHalves
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.Create(0x00000000, unchecked((int)0xBC801B15), 0x3C834D75, 0x3C7690CE, unchecked((int)0xBC93B3EF), 0x3C8DB72F, 0x3C8C1A77, 0x3C74A385);
    }
    internal static Vector256<int> EighthsSingleBits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.Create(0x3F800000, 0x3F7B95C2, 0x3F7837F0, 0x3F75FED7, 0x3F7504F3, 0x3F75672A, 0x3F7744FD, 0x3F7AC0C7);
    }
    internal static Vector256<float> EighthsSingleError
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.Create(0.0f, -1.199215748926008e-08f, 3.1934181521364735e-08f, -3.0990719324108795e-08f, 1.7114270889351246e-08f, 5.233334210430485e-09f, -1.4719605090363075e-08f, -6.128259677495862e-09f);
    }
}
