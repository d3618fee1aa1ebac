using System.Diagnostics;

namespace GnKernels.Tests.Support;

/// <summary>Runs the `gnk` command line (gnk.dll next to the tests) as a child process.</summary>
internal static class Gnk
{
    public static (int Exit, string Out, string Err) Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    public static (int Exit, string Out, string Err) Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var p = Start(environment, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    /// <summary>Starts gnk with redirected output, for tests that talk to the running process.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "gnk.dll"), .. args])
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return Process.Start(start)!;
    }
}
