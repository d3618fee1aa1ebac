using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GnKernels.Benchmarks.Support;

/// <summary>
/// Throughput in elements per nanosecond from the mean time and an element count that the benchmark class declares
/// as <c>public static double ElementCount(string method, IReadOnlyDictionary&lt;string, object&gt; parameters)</c>
/// (0 hides the cell, e.g. for benchmarks that are measured only once across a parameter).
/// </summary>
public sealed class ElementsPerNsColumn() : CustomColumn("Elements/ns", "el/ns", 1,
    "Elements processed per nanosecond (element count / mean time)")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        MethodInfo? count = benchmarkCase.Descriptor.Type.GetMethod("ElementCount", BindingFlags.Public | BindingFlags.Static);
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (count is null || stats is null || stats.Mean <= 0) return "-";
        var parameters = benchmarkCase.Parameters.Items.ToDictionary(p => p.Name, p => p.Value);
        double elements = (double)count.Invoke(null, [benchmarkCase.Descriptor.WorkloadMethod.Name, parameters])!;
        return elements > 0 ? (elements / stats.Mean).ToString("F3") : "-";
    }
}
