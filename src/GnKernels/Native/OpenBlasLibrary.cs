using System.Runtime.InteropServices;

namespace GnKernels.Native;

/// <summary>Raw OpenBLAS extension functions (not BLAS/LAPACK proper).</summary>
internal static unsafe partial class OpenBlasLibrary
{
    /// <summary>The logical library name every binding uses; <see cref="OpenBlasLoader"/> resolves it.</summary>
    public const string Name = "openblas";

    // char* openblas_get_config(void);
    [LibraryImport(Name, EntryPoint = "openblas_get_config")]
    public static partial byte* GetConfig();

    // char* openblas_get_corename(void);
    [LibraryImport(Name, EntryPoint = "openblas_get_corename")]
    public static partial byte* GetCoreName();

    // int openblas_get_parallel(void); 0 = sequential, 1 = pthreads, 2 = OpenMP
    [LibraryImport(Name, EntryPoint = "openblas_get_parallel")]
    public static partial int GetParallel();

    // int openblas_get_num_threads(void);
    [LibraryImport(Name, EntryPoint = "openblas_get_num_threads")]
    public static partial int GetNumThreads();

    // void openblas_set_num_threads(int num_threads);
    [LibraryImport(Name, EntryPoint = "openblas_set_num_threads")]
    public static partial void SetNumThreads(int numThreads);

    // INTEGER FUNCTION ISAMAX(N, SX, INCX): Fortran ABI, used only for the LP64/ILP64 probe.
    [LibraryImport(Name, EntryPoint = "isamax_")]
    public static partial int Isamax(long* n, float* x, long* incx);

    public static string ConfigString => Marshal.PtrToStringUTF8((nint)GetConfig()) ?? "";
    public static string CoreNameString => Marshal.PtrToStringUTF8((nint)GetCoreName()) ?? "";
}
