using System.Globalization;
using GnKernels.Cli.Output;
using GnKernels.Solvers;
using nietras.SeparatedValues;

namespace GnKernels.Cli.Sweep;

/// <summary>A finished cell: how its run ended and its losses.</summary>
internal sealed record SweepOutcome(SweepCell Cell, string Status, int Iterations, double Seconds, double LearningRate, double InitialTrainLoss, double TrainLoss, double TestLoss);

/// <summary>
/// A sweep's folder: <c>sweep.json</c> (what decides a cell's result), <c>cells.csv</c> (one row per finished cell,
/// appended and flushed as each ends, so an interrupted sweep keeps its finished cells and a rerun skips them) and
/// <c>cells/&lt;τ₀, N, seed&gt;/&lt;method&gt;.csv</c> (each run's iterations).
/// </summary>
internal sealed class SweepStore
{
    private const string Header = "tau0,n,method,seed,status,iterations,seconds,lr,initial_train_loss,train_loss,test_loss";
    private readonly string _folder;

    private SweepStore(string folder, Dictionary<string, SweepOutcome> finished) => (_folder, Finished) = (folder, finished);

    /// <summary>Finished cells by <see cref="SweepCell.Key"/>.</summary>
    public IReadOnlyDictionary<string, SweepOutcome> Finished { get; }

    public string CellsPath => Path.Combine(_folder, "cells.csv");

    /// <summary>Opens the folder for <paramref name="plan"/>; null with a one-line problem if it holds a different sweep.</summary>
    public static SweepStore? Open(string folder, SweepPlan plan, out string? problem)
    {
        problem = null;
        string fingerprintPath = Path.Combine(folder, "sweep.json"), fingerprint = plan.Fingerprint();
        if (File.Exists(fingerprintPath) && File.ReadAllText(fingerprintPath).Trim() != fingerprint)
        {
            problem = $"{folder} holds a sweep with other settings ({File.ReadAllText(fingerprintPath).Trim()}); rerun with those, or give another --out.";
            return null;
        }
        File.WriteAllText(fingerprintPath, fingerprint + "\n");
        var finished = new Dictionary<string, SweepOutcome>();
        string cells = Path.Combine(folder, "cells.csv");
        if (File.Exists(cells) && new FileInfo(cells).Length > 0)
        {
            // A row cut short (a crash mid-write) is reported as such, not as the parser's column-count error.
            using var reader = Sep.Reader(o => o with { HasHeader = true, DisableColCountCheck = true, CultureInfo = CultureInfo.InvariantCulture }).FromFile(cells);
            int line = 1;
            foreach (var row in reader)
            {
                line++;
                if (!Parseable(row))
                {
                    problem = $"{cells} line {line} is not a finished run's row ('{row.Span.ToString()}'); delete that line (the run reruns) and start again.";
                    return null;
                }
                string name = row["method"].ToString();
                var method = SweepPlan.SupportedMethods.Single(m => RunFiles.MethodName(m) == name);
                var cell = new SweepCell(row["tau0"].Parse<double>(), row["n"].Parse<int>(), method, row["seed"].Parse<int>());
                finished[cell.Key] = new SweepOutcome(cell, row["status"].ToString(), row["iterations"].Parse<int>(), row["seconds"].Parse<double>(), row["lr"].Parse<double>(),
                    row["initial_train_loss"].Parse<double>(), row["train_loss"].Parse<double>(), row["test_loss"].Parse<double>());
            }
        }
        else File.WriteAllText(cells, Header + "\n");
        return new SweepStore(folder, finished);
    }

    private static bool Parseable(SepReader.Row row)
    {
        if (row.ColCount != Header.Split(',').Length) return false;
        string name = row["method"].ToString();
        return SweepPlan.SupportedMethods.Any(m => RunFiles.MethodName(m) == name)
            && row["tau0"].TryParse<double>() is not null && row["n"].TryParse<int>() is not null && row["seed"].TryParse<int>() is not null
            && row["iterations"].TryParse<int>() is not null && row["seconds"].TryParse<double>() is not null && row["lr"].TryParse<double>() is not null
            && row["initial_train_loss"].TryParse<double>() is not null && row["train_loss"].TryParse<double>() is not null
            && row["test_loss"].TryParse<double>() is not null;
    }

    /// <summary>Writes the run's iterations, then its row (flushed): a cell counts as finished only once both are on disk.</summary>
    public SweepOutcome Record(SweepCell cell, TrainingResult result, double learningRate)
    {
        string cellFolder = Path.Combine(_folder, "cells", cell.FolderName);
        Directory.CreateDirectory(cellFolder);
        RunFiles.WriteCsv(cellFolder, result);
        var outcome = new SweepOutcome(cell, result.Status.ToString(), result.Iterations, result.Final.ElapsedSeconds, learningRate,
            result.Records[0].TrainLoss, result.Final.TrainLoss, result.LastTestLoss());
        var inv = CultureInfo.InvariantCulture;
        string line = string.Join(',', cell.Tau0.ToString("R", inv), cell.N.ToString(inv), RunFiles.MethodName(cell.Method), cell.Seed.ToString(inv),
            outcome.Status, outcome.Iterations.ToString(inv), outcome.Seconds.ToString("R", inv), learningRate.ToString("R", inv), outcome.InitialTrainLoss.ToString("R", inv),
            outcome.TrainLoss.ToString("R", inv), outcome.TestLoss.ToString("R", inv));
        using (var stream = new FileStream(CellsPath, FileMode.Append, FileAccess.Write))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(line + "\n");
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        return outcome;
    }

    /// <summary>A finished run's (iteration, train loss, test loss) rows, read back from its CSV.</summary>
    public IReadOnlyList<(int Iteration, double Train, double Test)> Curve(SweepCell cell)
    {
        string path = RunFiles.CsvPath(Path.Combine(_folder, "cells", cell.FolderName), cell.Method);
        var rows = new List<(int, double, double)>();
        if (!File.Exists(path)) return rows;
        using var reader = Sep.Reader(o => o with { HasHeader = true, CultureInfo = CultureInfo.InvariantCulture }).FromFile(path);
        foreach (var row in reader)
        {
            string test = row["test_loss"].ToString();
            rows.Add((row["iteration"].Parse<int>(), row["train_loss"].Parse<double>(), test.Length == 0 ? double.NaN : double.Parse(test, CultureInfo.InvariantCulture)));
        }
        return rows;
    }
}
