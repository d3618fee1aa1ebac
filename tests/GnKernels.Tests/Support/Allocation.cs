namespace GnKernels.Tests.Support;

/// <summary>Managed allocation of a call on this thread, robust to the runtime's one-off bookkeeping.</summary>
internal static class Allocation
{
    /// <summary>
    /// Bytes allocated by up to three calls of <paramref name="call"/> (after the caller's warm-up) on this thread and,
    /// if given, by <paramref name="elsewhere"/>'s running total (e.g. helper threads), stopping at the first call that
    /// allocates nothing: tiering may allocate a few bytes once on whichever thread crosses a threshold (24 B seen once
    /// in a full-suite run without intrinsics), while an allocation of the call itself recurs and shows in all three.
    /// </summary>
    public static IReadOnlyList<(long Caller, long Elsewhere)> PerCall(Action call, Func<long>? elsewhere = null)
    {
        var bytes = new List<(long, long)>();
        for (int attempt = 0; attempt < 3 && (bytes.Count == 0 || bytes[^1] != (0, 0)); attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread(), otherBefore = elsewhere?.Invoke() ?? 0;
            call();
            bytes.Add((GC.GetAllocatedBytesForCurrentThread() - before, (elsewhere?.Invoke() ?? 0) - otherBefore));
        }
        return bytes;
    }

    public static void AssertNone(Action call, string what)
    {
        var bytes = PerCall(call);
        Assert.True(bytes[^1] == (0, 0), $"{what} allocated {string.Join(", ", bytes.Select(b => b.Caller))} bytes per call");
    }
}
