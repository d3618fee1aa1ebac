using GnKernels.Linalg;

namespace GnKernels.Tests.Support;

/// <summary>Plain managed reference algebra (no BLAS), in double, for checking the library against.</summary>
internal static class Reference
{
    public static double[,] Random(int rows, int cols, Random rng)
    {
        var a = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) a[i, j] = rng.NextDouble() * 2 - 1;
        return a;
    }

    public static double[,] Multiply(double[,] a, double[,] b, bool transB = false)
    {
        int m = a.GetLength(0), k = a.GetLength(1), n = transB ? b.GetLength(0) : b.GetLength(1);
        var c = new double[m, n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i, p] * (transB ? b[j, p] : b[p, j]);
                c[i, j] = s;
            }
        return c;
    }

    public static double[,] Transpose(double[,] a)
    {
        var t = new double[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++) t[j, i] = a[i, j];
        return t;
    }

    /// <summary>B·Bᵀ + n·I: symmetric positive definite and well conditioned.</summary>
    public static double[,] Spd(int n, Random rng)
    {
        double[,] b = Random(n, n, rng);
        double[,] a = Multiply(b, b, transB: true);
        for (int i = 0; i < n; i++) a[i, i] += n;
        return a;
    }

    /// <summary>Q·diag(λ)·Qᵀ with Q orthogonal (Gram-Schmidt of a random matrix, twice for stability).</summary>
    public static double[,] WithEigenvalues(double[] lambda, Random rng, out double[,] q)
    {
        int n = lambda.Length;
        q = Random(n, n, rng);
        for (int pass = 0; pass < 2; pass++)
            for (int j = 0; j < n; j++)
            {
                for (int p = 0; p < j; p++)
                {
                    double dot = 0;
                    for (int i = 0; i < n; i++) dot += q[i, j] * q[i, p];
                    for (int i = 0; i < n; i++) q[i, j] -= dot * q[i, p];
                }
                double norm = 0;
                for (int i = 0; i < n; i++) norm += q[i, j] * q[i, j];
                norm = Math.Sqrt(norm);
                for (int i = 0; i < n; i++) q[i, j] /= norm;
            }
        return WithEigenvaluesFromBasis(q, lambda);
    }

    /// <summary>Q·diag(λ)·Qᵀ for a given orthogonal Q.</summary>
    public static double[,] WithEigenvaluesFromBasis(double[,] q, double[] lambda)
    {
        int n = lambda.Length;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < n; p++) s += q[i, p] * lambda[p] * q[j, p];
                a[i, j] = s;
            }
        return a;
    }

    public static double FrobeniusNorm(double[,] a)
    {
        double s = 0;
        foreach (double x in a) s += x * x;
        return Math.Sqrt(s);
    }

    public static double OneNorm(double[,] a)
    {
        double best = 0;
        for (int j = 0; j < a.GetLength(1); j++)
        {
            double s = 0;
            for (int i = 0; i < a.GetLength(0); i++) s += Math.Abs(a[i, j]);
            best = Math.Max(best, s);
        }
        return best;
    }

    public static double MaxRelativeDifference(double[,] actual, double[,] expected)
    {
        double diff = 0;
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++) diff = Math.Max(diff, Math.Abs(actual[i, j] - expected[i, j]));
        return diff / Math.Max(FrobeniusNorm(expected), double.Epsilon);
    }

    public static DenseMatrix<double> ToMatrix(double[,] a)
    {
        var m = new DenseMatrix<double>(a.GetLength(0), a.GetLength(1));
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++) m[i, j] = a[i, j];
        return m;
    }

    public static DenseMatrix<float> ToMatrixSingle(double[,] a)
    {
        var m = new DenseMatrix<float>(a.GetLength(0), a.GetLength(1));
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++) m[i, j] = (float)a[i, j];
        return m;
    }

    /// <summary>The lower triangle as a full lower-triangular array (upper set to zero).</summary>
    public static double[,] Lower<T>(DenseMatrix<T> m) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int n = (int)m.Rows;
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) l[i, j] = double.CreateTruncating(m[i, j]);
        return l;
    }
}
