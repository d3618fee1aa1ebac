using System.Globalization;
using System.Net;

namespace GnKernels.Cli.BenchReport;

/// <summary>One benchmark row of a report: its identity, mean time and the suite's rate columns (NaN where empty).</summary>
internal sealed record ReportRow(string Type, string Method, string Parameters, string Job, double MeanNs, double Gflops, double ElementsPerNs, double GBps)
{
    public string Kernel => $"{Method}{(Parameters.Length > 0 ? $" [{Parameters}]" : "")}";
    public int Threads => Parameters.Split(", ").Select(p => p.Split('=')).Where(kv => kv[0] == "Threads").Select(kv => int.Parse(kv[1], CultureInfo.InvariantCulture)).FirstOrDefault(1);
}

/// <summary>
/// A folder of results for one machine: the rows of its BenchmarkDotNet GitHub-markdown reports (which carry the
/// suite's GFLOP/s, el/ns and GB/s columns) and the platform its reports describe.
/// </summary>
internal sealed class ResultFolder
{
    private static readonly string[] ParameterColumns = ["Threads", "N", "Shape", "Path"];

    public required string Label { get; init; }
    public required string Cpu { get; init; }
    public required string BlasCore { get; init; }
    public required IReadOnlyList<ReportRow> Rows { get; init; }

    /// <summary>The calibrated limit named by its method (MachineCalibration), or NaN.</summary>
    public double Limit(string method, Func<ReportRow, double> value) =>
        Rows.Where(r => r.Type == "MachineCalibration" && r.Method.Contains(method, StringComparison.Ordinal)).Select(value).DefaultIfEmpty(double.NaN).First();

    public static ResultFolder Load(string folder)
    {
        if (!Directory.Exists(folder))
            throw new FileNotFoundException($"results folder '{folder}' does not exist; pass folders such as bench/results/<cpu>.");
        string[] files = Directory.GetFiles(folder, "*-report-github.md", SearchOption.AllDirectories);
        if (files.Length == 0) throw new FileNotFoundException($"no *-report-github.md in '{folder}'; run the suite (dotnet cake --target=Bench).");
        var rows = new Dictionary<string, ReportRow>();
        string cpu = "", core = "";
        foreach (string file in files.Order())
        {
            string[] lines = File.ReadAllLines(file);
            // The most specific description wins (newer reports name the CPU's family and model).
            if (Field(lines, "CPU") is { } described && described.Length > cpu.Length) cpu = described;
            core = core.Length > 0 ? core : Field(lines, "BLAS core").Split(',')[0];
            // A report whose cases all ran in one job leaves the Job column out; its environment block names the job.
            string[] jobs = lines.Select(l => l.Trim()).Where(l => l.Contains(" : .NET", StringComparison.Ordinal) && !l.StartsWith('['))
                .Select(l => l[..l.IndexOf(' ')]).ToArray();
            string onlyJob = jobs.Length == 1 ? jobs[0] : "";
            string[]? header = null;
            foreach (string line in lines.Where(l => l.StartsWith('|')))
            {
                string[] cells = line.Trim('|').Split('|').Select(c => WebUtility.HtmlDecode(c.Replace("**", "").Trim())).ToArray();
                if (header is null) { header = cells; continue; }
                if (cells.All(c => c.Length == 0 || c.All(ch => ch is '-' or ':'))) continue;
                string Cell(string name) => Array.IndexOf(header, name) is var i and >= 0 && i < cells.Length ? cells[i] : "";
                string parameters = string.Join(", ", ParameterColumns.Where(p => Cell(p) is { Length: > 0 } v && v != "?").Select(p => $"{p}={Cell(p)}"));
                var row = new ReportRow(Cell("Type"), Cell("Method").Trim('\''), parameters, Cell("Job") is { Length: > 0 } job ? job : onlyJob, Time(Cell("Mean")),
                    Number(Cell("GFLOP/s")), Number(Cell("el/ns")), Number(Cell("GB/s")));
                if (row.Type.Length > 0 && !double.IsNaN(row.MeanNs)) rows[$"{row.Type}|{row.Kernel}|{row.Job}"] = row;
            }
        }
        string label = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        return new ResultFolder { Label = label, Cpu = cpu.Length > 0 ? cpu : label, BlasCore = core.Length > 0 ? core : "?", Rows = [.. rows.Values] };
    }

    private static string Field(string[] lines, string name) =>
        lines.FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))?[name.Length..].Trim() ?? "";

    private static double Number(string text) =>
        double.TryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;

    /// <summary>"52,801,190.6 ns", "3.2 μs", "1.5 ms", "18.6 s" → ns.</summary>
    private static double Time(string text)
    {
        string[] parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2) return double.NaN;
        double scale = parts[1] switch { "ns" => 1, "μs" or "us" => 1e3, "ms" => 1e6, "s" => 1e9, _ => double.NaN };
        return Number(parts[0]) * scale;
    }
}
