using System.Reflection;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GnKernels.Benchmarks.Support;

/// <summary>
/// The benchmark a column compares a case against: a named method measured in the same run and job, at the case's
/// values of every parameter the reference has (it may have fewer: a copy has N but no Path), from the case's own
/// class if that class has it, else from any class of the run.
/// </summary>
internal static class ReferenceCase
{
    public static BenchmarkCase? Find(Summary summary, BenchmarkCase c, string method) =>
        summary.BenchmarksCases
            .Where(r => r.Descriptor.WorkloadMethod.Name == method && r.Job.Id == c.Job.Id
                && r.Parameters.Items.All(p => c.Parameters.Items.Any(q => q.Name == p.Name && Equals(q.Value, p.Value))))
            .OrderBy(r => r.Descriptor.Type == c.Descriptor.Type ? 0 : 1)
            .FirstOrDefault();

    /// <summary>The reference whose method the case's class names in a public string const (<c>CopyYardstick</c>).</summary>
    public static BenchmarkCase? FindDeclared(Summary summary, BenchmarkCase c, string constName) =>
        c.Descriptor.Type.GetField(constName, BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is string method
            ? Find(summary, c, method)
            : null;

    /// <summary>A column's cell for numerator / denominator: two decimals, or "-" when either is missing.</summary>
    public static string Ratio(double? numerator, double? denominator) =>
        numerator is null || denominator is not > 0 ? "-" : (numerator.Value / denominator.Value).ToString("F2");
}
