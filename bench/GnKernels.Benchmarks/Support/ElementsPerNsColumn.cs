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
public sealed class ElementsPerNsColumn : IColumn
{
    public string Id => "Elements/ns";
    public string ColumnName => "el/ns";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Elements processed per nanosecond (element count / mean time)";

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        MethodInfo? count = benchmarkCase.Descriptor.Type.GetMethod("ElementCount", BindingFlags.Public | BindingFlags.Static);
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (count is null || stats is null || stats.Mean <= 0) return "-";
        var parameters = benchmarkCase.Parameters.Items.ToDictionary(p => p.Name, p => p.Value);
        double elements = (double)count.Invoke(null, [benchmarkCase.Descriptor.WorkloadMethod.Name, parameters])!;
        return elements > 0 ? (elements / stats.Mean).ToString("F3") : "-";
    }
}
