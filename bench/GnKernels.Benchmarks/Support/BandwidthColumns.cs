using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GnKernels.Benchmarks.Support;

/// <summary>GB/s moved: the class's declared <c>ByteCount</c> (bytes read and written per operation) / mean time.</summary>
public sealed class BandwidthColumn() : CustomColumn("Bandwidth", "GB/s", 3, "Bytes read and written per nanosecond (= GB/s)")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        DeclaredCount.PerNs(summary, benchmarkCase, "ByteCount")?.ToString("F1") ?? "-";
}

/// <summary>
/// GB/s as a fraction of a plain copy's GB/s at the same parameters in the same run: the memory roofline. The copy is
/// the benchmark method named by the class's <c>public const string CopyYardstick</c>, found in any class of the run.
/// </summary>
public sealed class CopyFractionColumn() : CustomColumn("CopyFraction", "of copy", 4, "GB/s as a fraction of a copy of the same size (same run)")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var reference = ReferenceCase.FindDeclared(summary, benchmarkCase, "CopyYardstick");
        return reference is null ? "-"
            : ReferenceCase.Ratio(DeclaredCount.PerNs(summary, benchmarkCase, "ByteCount"), DeclaredCount.PerNs(summary, reference, "ByteCount"));
    }
}
