using System.Reflection;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GnKernels.Benchmarks.Support;

/// <summary>
/// Memory traffic of memory-bound kernels, from the bytes a benchmark class declares it reads and writes per
/// operation: <c>public static double ByteCount(string method, IReadOnlyDictionary&lt;string, object&gt; parameters)</c>
/// (0 hides the cell).
/// </summary>
internal static class Traffic
{
    public static double? BytesPerNs(Summary summary, BenchmarkCase c)
    {
        MethodInfo? count = c.Descriptor.Type.GetMethod("ByteCount", BindingFlags.Public | BindingFlags.Static);
        var stats = summary[c]?.ResultStatistics;
        if (count is null || stats is null || stats.Mean <= 0) return null;
        var parameters = c.Parameters.Items.ToDictionary(p => p.Name, p => p.Value);
        double bytes = (double)count.Invoke(null, [c.Descriptor.WorkloadMethod.Name, parameters])!;
        return bytes > 0 ? bytes / stats.Mean : null;
    }
}

/// <summary>GB/s moved (declared bytes / mean time; bytes per ns is GB/s).</summary>
public sealed class BandwidthColumn() : CustomColumn("Bandwidth", "GB/s", 3, "Bytes read and written per nanosecond (= GB/s)")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        Traffic.BytesPerNs(summary, benchmarkCase)?.ToString("F1") ?? "-";
}

/// <summary>
/// GB/s as a fraction of a plain copy's GB/s at the same parameters in the same run: the memory roofline. The copy is
/// the benchmark method named by the class's <c>public const string CopyYardstick</c>, found in any class of the run.
/// </summary>
public sealed class CopyFractionColumn() : CustomColumn("CopyFraction", "of copy", 4, "GB/s as a fraction of a copy of the same size (same run)")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.Type.GetField("CopyYardstick", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is not string copy)
            return "-";
        object? size = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "N")?.Value;
        var reference = summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.WorkloadMethod.Name == copy
            && Equals(c.Parameters.Items.FirstOrDefault(p => p.Name == "N")?.Value, size) && c.Job.Id == benchmarkCase.Job.Id);
        if (reference is null) return "-";
        double? rate = Traffic.BytesPerNs(summary, benchmarkCase), copyRate = Traffic.BytesPerNs(summary, reference);
        return rate is null || copyRate is null ? "-" : (rate.Value / copyRate.Value).ToString("F2");
    }
}
