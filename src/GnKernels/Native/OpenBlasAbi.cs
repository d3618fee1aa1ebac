using System.Runtime.InteropServices;

namespace GnKernels.Native;

/// <summary>
/// Refuses an ILP64 OpenBLAS: our bindings pass 32-bit integers, which a 64-bit-integer build would read
/// as garbage. Runs on the raw handle, before the resolver hands it out.
/// </summary>
internal static unsafe class OpenBlasAbi
{
    public static void EnsureLp64(nint handle, string path)
    {
        var getConfig = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(handle, "openblas_get_config");
        string config = Marshal.PtrToStringUTF8((nint)getConfig()) ?? "";
        bool configSaysIlp64 = config.Contains("USE64BITINT", StringComparison.Ordinal);
        bool probeSaysIlp64 = IsamaxReadsEightByteIntegers(handle);
        if (configSaysIlp64 || probeSaysIlp64)
            throw new NotSupportedException(
                $"The OpenBLAS at '{path}' uses 64-bit integers (ILP64; config: '{config}', isamax probe: " +
                $"{(probeSaysIlp64 ? "ILP64" : "LP64")}). GnKernels binds the LP64 interface. Fix: use an LP64 build " +
                "such as Debian's libopenblas0-pthread, or set GNKERNELS_OPENBLAS to one.");
    }

    // N is stored as the 8-byte pattern {lo = 2, hi = 0xFFFFFFFF}: LP64 reads n = 2 and returns the index of
    // max|x| in {1, 5} (2); ILP64 reads a negative n and returns 0. INCX = 1 reads the same either way.
    private static bool IsamaxReadsEightByteIntegers(nint handle)
    {
        if (!NativeLibrary.TryGetExport(handle, "isamax_", out nint isamax)) return false;
        long n = unchecked((long)0xFFFFFFFF_00000002UL);
        long incx = 1;
        float* x = stackalloc float[] { 1f, 5f };
        int index = ((delegate* unmanaged<long*, float*, long*, int>)isamax)(&n, x, &incx);
        return index != 2;
    }
}
