using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GnKernels.Benchmarks.Support;

/// <summary>
/// GFLOP/s from the mean time and a flop count that the benchmark class declares as
/// <c>public static double FlopCount(string method, IReadOnlyDictionary&lt;string, object&gt; parameters)</c>.
/// </summary>
public sealed class GflopsColumn() : CustomColumn("GFLOP/s", "GFLOP/s", 0,
    "Billions of floating-point operations per second (nominal flop count / mean time)")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? flops = Flops(benchmarkCase);
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (flops is null || stats is null || stats.Mean <= 0) return "-";
        return (flops.Value / stats.Mean).ToString("F2"); // flop per ns = GFLOP/s
    }

    internal static double? Flops(BenchmarkCase benchmarkCase)
    {
        MethodInfo? count = benchmarkCase.Descriptor.Type.GetMethod("FlopCount", BindingFlags.Public | BindingFlags.Static);
        if (count is null) return null;
        var parameters = benchmarkCase.Parameters.Items.ToDictionary(p => p.Name, p => p.Value);
        double flops = (double)count.Invoke(null, [benchmarkCase.Descriptor.WorkloadMethod.Name, parameters])!;
        return flops > 0 ? flops : null;
    }
}
