namespace GnKernels.Simd;

/// <summary>
/// Which outputs of an element-wise loop are written with non-temporal stores. A type parameter, so each loop
/// compiles to one form: the cached form has no per-step test (one cost 2% of the fused kernel in cache).
/// </summary>
internal interface IStoreMode
{
    /// <summary>The first (or only) output streams.</summary>
    static abstract bool StreamFirst { get; }
    /// <summary>The second output streams: only when it has the first one's offset from a vector boundary.</summary>
    static abstract bool StreamSecond { get; }
}

internal readonly struct CachedStores : IStoreMode
{
    public static bool StreamFirst => false;
    public static bool StreamSecond => false;
}

internal readonly struct StreamFirstOutput : IStoreMode
{
    public static bool StreamFirst => true;
    public static bool StreamSecond => false;
}

internal readonly struct StreamAllOutputs : IStoreMode
{
    public static bool StreamFirst => true;
    public static bool StreamSecond => true;
}

/// <summary>Whether a 1→2 loop multiplies its second output by a weight input (a type parameter, like the store mode).</summary>
internal interface IWeights
{
    static abstract bool Apply { get; }
}

internal readonly struct Unweighted : IWeights
{
    public static bool Apply => false;
}

internal readonly struct Weighted : IWeights
{
    public static bool Apply => true;
}
