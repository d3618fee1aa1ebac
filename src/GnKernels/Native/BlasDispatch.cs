using System.Runtime.CompilerServices;

namespace GnKernels.Native;

/// <summary>
/// The pointer boundary for BLAS: generic over <c>float</c>/<c>double</c> (the type test folds away at JIT
/// time), taking <c>ref T</c> to the first element so the layers above stay pointer-free. No validation.
/// Row-major throughout.
/// </summary>
internal static unsafe class BlasDispatch
{
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, ref T a, int lda,
        ref T b, int ldb, T beta, ref T c, int ldc) where T : unmanaged
    {
        int ta = transA ? Cblas.Trans : Cblas.NoTrans, tb = transB ? Cblas.Trans : Cblas.NoTrans;
        fixed (T* pa = &a) fixed (T* pb = &b) fixed (T* pc = &c)
        {
            if (typeof(T) == typeof(double))
                Cblas.Dgemm(Cblas.RowMajor, ta, tb, m, n, k, As<T, double>(alpha), (double*)pa, lda, (double*)pb, ldb, As<T, double>(beta), (double*)pc, ldc);
            else if (typeof(T) == typeof(float))
                Cblas.Sgemm(Cblas.RowMajor, ta, tb, m, n, k, As<T, float>(alpha), (float*)pa, lda, (float*)pb, ldb, As<T, float>(beta), (float*)pc, ldc);
            else throw Unsupported<T>();
        }
    }

    /// <summary>Lower triangle of C = alpha·op(A)·op(A)ᵀ + beta·C, with op(A) = A (N×K) or Aᵀ (A is K×N).</summary>
    public static void SyrkLower<T>(bool trans, int n, int k, T alpha, ref T a, int lda, T beta, ref T c, int ldc)
        where T : unmanaged
    {
        int t = trans ? Cblas.Trans : Cblas.NoTrans;
        fixed (T* pa = &a) fixed (T* pc = &c)
        {
            if (typeof(T) == typeof(double))
                Cblas.Dsyrk(Cblas.RowMajor, Cblas.Lower, t, n, k, As<T, double>(alpha), (double*)pa, lda, As<T, double>(beta), (double*)pc, ldc);
            else if (typeof(T) == typeof(float))
                Cblas.Ssyrk(Cblas.RowMajor, Cblas.Lower, t, n, k, As<T, float>(alpha), (float*)pa, lda, As<T, float>(beta), (float*)pc, ldc);
            else throw Unsupported<T>();
        }
    }

    public static void Gemv<T>(bool trans, int m, int n, T alpha, ref T a, int lda, ref T x, T beta, ref T y)
        where T : unmanaged
    {
        int t = trans ? Cblas.Trans : Cblas.NoTrans;
        fixed (T* pa = &a) fixed (T* px = &x) fixed (T* py = &y)
        {
            if (typeof(T) == typeof(double))
                Cblas.Dgemv(Cblas.RowMajor, t, m, n, As<T, double>(alpha), (double*)pa, lda, (double*)px, 1, As<T, double>(beta), (double*)py, 1);
            else if (typeof(T) == typeof(float))
                Cblas.Sgemv(Cblas.RowMajor, t, m, n, As<T, float>(alpha), (float*)pa, lda, (float*)px, 1, As<T, float>(beta), (float*)py, 1);
            else throw Unsupported<T>();
        }
    }

    /// <summary>y = alpha·A·x + beta·y with A symmetric, read from its lower triangle.</summary>
    public static void SymvLower<T>(int n, T alpha, ref T a, int lda, ref T x, T beta, ref T y) where T : unmanaged
    {
        fixed (T* pa = &a) fixed (T* px = &x) fixed (T* py = &y)
        {
            if (typeof(T) == typeof(double))
                Cblas.Dsymv(Cblas.RowMajor, Cblas.Lower, n, As<T, double>(alpha), (double*)pa, lda, (double*)px, 1, As<T, double>(beta), (double*)py, 1);
            else if (typeof(T) == typeof(float))
                Cblas.Ssymv(Cblas.RowMajor, Cblas.Lower, n, As<T, float>(alpha), (float*)pa, lda, (float*)px, 1, As<T, float>(beta), (float*)py, 1);
            else throw Unsupported<T>();
        }
    }

    /// <summary>Solves L·X = B (transL false) or Lᵀ·X = B (true) in place; L lower, B is N×nrhs row-major.</summary>
    public static void TrsmLowerLeft<T>(bool transL, int n, int nrhs, ref T l, int ldl, ref T b, int ldb)
        where T : unmanaged
    {
        int t = transL ? Cblas.Trans : Cblas.NoTrans;
        fixed (T* pl = &l) fixed (T* pb = &b)
        {
            if (typeof(T) == typeof(double))
                Cblas.Dtrsm(Cblas.RowMajor, Cblas.Left, Cblas.Lower, t, Cblas.NonUnit, n, nrhs, 1.0, (double*)pl, ldl, (double*)pb, ldb);
            else if (typeof(T) == typeof(float))
                Cblas.Strsm(Cblas.RowMajor, Cblas.Left, Cblas.Lower, t, Cblas.NonUnit, n, nrhs, 1f, (float*)pl, ldl, (float*)pb, ldb);
            else throw Unsupported<T>();
        }
    }

    internal static TTo As<TFrom, TTo>(TFrom value) => Unsafe.As<TFrom, TTo>(ref value);

    internal static NotSupportedException Unsupported<T>() =>
        new($"Element type {typeof(T).Name} is not supported; GnKernels' dense algebra supports float and double.");
}
