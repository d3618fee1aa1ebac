using System.Runtime.InteropServices;

namespace GnKernels.Native;

/// <summary>Raw CBLAS bindings (LP64: every integer is a C int). Callers validate; nothing here checks.</summary>
internal static unsafe partial class Cblas
{
    public const int RowMajor = 101, ColMajor = 102;
    public const int NoTrans = 111, Trans = 112;
    public const int Upper = 121, Lower = 122;
    public const int NonUnit = 131, Unit = 132;
    public const int Left = 141, Right = 142;

    // void cblas_dgemm(order, transA, transB, M, N, K, alpha, const double* A, lda, const double* B, ldb, beta, double* C, ldc);
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "cblas_dgemm")]
    public static partial void Dgemm(int order, int transA, int transB, int m, int n, int k,
        double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc);

    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "cblas_sgemm")]
    public static partial void Sgemm(int order, int transA, int transB, int m, int n, int k,
        float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    // void cblas_dsyrk(order, uplo, trans, N, K, alpha, const double* A, lda, beta, double* C, ldc);
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "cblas_dsyrk")]
    public static partial void Dsyrk(int order, int uplo, int trans, int n, int k,
        double alpha, double* a, int lda, double beta, double* c, int ldc);

    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "cblas_ssyrk")]
    public static partial void Ssyrk(int order, int uplo, int trans, int n, int k,
        float alpha, float* a, int lda, float beta, float* c, int ldc);

    // void cblas_dgemv(order, trans, M, N, alpha, const double* A, lda, const double* X, incX, beta, double* Y, incY);
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "cblas_dgemv")]
    public static partial void Dgemv(int order, int trans, int m, int n,
        double alpha, double* a, int lda, double* x, int incX, double beta, double* y, int incY);

    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "cblas_sgemv")]
    public static partial void Sgemv(int order, int trans, int m, int n,
        float alpha, float* a, int lda, float* x, int incX, float beta, float* y, int incY);

    // void cblas_dsymv(order, uplo, N, alpha, const double* A, lda, const double* X, incX, beta, double* Y, incY);
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "cblas_dsymv")]
    public static partial void Dsymv(int order, int uplo, int n,
        double alpha, double* a, int lda, double* x, int incX, double beta, double* y, int incY);

    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "cblas_ssymv")]
    public static partial void Ssymv(int order, int uplo, int n,
        float alpha, float* a, int lda, float* x, int incX, float beta, float* y, int incY);

    // void cblas_dtrsm(order, side, uplo, transA, diag, M, N, alpha, const double* A, lda, double* B, ldb);
    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "cblas_dtrsm")]
    public static partial void Dtrsm(int order, int side, int uplo, int transA, int diag, int m, int n,
        double alpha, double* a, int lda, double* b, int ldb);

    [LibraryImport(OpenBlasLibrary.Name, EntryPoint = "cblas_strsm")]
    public static partial void Strsm(int order, int side, int uplo, int transA, int diag, int m, int n,
        float alpha, float* a, int lda, float* b, int ldb);
}
