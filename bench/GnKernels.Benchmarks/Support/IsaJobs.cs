using BenchmarkDotNet.Jobs;

namespace GnKernels.Benchmarks.Support;

/// <summary>
/// "How would it run on an older CPU": one job per process-level ISA setting, each paired with the OpenBLAS kernels
/// of a CPU of that generation. Opt in with <c>--isa-jobs</c>; by default the suite runs one job as the machine is.
/// DOTNET_EnableAVX512F=0 is ignored by .NET 10 (DOTNET_EnableAVX512=0 is the switch), and DOTNET_EnableAVX2=0 also
/// disables FMA.
/// </summary>
public static class IsaJobs
{
    public static readonly IReadOnlyList<(string Id, (string Name, string Value)[] Environment)> Settings =
    [
        ("v512", [("OPENBLAS_CORETYPE", "SkylakeX")]),
        ("v256", [("DOTNET_EnableAVX512", "0"), ("OPENBLAS_CORETYPE", "Haswell")]),
        ("avx", [("DOTNET_EnableAVX2", "0"), ("OPENBLAS_CORETYPE", "Sandybridge")]),
        ("scalar", [("DOTNET_EnableHWIntrinsic", "0"), ("OPENBLAS_CORETYPE", "Nehalem")]),
    ];

    /// <summary>Set from the command line before BenchmarkDotNet builds the configs.</summary>
    public static bool Enabled { get; set; }

    public static IEnumerable<Job> Jobs(Job template) => Settings.Select(s =>
        template.WithEnvironmentVariables([.. s.Environment.Select(e => new EnvironmentVariable(e.Name, e.Value))]).WithId(s.Id));
}
