using System.Reflection;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GnKernels.Benchmarks.Support;

/// <summary>
/// Counts a benchmark class declares per operation as
/// <c>public static double &lt;Name&gt;(string method, IReadOnlyDictionary&lt;string, object&gt; parameters)</c>
/// (FlopCount, ElementCount, ByteCount; 0 hides the cell), and their rate per nanosecond of mean time.
/// </summary>
internal static class DeclaredCount
{
    public static double? Of(BenchmarkCase c, string name)
    {
        MethodInfo? count = c.Descriptor.Type.GetMethod(name, BindingFlags.Public | BindingFlags.Static);
        if (count is null) return null;
        var parameters = c.Parameters.Items.ToDictionary(p => p.Name, p => p.Value);
        double value = (double)count.Invoke(null, [c.Descriptor.WorkloadMethod.Name, parameters])!;
        return value > 0 ? value : null;
    }

    /// <summary>Count per ns (flop/ns = GFLOP/s, bytes/ns = GB/s), or null without a count or a measurement.</summary>
    public static double? PerNs(Summary summary, BenchmarkCase c, string name)
    {
        double? count = Of(c, name);
        var stats = summary[c]?.ResultStatistics;
        return count is null || stats is null || stats.Mean <= 0 ? null : count.Value / stats.Mean;
    }
}
