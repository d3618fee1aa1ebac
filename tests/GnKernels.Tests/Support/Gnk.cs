using System.Diagnostics;

namespace GnKernels.Tests.Support;

/// <summary>Runs the `gnk` command line (gnk.dll next to the tests) as a child process.</summary>
internal static class Gnk
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "gnk.dll"), .. args]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}
