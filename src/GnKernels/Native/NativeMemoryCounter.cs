namespace GnKernels.Native;

/// <summary>
/// Bytes of matrix storage currently allocated by <see cref="AlignedBuffer{T}"/> in this process, and the peak
/// since the last <see cref="ResetPeak"/>: how tests and benchmarks check the memory budgets of the blocked kernels
/// (the GC's counters do not see native memory).
/// </summary>
internal static class NativeMemoryCounter
{
    private static long s_live, s_peak;

    public static long LiveBytes => Interlocked.Read(ref s_live);

    public static long PeakBytes => Interlocked.Read(ref s_peak);

    public static void ResetPeak() => Interlocked.Exchange(ref s_peak, LiveBytes);

    public static void Add(long bytes)
    {
        long live = Interlocked.Add(ref s_live, bytes);
        long peak;
        while (live > (peak = Interlocked.Read(ref s_peak)) && Interlocked.CompareExchange(ref s_peak, live, peak) != peak) { }
    }
}
