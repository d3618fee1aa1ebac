using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GnKernels.Benchmarks.Support;

/// <summary>
/// A benchmark's GFLOP/s as a fraction of a yardstick benchmark's GFLOP/s measured in the same run with the same
/// parameters (a DSYRK or DGEMM of comparable shape). The class names its yardstick method in
/// <c>public const string Yardstick</c> and declares <c>FlopCount</c> (see <see cref="DeclaredCount"/>).
/// </summary>
public sealed class RooflineFractionColumn() : CustomColumn("RooflineFraction", "of BLAS", 2,
    "GFLOP/s as a fraction of the class's BLAS yardstick (same parameters, same run)")
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var reference = ReferenceCase.FindDeclared(summary, benchmarkCase, "Yardstick");
        return reference is null ? "-" : ReferenceCase.Ratio(Rate(summary, benchmarkCase), Rate(summary, reference));
    }

    private static double? Rate(Summary summary, BenchmarkCase c) => DeclaredCount.PerNs(summary, c, "FlopCount");
}
