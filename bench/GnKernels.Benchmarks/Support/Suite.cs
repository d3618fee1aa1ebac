namespace GnKernels.Benchmarks.Support;

/// <summary>
/// The short suite (<c>--short</c>, what <c>dotnet cake --target=Bench</c> runs: 97 cases, 17 minutes on 2 cores)
/// keeps one size and one thread count per benchmark class; the full suite adds the large and memory-bound sizes,
/// the other thread count, the odd-length SiLU tail and the placement diagnosis. The host process picks the
/// parameter values, so the flag is read there only.
/// </summary>
public static class Suite
{
    public static bool Short { get; set; }

    public static IEnumerable<T> Sizes<T>(T[] shortSizes, T[] fullSizes) => Short ? shortSizes : fullSizes;

    /// <summary>The SIMD paths named by <c>--paths V256,V512</c> (all of a benchmark's otherwise): in a process without
    /// AVX-512, say, only the paths the hardware runs, without the emulated Vector512 that would take most of the run.</summary>
    public static GnKernels.Simd.SimdPath[]? PathsChosen { get; set; }

    public static IEnumerable<GnKernels.Simd.SimdPath> Paths(GnKernels.Simd.SimdPath[] all) =>
        PathsChosen is null ? all : all.Where(PathsChosen.Contains);
}
