namespace GnKernels;

/// <summary>Seeded normal samples by Box-Muller: explicit so the stream of numbers is ours, not a library's.</summary>
internal static class Gaussian
{
    public static void Fill(Random rng, Span<double> destination, double std)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            destination[i] = std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
