namespace GnKernels.Cli.BenchCompare;

/// <summary>
/// One-sided Mann-Whitney U test: does <c>x</c> tend to be larger than <c>y</c>? Exact null distribution for small
/// samples without ties (BenchmarkDotNet's short runs have 3 to 15 iterations, where the normal approximation is
/// poor: 3 against 3 completely separated gives exactly p = 1/20); the normal approximation with tie and continuity
/// corrections otherwise.
/// </summary>
internal static class MannWhitney
{
    private const int ExactLimit = 50;

    /// <summary>U = #{(i, j): x[i] &gt; y[j]} + ½·#{x[i] = y[j]}.</summary>
    public static double U(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double u = 0;
        foreach (double a in x)
            foreach (double b in y)
                u += a > b ? 1 : a == b ? 0.5 : 0;
        return u;
    }

    /// <summary>P(U ≥ observed) under H0 (both samples from one distribution): small means x is larger.</summary>
    public static double PValueGreater(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count == 0 || y.Count == 0)
            throw new ArgumentException($"Both samples need values (x has {x.Count}, y has {y.Count}).");
        double u = U(x, y);
        bool ties = x.Concat(y).Distinct().Count() < x.Count + y.Count;
        return !ties && x.Count <= ExactLimit && y.Count <= ExactLimit
            ? ExactUpperTail(x.Count, y.Count, (int)u)
            : NormalUpperTail(x, y, u);
    }

    /// <summary>P(U ≥ u) from the counts of rank arrangements: c(n, m, u) = c(n − 1, m, u − m) + c(n, m − 1, u).</summary>
    private static double ExactUpperTail(int n, int m, int u)
    {
        // counts[j][v]: arrangements of i x-values and j y-values with U = v, built up over i.
        var counts = new double[m + 1][];
        for (int j = 0; j <= m; j++) counts[j] = [1];
        for (int i = 1; i <= n; i++)
        {
            var next = new double[m + 1][];
            next[0] = [1];
            for (int j = 1; j <= m; j++)
            {
                next[j] = new double[i * j + 1];
                double[] withoutX = counts[j], withoutY = next[j - 1];
                for (int v = 0; v <= i * j; v++)
                {
                    double c = v - j >= 0 && v - j < withoutX.Length ? withoutX[v - j] : 0;
                    c += v < withoutY.Length ? withoutY[v] : 0;
                    next[j][v] = c;
                }
            }
            counts = next;
        }
        double[] dist = counts[m];
        double total = 0, tail = 0;
        for (int v = 0; v < dist.Length; v++)
        {
            total += dist[v];
            if (v >= u) tail += dist[v];
        }
        return tail / total;
    }

    private static double NormalUpperTail(IReadOnlyList<double> x, IReadOnlyList<double> y, double u)
    {
        int n = x.Count, m = y.Count, total = n + m;
        double tieTerm = x.Concat(y).GroupBy(v => v).Sum(g => Math.Pow(g.Count(), 3) - g.Count());
        double variance = n * (double)m / 12 * (total + 1 - tieTerm / (total * (total - 1.0)));
        if (variance <= 0) return 1; // every value tied: no evidence either way
        double z = (u - n * (double)m / 2 - 0.5) / Math.Sqrt(variance);
        return 1 - MathNet.Numerics.Distributions.Normal.CDF(0, 1, z);
    }
}
