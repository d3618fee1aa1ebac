using System.Globalization;
using GnKernels.Cli.Output;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Solvers;
using Spectre.Console;

namespace GnKernels.Cli.Commands;

/// <summary>`gnk compare`: GN, GD and random features from the same start on the same data.</summary>
internal static class CompareCommand
{
    private static readonly TrainingMethod[] Methods = [TrainingMethod.GaussNewton, TrainingMethod.GradientDescent, TrainingMethod.RandomFeatures];

    public static int Run(RunSettings settings)
    {
        if (settings.Validate() is { } problem) return TrainCommand.Fail(problem);
        using var folder = OutputFolder.TryTake(settings.OutputDirectory, out string? folderProblem);
        if (folder is null) return TrainCommand.Fail(folderProblem!);
        if (settings.Threads > 0) BlasThreads.Count = settings.Threads;
        foreach (string ignored in Methods.SelectMany(settings.Ignored).Distinct().Where(line => Methods.All(m => settings.Ignored(m).Contains(line))))
            Console.Error.WriteLine($"gnk: warning: {ignored}");

        using var data = RunData.Load(settings);
        var model = settings.Model(data.Dimension);
        Console.WriteLine(data.Description);
        Console.WriteLine($"network {model}, N = {data.TrainX.Rows}, τ₀ = {settings.Tau0}");
        Console.WriteLine($"GN: {TrainCommand.StepNote(TrainingMethod.GaussNewton, settings)}; GD: {TrainCommand.StepNote(TrainingMethod.GradientDescent, settings)}");

        using var interruption = new Interruption();
        var results = new List<TrainingResult>();
        foreach (var method in Methods)
        {
            if (interruption.Requested) break;
            double[] w = TeacherStudent.InitialParameters(model, settings.Tau0, settings.Seed + 1);
            using var csv = new CsvStream(folder.Path, method);
            results.Add(TrainCommand.Train(settings, model, data, method, w, csv, interruption));
        }

        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumns("method", "status", "iterations", "wall time", "train loss", "test loss", "λ_min (end)");
        foreach (var r in results)
        {
            double lambdaMin = r.Records.LastOrDefault(x => !double.IsNaN(x.LambdaMin))?.LambdaMin ?? double.NaN;
            table.AddRow(RunFiles.MethodName(r.Method), r.Status.ToString(), r.Iterations.ToString(inv), $"{r.Final.ElapsedSeconds:F1} s",
                r.Final.TrainLoss.ToString("E2", inv), Format(r.LastTestLoss()), Format(lambdaMin));
            RunFiles.WriteCsv(folder.Path, r);
        }
        AnsiConsole.Write(table);
        string png = RunFiles.WritePlot(folder.File("compare.png"), $"N = {data.TrainX.Rows}, M = {settings.M}, τ₀ = {settings.Tau0}", results);
        Console.WriteLine($"wrote {png} and one CSV per method in {folder.Path}");
        if (interruption.Requested)
        {
            Console.Error.WriteLine($"gnk: interrupted by {interruption.SignalName}; the table and files hold the runs so far.");
            return interruption.ExitCode;
        }
        return results.Select(TrainCommand.Outcome).Max();

        string Format(double v) => double.IsNaN(v) ? "-" : v.ToString("E2", inv);
    }
}
