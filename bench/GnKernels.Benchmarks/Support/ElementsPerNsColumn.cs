using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GnKernels.Benchmarks.Support;

/// <summary>Elements per nanosecond from the mean time and the class's declared <c>ElementCount</c> (see <see cref="DeclaredCount"/>).</summary>
public sealed class ElementsPerNsColumn() : CustomColumn("Elements/ns", "el/ns", 1,
    "Elements processed per nanosecond (element count / mean time)")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        DeclaredCount.PerNs(summary, benchmarkCase, "ElementCount")?.ToString("F3") ?? "-";
}
