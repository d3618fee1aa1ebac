using System.Diagnostics;
using BenchmarkDotNet.Helpers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using GnKernels.Benchmarks.Support;

// `--describe` prints this process's platform (used for each ISA job's environment); `--isa-jobs` runs every
// benchmark under the process-level ISA settings of IsaJobs; `--short` picks the short suite's sizes and `--paths V256`
// the SIMD paths of the SiLU benchmarks (Suite).
// Everything else goes to BenchmarkDotNet.
if (args is ["--describe"])
{
    Console.WriteLine(GnKernels.Platform.Describe());
    return 0;
}
IsaJobs.Enabled = args.Contains("--isa-jobs");
Suite.Short = args.Contains("--short");
int pathsAt = Array.IndexOf(args, "--paths");
if (pathsAt >= 0)
{
    if (pathsAt + 1 >= args.Length || !args[pathsAt + 1].Split(',').All(p => Enum.TryParse(p, out GnKernels.Simd.SimdPath path) && Enum.IsDefined(path) && !int.TryParse(p, out _)))
    {
        Console.Error.WriteLine("--paths takes a comma-separated list of SIMD paths: Scalar, V128, V256, V512 (e.g. --paths V256).");
        return 2;
    }
    Suite.PathsChosen = [.. args[pathsAt + 1].Split(',').Select(Enum.Parse<GnKernels.Simd.SimdPath>)];
    args = [.. args.Take(pathsAt), .. args.Skip(pathsAt + 2)];
}
args = [.. args.Where(a => a is not "--isa-jobs" and not "--short")];

// Every report starts with the platform description, so results from different machines are comparable.
string description = IsaJobs.Enabled
    ? string.Join("\n", IsaJobs.Settings.Select(s => $"## job {s.Id}: {string.Join(" ", s.Environment.Select(e => $"{e.Name}={e.Value}"))}\n{DescribeWith(s.Environment)}"))
    : GnKernels.Platform.Describe();
Console.WriteLine(description);
Console.WriteLine();
IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
foreach (Summary summary in summaries)
{
    string report = GitHubReportPath(summary);
    if (File.Exists(report))
        File.WriteAllText(report, $"```\n{description.TrimEnd()}\n```\n\n{File.ReadAllText(report)}");
    else
        Console.Error.WriteLine($"warning: no report at {report} to head with the platform description");
}
return 0;

// Where BenchmarkDotNet's exporters write a summary's report: named after the benchmark type when the summary holds
// one type, after the summary's title (a joined run) otherwise.
static string GitHubReportPath(Summary summary)
{
    Type[] types = [.. summary.BenchmarksCases.Select(c => c.Descriptor.Type).Distinct()];
    string name = types.Length == 1 ? FolderNameHelper.ToFolderName(types[0]) : summary.Title;
    return Path.Combine(summary.ResultsDirectoryPath, $"{name}-report-github.md");
}

// This program again with the job's environment: the platform exactly as the job's benchmark processes see it.
static string DescribeWith((string Name, string Value)[] environment)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        start.ArgumentList.Add(typeof(Program).Assembly.Location); // running under the muxer, not the apphost
    start.ArgumentList.Add("--describe");
    foreach (var (name, value) in environment) start.Environment[name] = value;
    using var process = Process.Start(start)!;
    string text = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    return process.ExitCode == 0 ? text.TrimEnd() : $"(describe failed: exit {process.ExitCode}) {process.StandardError.ReadToEnd().Trim()}";
}
