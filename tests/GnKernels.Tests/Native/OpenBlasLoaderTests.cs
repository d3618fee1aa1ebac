using System.Diagnostics;
using GnKernels.Linalg;
using GnKernels.Native;

namespace GnKernels.Tests.Native;

public class OpenBlasLoaderTests
{
    [Fact]
    public void Missing_library_lists_every_path_tried_and_the_fix()
    {
        string empty = Directory.CreateTempSubdirectory("gnk-empty-").FullName;
        try
        {
            var probe = new OpenBlasProbe(null, [empty], ["libopenblas-gnk-missing.so.0", "libopenblas-gnk-missing.so"]);
            var e = Assert.Throws<OpenBlasNotFoundException>(() => OpenBlasLoader.Load(probe));
            Assert.Contains(Path.Combine(empty, "libopenblas.so.0"), e.Message);
            Assert.Contains("libopenblas-gnk-missing.so.0", e.Message);
            Assert.Contains("libopenblas-gnk-missing.so:", e.Message);
            Assert.Contains("Fix:", e.Message);
            Assert.Equal(3, e.Attempts.Count);
            Assert.All(e.Attempts, a => Assert.False(string.IsNullOrWhiteSpace(a.Error)));
        }
        finally { Directory.Delete(empty); }
    }

    [Fact]
    public void Explicit_path_that_fails_has_no_fallback()
    {
        var probe = new OpenBlasProbe("/nonexistent/libopenblas.so.0", [AppContext.BaseDirectory], ["libopenblas.so.0"]);
        var e = Assert.Throws<OpenBlasNotFoundException>(() => OpenBlasLoader.Load(probe));
        Assert.Single(e.Attempts);
        Assert.Contains("GNKERNELS_OPENBLAS", e.Message);
        Assert.Contains("/nonexistent/libopenblas.so.0", e.Message);
    }

    [Fact]
    public void The_staged_copy_is_loaded_and_is_LP64()
    {
        LoadedOpenBlas loaded = OpenBlasLoader.Loaded;
        Assert.True(File.Exists(loaded.LoadedFrom), loaded.LoadedFrom);
        OpenBlasAbi.EnsureLp64(loaded.Handle, loaded.LoadedFrom); // throws for ILP64
        Assert.Contains("OpenBLAS", OpenBlasLibrary.ConfigString);
    }

    [Fact]
    public void Thread_count_round_trips_and_scopes_restore_it()
    {
        int before = BlasThreads.Count;
        try
        {
            BlasThreads.Count = 1;
            Assert.Equal(1, BlasThreads.Count);
            BlasThreads.Count = 2;
            using (BlasThreads.SingleThreaded()) Assert.Equal(1, BlasThreads.Count);
            Assert.Equal(2, BlasThreads.Count);
            Assert.Throws<ArgumentOutOfRangeException>(() => BlasThreads.Count = 0);
        }
        finally { BlasThreads.Count = before; }
    }

    [Fact]
    public void Describe_reports_runtime_cpu_and_blas()
    {
        string text = Platform.Describe();
        Assert.Contains(".NET", text);
        Assert.Contains("OpenBLAS 0.3", text);
        Assert.Contains("threads", text);
        Assert.Contains("libopenblas", text);
        Assert.Contains("SiLU path", text);
    }

    [Fact]
    public void Cli_info_exits_non_zero_with_the_loader_message_when_openblas_is_missing()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "gnk.dll");
        var start = new ProcessStartInfo("dotnet", [cli, "info"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["GNKERNELS_OPENBLAS"] = "/nonexistent/libopenblas.so.0";
        using var p = Process.Start(start)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.NotEqual(0, p.ExitCode);
        Assert.Contains("/nonexistent/libopenblas.so.0", err);
        Assert.DoesNotContain("   at ", err); // no stack trace
    }
}
