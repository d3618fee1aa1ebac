namespace GnKernels.Benchmarks.Support;

/// <summary>
/// The process's peak resident memory from /proc/self/status (VmHWM), native buffers included: BenchmarkDotNet's
/// memory diagnoser counts managed bytes allocated per operation, not the peak held at once.
/// </summary>
internal static class PeakResident
{
    public static string Describe()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return "unavailable (no /proc)";
        string? line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is not null && long.TryParse(line["VmHWM:".Length..].Trim().Split(' ')[0], out long kib)
            ? $"{kib / 1e6 * 1.024:F2} GB ({kib} KiB)"
            : "unavailable (no VmHWM)";
    }
}
