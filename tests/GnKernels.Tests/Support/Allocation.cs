namespace GnKernels.Tests.Support;

/// <summary>Managed allocation of a call on this thread, robust to the runtime's one-off bookkeeping.</summary>
internal static class Allocation
{
    /// <summary>
    /// Bytes allocated by up to three calls of <paramref name="call"/> (after the caller's warm-up), stopping at the first
    /// that allocates nothing: tiering may allocate a few bytes once on whichever thread crosses a threshold, while an
    /// allocation of the call itself recurs and shows in all three.
    /// </summary>
    public static IReadOnlyList<long> PerCall(Action call)
    {
        var bytes = new List<long>();
        for (int attempt = 0; attempt < 3 && (bytes.Count == 0 || bytes[^1] != 0); attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            call();
            bytes.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return bytes;
    }

    public static void AssertNone(Action call, string what)
    {
        var bytes = PerCall(call);
        Assert.True(bytes[^1] == 0, $"{what} allocated {string.Join(", ", bytes)} bytes per call");
    }
}
