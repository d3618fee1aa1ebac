using System.Text.Json;

namespace GnKernels.Cli.BenchCompare;

/// <summary>One benchmark case of a BenchmarkDotNet run: its identity and the per-operation times in ns.</summary>
internal sealed record BenchmarkCase(string Id, double[] Nanoseconds)
{
    public double Median
    {
        get
        {
            double[] s = [.. Nanoseconds.Order()];
            return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
        }
    }
}

/// <summary>Reads every <c>*-report-full.json</c> (BenchmarkDotNet's full JSON export) below a folder.</summary>
internal static class BenchmarkResults
{
    public static IReadOnlyDictionary<string, BenchmarkCase> Load(string folder)
    {
        if (!Directory.Exists(folder))
            throw new FileNotFoundException($"results folder '{folder}' does not exist; pass a folder holding BenchmarkDotNet *-report-full.json files (e.g. bench/results/<cpu>).");
        string[] files = Directory.GetFiles(folder, "*-report-full.json", SearchOption.AllDirectories);
        if (files.Length == 0)
            throw new FileNotFoundException($"no *-report-full.json below '{folder}'; run the benchmarks with the full JSON exporter (the suite's BenchConfig has it).");

        var cases = new Dictionary<string, BenchmarkCase>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            if (!doc.RootElement.TryGetProperty("Benchmarks", out var benchmarks))
                throw new InvalidDataException($"{file} has no 'Benchmarks' array; is it a BenchmarkDotNet full JSON report?");
            foreach (var b in benchmarks.EnumerateArray())
            {
                string id = Identity(b);
                if (!b.TryGetProperty("Statistics", out var stats) || stats.ValueKind != JsonValueKind.Object)
                    continue; // a case that failed to run has no statistics
                double[] values = [.. stats.GetProperty("OriginalValues").EnumerateArray().Select(v => v.GetDouble())];
                if (values.Length > 0) cases[id] = new BenchmarkCase(id, values);
            }
        }
        return cases;
    }

    /// <summary>Type.Method(parameters) @job: stable across runs of the same suite and config.</summary>
    private static string Identity(JsonElement b)
    {
        string type = b.GetProperty("Type").GetString() ?? "?";
        string method = b.GetProperty("Method").GetString() ?? "?";
        string parameters = b.TryGetProperty("Parameters", out var p) ? p.GetString() ?? "" : "";
        string job = "";
        if (b.TryGetProperty("DisplayInfo", out var display) && display.GetString() is { } text)
        {
            // "Type.'title': job(characteristics) [params]" → job
            int colon = text.IndexOf(": ", StringComparison.Ordinal);
            if (colon >= 0)
            {
                string rest = text[(colon + 2)..];
                int end = rest.IndexOfAny(['(', ' ', '[']);
                job = end < 0 ? rest : rest[..end];
            }
        }
        string id = parameters.Length > 0 ? $"{type}.{method}({parameters})" : $"{type}.{method}";
        return job.Length > 0 ? $"{id} @{job}" : id;
    }
}
