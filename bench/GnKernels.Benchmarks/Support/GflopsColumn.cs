using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GnKernels.Benchmarks.Support;

/// <summary>GFLOP/s from the mean time and the class's declared <c>FlopCount</c> (see <see cref="DeclaredCount"/>).</summary>
public sealed class GflopsColumn() : CustomColumn("GFLOP/s", "GFLOP/s", 0,
    "Billions of floating-point operations per second (nominal flop count / mean time)")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        DeclaredCount.PerNs(summary, benchmarkCase, "FlopCount")?.ToString("F2") ?? "-";
}
