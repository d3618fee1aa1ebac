using System.Buffers;
namespace GnKernels.Native;

/// <summary>
/// The pointer boundary for LAPACK, generic over <c>float</c>/<c>double</c>. Callers pass the row-major
/// matrix; these routines see it column-major, i.e. transposed. For symmetric input that only swaps the
/// triangle: the row-major lower triangle is LAPACK's 'U'. Returns LAPACK's INFO unchanged.
/// </summary>
internal static unsafe class LapackDispatch
{
    private const byte RowMajorLower = (byte)'U';

    /// <summary>Cholesky of the row-major lower triangle in place: A = L·Lᵀ, L row-major lower.</summary>
    public static int PotrfLower<T>(int n, ref T a, int lda) where T : unmanaged
    {
        byte uplo = RowMajorLower;
        int info;
        fixed (T* pa = &a)
        {
            if (typeof(T) == typeof(double)) Lapack.Dpotrf(&uplo, &n, (double*)pa, &lda, &info, 1);
            else if (typeof(T) == typeof(float)) Lapack.Spotrf(&uplo, &n, (float*)pa, &lda, &info, 1);
            else throw BlasDispatch.Unsupported<T>();
        }
        return info;
    }

    /// <summary>Solves A·x = b for one contiguous right-hand side with the factor from <see cref="PotrfLower{T}"/>.</summary>
    public static int PotrsLower<T>(int n, ref T factor, int lda, ref T b) where T : unmanaged
    {
        byte uplo = RowMajorLower;
        int nrhs = 1, ldb = Math.Max(1, n), info;
        fixed (T* pa = &factor) fixed (T* pb = &b)
        {
            if (typeof(T) == typeof(double)) Lapack.Dpotrs(&uplo, &n, &nrhs, (double*)pa, &lda, (double*)pb, &ldb, &info, 1);
            else if (typeof(T) == typeof(float)) Lapack.Spotrs(&uplo, &n, &nrhs, (float*)pa, &lda, (float*)pb, &ldb, &info, 1);
            else throw BlasDispatch.Unsupported<T>();
        }
        return info;
    }

    /// <summary>1-norm of the symmetric matrix stored in the row-major lower triangle.</summary>
    public static T LansyOneNormLower<T>(int n, ref T a, int lda, Span<T> work) where T : unmanaged
    {
        byte norm = (byte)'1', uplo = RowMajorLower;
        fixed (T* pa = &a) fixed (T* pw = work)
        {
            if (typeof(T) == typeof(double)) return BlasDispatch.As<double, T>(Lapack.Dlansy(&norm, &uplo, &n, (double*)pa, &lda, (double*)pw, 1, 1));
            if (typeof(T) == typeof(float)) return BlasDispatch.As<float, T>(Lapack.Slansy(&norm, &uplo, &n, (float*)pa, &lda, (float*)pw, 1, 1));
            throw BlasDispatch.Unsupported<T>();
        }
    }

    /// <summary>Reciprocal 1-norm condition estimate from the factor. work: 3n, iwork: n.</summary>
    public static int PoconLower<T>(int n, ref T factor, int lda, T anorm, out T rcond, Span<T> work, Span<int> iwork)
        where T : unmanaged
    {
        byte uplo = RowMajorLower;
        int info;
        T r = default;
        fixed (T* pa = &factor) fixed (T* pw = work) fixed (int* piw = iwork)
        {
            if (typeof(T) == typeof(double))
            {
                double an = BlasDispatch.As<T, double>(anorm), rc;
                Lapack.Dpocon(&uplo, &n, (double*)pa, &lda, &an, &rc, (double*)pw, piw, &info, 1);
                r = BlasDispatch.As<double, T>(rc);
            }
            else if (typeof(T) == typeof(float))
            {
                float an = BlasDispatch.As<T, float>(anorm), rc;
                Lapack.Spocon(&uplo, &n, (float*)pa, &lda, &an, &rc, (float*)pw, piw, &info, 1);
                r = BlasDispatch.As<float, T>(rc);
            }
            else throw BlasDispatch.Unsupported<T>();
        }
        rcond = r;
        return info;
    }

    /// <summary>
    /// Eigenvalues il..iu (1-based, ascending) of the symmetric row-major-lower matrix, destroying it;
    /// eigenvectors, if requested, land as rows of <paramref name="z"/> (count×n row-major).
    /// Workspace is queried and allocated per call: eigen-decompositions are not on a hot path.
    /// </summary>
    public static int SyevrLower<T>(int n, ref T a, int lda, int il, int iu, Span<T> w, bool vectors, ref T z, int ldz, out int found)
        where T : unmanaged
    {
        byte jobz = vectors ? (byte)'V' : (byte)'N', range = (byte)'I', uplo = RowMajorLower;
        int m = 0, info = 0, lwork = -1, liwork = -1, iworkQuery = 0;
        // Workspaces are rented: a solver calling this every step must not allocate every step.
        int[] isuppz = ArrayPool<int>.Shared.Rent(2 * Math.Max(1, iu - il + 1));
        T vl = default, vu = default, abstol = default, workQuery = default;
        T[] work = [];
        int[] iwork = [];
        try
        {
            fixed (T* pa = &a) fixed (T* pw = w) fixed (T* pz = &z) fixed (int* ps = isuppz)
            {
                // Pass 0 asks for the workspace size (lwork = liwork = -1), pass 1 computes.
                for (int pass = 0; pass < 2; pass++)
                {
                    fixed (T* pwork = work) fixed (int* piwork = iwork)
                    {
                        T* wk = pass == 0 ? &workQuery : pwork;
                        int* iwk = pass == 0 ? &iworkQuery : piwork;
                        if (typeof(T) == typeof(double))
                            Lapack.Dsyevr(&jobz, &range, &uplo, &n, (double*)pa, &lda, (double*)&vl, (double*)&vu, &il, &iu, (double*)&abstol,
                                &m, (double*)pw, (double*)pz, &ldz, ps, (double*)wk, &lwork, iwk, &liwork, &info, 1, 1, 1);
                        else if (typeof(T) == typeof(float))
                            Lapack.Ssyevr(&jobz, &range, &uplo, &n, (float*)pa, &lda, (float*)&vl, (float*)&vu, &il, &iu, (float*)&abstol,
                                &m, (float*)pw, (float*)pz, &ldz, ps, (float*)wk, &lwork, iwk, &liwork, &info, 1, 1, 1);
                        else throw BlasDispatch.Unsupported<T>();
                    }
                    if (pass == 0)
                    {
                        if (info != 0) break;
                        lwork = Math.Max(1, WorkspaceLength(workQuery));
                        liwork = Math.Max(1, iworkQuery);
                        work = ArrayPool<T>.Shared.Rent(lwork);
                        iwork = ArrayPool<int>.Shared.Rent(liwork);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(isuppz);
            if (work.Length > 0) ArrayPool<T>.Shared.Return(work);
            if (iwork.Length > 0) ArrayPool<int>.Shared.Return(iwork);
        }
        found = m;
        return info;
    }

    /// <summary>
    /// Eigenvalues il..iu (1-based, ascending) of the symmetric tridiagonal matrix with diagonal <paramref name="d"/>
    /// and off-diagonal <paramref name="e"/> (both may be rescaled in place); eigenvector k, if requested, lands
    /// contiguously at z[k·n..] (LAPACK's column k). The caller supplies the workspace (dstevr's documented
    /// minimum: 20n doubles, 10n ints), so a loop of calls allocates nothing.
    /// </summary>
    public static int StevrByIndex(int n, Span<double> d, Span<double> e, int il, int iu, Span<double> w, bool vectors,
        Span<double> z, Span<int> isuppz, Span<double> work, Span<int> iwork, out int found)
    {
        byte jobz = vectors ? (byte)'V' : (byte)'N', range = (byte)'I';
        int m = 0, info = 0, ldz = Math.Max(1, n), lwork = work.Length, liwork = iwork.Length;
        double vl = 0, vu = 0, abstol = 0, dummy = 0;
        fixed (double* pd = d, pe = e, pw = w, pz = z, pwork = work)
        fixed (int* ps = isuppz, piwork = iwork)
            Lapack.Dstevr(&jobz, &range, &n, pd, pe, &vl, &vu, &il, &iu, &abstol, &m, pw, vectors ? pz : &dummy, &ldz, ps,
                pwork, &lwork, piwork, &liwork, &info, 1, 1);
        found = m;
        return info;
    }

    private static int WorkspaceLength<T>(T query) where T : unmanaged =>
        typeof(T) == typeof(double) ? (int)BlasDispatch.As<T, double>(query) : (int)BlasDispatch.As<T, float>(query);
}
