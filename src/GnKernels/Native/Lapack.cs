using System.Runtime.InteropServices;

namespace GnKernels.Native;

/// <summary>
/// Raw LAPACK bindings through the gfortran ABI: every argument by reference, and one hidden trailing
/// <c>size_t</c> length per CHARACTER argument (always 1 here). Omitting those lengths is undefined
/// behaviour with gfortran-built LAPACK, so they are part of every prototype. Column-major, LP64.
/// </summary>
internal static unsafe partial class Lapack
{
    // SUBROUTINE DPOTRF(UPLO, N, A, LDA, INFO)
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "dpotrf_")]
    public static partial void Dpotrf(byte* uplo, int* n, double* a, int* lda, int* info, nuint uploLen);

    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "spotrf_")]
    public static partial void Spotrf(byte* uplo, int* n, float* a, int* lda, int* info, nuint uploLen);

    // SUBROUTINE DPOTRS(UPLO, N, NRHS, A, LDA, B, LDB, INFO)
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "dpotrs_")]
    public static partial void Dpotrs(byte* uplo, int* n, int* nrhs, double* a, int* lda, double* b, int* ldb, int* info, nuint uploLen);

    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "spotrs_")]
    public static partial void Spotrs(byte* uplo, int* n, int* nrhs, float* a, int* lda, float* b, int* ldb, int* info, nuint uploLen);

    // SUBROUTINE DSYEVR(JOBZ, RANGE, UPLO, N, A, LDA, VL, VU, IL, IU, ABSTOL, M, W, Z, LDZ, ISUPPZ,
    //                   WORK, LWORK, IWORK, LIWORK, INFO)
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "dsyevr_")]
    public static partial void Dsyevr(byte* jobz, byte* range, byte* uplo, int* n, double* a, int* lda,
        double* vl, double* vu, int* il, int* iu, double* abstol, int* m, double* w, double* z, int* ldz,
        int* isuppz, double* work, int* lwork, int* iwork, int* liwork, int* info,
        nuint jobzLen, nuint rangeLen, nuint uploLen);

    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "ssyevr_")]
    public static partial void Ssyevr(byte* jobz, byte* range, byte* uplo, int* n, float* a, int* lda,
        float* vl, float* vu, int* il, int* iu, float* abstol, int* m, float* w, float* z, int* ldz,
        int* isuppz, float* work, int* lwork, int* iwork, int* liwork, int* info,
        nuint jobzLen, nuint rangeLen, nuint uploLen);

    // SUBROUTINE DSTEVR(JOBZ, RANGE, N, D, E, VL, VU, IL, IU, ABSTOL, M, W, Z, LDZ, ISUPPZ,
    //                   WORK, LWORK, IWORK, LIWORK, INFO)   LWORK ≥ 20N, LIWORK ≥ 10N
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "dstevr_")]
    public static partial void Dstevr(byte* jobz, byte* range, int* n, double* d, double* e, double* vl, double* vu,
        int* il, int* iu, double* abstol, int* m, double* w, double* z, int* ldz, int* isuppz,
        double* work, int* lwork, int* iwork, int* liwork, int* info, nuint jobzLen, nuint rangeLen);

    // SUBROUTINE DPOCON(UPLO, N, A, LDA, ANORM, RCOND, WORK, IWORK, INFO)   WORK(3N), IWORK(N)
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "dpocon_")]
    public static partial void Dpocon(byte* uplo, int* n, double* a, int* lda, double* anorm, double* rcond,
        double* work, int* iwork, int* info, nuint uploLen);

    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "spocon_")]
    public static partial void Spocon(byte* uplo, int* n, float* a, int* lda, float* anorm, float* rcond,
        float* work, int* iwork, int* info, nuint uploLen);

    // DOUBLE PRECISION FUNCTION DLANSY(NORM, UPLO, N, A, LDA, WORK)   WORK(N) for '1'/'I'
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "dlansy_")]
    public static partial double Dlansy(byte* norm, byte* uplo, int* n, double* a, int* lda, double* work, nuint normLen, nuint uploLen);

    // REAL FUNCTION SLANSY: gfortran returns REAL as a C float (not the f2c double convention).
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "slansy_")]
    public static partial float Slansy(byte* norm, byte* uplo, int* n, float* a, int* lda, float* work, nuint normLen, nuint uploLen);
}
