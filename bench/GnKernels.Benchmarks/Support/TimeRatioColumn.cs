using System.Reflection;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GnKernels.Benchmarks.Support;

/// <summary>
/// Mean time over a reference benchmark's mean time in the same run (<see cref="ReferenceCase"/>), so a target stated
/// as a ratio (the fused SiLU within 1.3× the forward's time) reads off the table instead of being divided by hand.
/// The class names each method's reference in <c>public static string? TimeReference(string method)</c>.
/// </summary>
public sealed class TimeRatioColumn() : CustomColumn("TimeRatio", "× ref time", 5,
    "Mean time / the mean time of the method's reference (the class's TimeReference; same parameters it has, same run)")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        MethodInfo? declared = benchmarkCase.Descriptor.Type.GetMethod("TimeReference", BindingFlags.Public | BindingFlags.Static);
        if (declared?.Invoke(null, [benchmarkCase.Descriptor.WorkloadMethod.Name]) is not string method) return "-";
        var reference = ReferenceCase.Find(summary, benchmarkCase, method);
        return reference is null ? "-" : ReferenceCase.Ratio(summary[benchmarkCase]?.ResultStatistics?.Mean, summary[reference]?.ResultStatistics?.Mean);
    }
}
