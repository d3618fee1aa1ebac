using System.Reflection;
using System.Runtime.InteropServices;

namespace GnKernels.Native;

/// <summary>Where to look for OpenBLAS; the defaults are the documented probe order.</summary>
internal sealed record OpenBlasProbe(string? ExplicitPath, IReadOnlyList<string> AppLocalDirectories, IReadOnlyList<string> SystemNames)
{
    public const string EnvironmentVariable = "GNKERNELS_OPENBLAS";

    /// <summary>Where the package's copy lands for this process's architecture in a portable build.</summary>
    public static string AppLocalSubdirectory =>
        RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "runtimes/linux-arm64/native" : "runtimes/linux-x64/native";

    // A portable build keeps the package's runtimes/ tree; a build or publish for one RID copies its natives next to
    // the app instead, so both places are app-local.
    public static OpenBlasProbe Default => new(
        ExplicitPath: Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } p ? p : null,
        AppLocalDirectories: [Path.Combine(AppContext.BaseDirectory, AppLocalSubdirectory), AppContext.BaseDirectory],
        SystemNames: ["libopenblas.so.0", "libopenblas.so"]);
}

/// <summary>A loaded OpenBLAS: its handle, the path it came from and the attempts that led there.</summary>
internal sealed record LoadedOpenBlas(nint Handle, string LoadedFrom, IReadOnlyList<OpenBlasLoadAttempt> Attempts);

/// <summary>
/// Finds OpenBLAS once per process and answers the runtime's request for <see cref="OpenBlasLibrary.Name"/>.
/// Probe order: <c>GNKERNELS_OPENBLAS</c> (no fallback if it is set and fails), the app-local staged copy
/// (with its Fortran runtime preloaded), then the system names.
/// </summary>
internal static class OpenBlasLoader
{
    private static readonly Lazy<LoadedOpenBlas> s_loaded = new(() =>
    {
        LoadedOpenBlas loaded = Load(OpenBlasProbe.Default);
        OpenBlasAbi.EnsureLp64(loaded.Handle, loaded.LoadedFrom);
        return loaded;
    });

    /// <summary>The process-wide OpenBLAS; throws <see cref="OpenBlasNotFoundException"/> if none loads.</summary>
    public static LoadedOpenBlas Loaded => s_loaded.Value;

#pragma warning disable CA2255 // The resolver must be in place before the first P/Invoke of this library.
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterResolver() =>
        NativeLibrary.SetDllImportResolver(typeof(OpenBlasLoader).Assembly, Resolve);

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == OpenBlasLibrary.Name ? Loaded.Handle : 0;

    /// <summary>Runs one probe; pure apart from dlopen, so tests can point it at empty folders.</summary>
    public static LoadedOpenBlas Load(OpenBlasProbe probe)
    {
        var attempts = new List<OpenBlasLoadAttempt>();

        if (probe.ExplicitPath is { } explicitPath)
        {
            if (TryLoad(explicitPath, attempts, out nint handle))
                return new LoadedOpenBlas(handle, explicitPath, attempts);
            // One candidate, so one line: what was tried, why it failed, the fix.
            throw new OpenBlasNotFoundException(
                $"{OpenBlasProbe.EnvironmentVariable} is set to '{explicitPath}', which could not be used ({attempts[^1].Error}); it is used " +
                $"without fallback. Fix: point {OpenBlasProbe.EnvironmentVariable} at an LP64 libopenblas.so, or unset it.", attempts);
        }

        foreach (string dir in probe.AppLocalDirectories)
        {
            // libopenblas.so.0 needs libgfortran.so.5 (which needs libquadmath.so.0); loading the staged
            // copies first lets the dynamic linker satisfy those NEEDED entries by soname.
            // They stay loaded for the process (a failure shows up as libopenblas's own load error).
            foreach (string dependency in (ReadOnlySpan<string>)["libquadmath.so.0", "libgfortran.so.5"])
            {
                string path = Path.Combine(dir, dependency);
                if (File.Exists(path)) NativeLibrary.TryLoad(path, out _);
            }
            string local = Path.Combine(dir, "libopenblas.so.0");
            if (TryLoad(local, attempts, out nint handle))
                return new LoadedOpenBlas(handle, local, attempts);
        }

        foreach (string name in probe.SystemNames)
        {
            if (TryLoad(name, attempts, out nint handle))
                return new LoadedOpenBlas(handle, DescribeLoadedPath(handle, name), attempts);
        }

        throw NotFound(attempts,
            "Fix: build the project (it stages OpenBLAS via native/stage-openblas.sh), or install Debian's " +
            $"libopenblas0-pthread ('sudo apt-get install libopenblas0-pthread'), or set {OpenBlasProbe.EnvironmentVariable} to a libopenblas.so path.");
    }

    private static bool TryLoad(string candidate, List<OpenBlasLoadAttempt> attempts, out nint handle)
    {
        try
        {
            nint loaded = NativeLibrary.Load(candidate);
            handle = loaded;
            // A library that loads but is not OpenBLAS (GNKERNELS_OPENBLAS pointing at the wrong file) would fail
            // later at its first call; name it here instead.
            string? missing = new[] { "openblas_get_config", "dpotrf_", "dsyrk_" }.FirstOrDefault(symbol => !NativeLibrary.TryGetExport(loaded, symbol, out _));
            if (missing is not null)
            {
                NativeLibrary.Free(loaded);
                attempts.Add(new OpenBlasLoadAttempt(candidate, $"loaded, but it is not OpenBLAS with LAPACK (it exports no {missing})"));
                handle = 0;
                return false;
            }
            attempts.Add(new OpenBlasLoadAttempt(candidate, null));
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // The runtime wraps dlerror()'s text in advice about strace; the last line is the reason.
            string reason = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
            attempts.Add(new OpenBlasLoadAttempt(candidate, reason));
            handle = 0;
            return false;
        }
    }

    private static OpenBlasNotFoundException NotFound(List<OpenBlasLoadAttempt> attempts, string fix)
    {
        var text = new System.Text.StringBuilder("OpenBLAS could not be loaded. Candidates tried, in order:");
        foreach (var a in attempts)
            text.Append("\n  - ").Append(a.Candidate).Append(a.Succeeded ? ": loaded" : $": {a.Error}");
        text.Append('\n').Append(fix);
        return new OpenBlasNotFoundException(text.ToString(), attempts);
    }

    // For a bare soname, report the file the dynamic linker actually picked (from /proc/self/maps).
    private static string DescribeLoadedPath(nint handle, string name)
    {
        if (!NativeLibrary.TryGetExport(handle, "openblas_get_config", out nint symbol)) return name;
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                string[] parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 6) continue;
                string[] range = parts[0].Split('-');
                ulong lo = Convert.ToUInt64(range[0], 16), hi = Convert.ToUInt64(range[1], 16);
                if ((ulong)symbol >= lo && (ulong)symbol < hi) return parts[5].Trim();
            }
        }
        catch (IOException) { }
        return name;
    }
}
