using System.Globalization;
using GnKernels.Cli.Output;
using GnKernels.Solvers;
using Spectre.Console;

namespace GnKernels.Cli.Commands;

/// <summary>`gnk compare`: GN, GD and random features from the same start on the same data.</summary>
internal static class CompareCommand
{
    public static int Run(RunSettings settings)
    {
        if (TrainCommand.Prepare(settings) is { } error) return TrainCommand.Fail(error);
        using var data = settings.Data();
        var model = settings.Model();
        Console.WriteLine(data.Description);
        Console.WriteLine($"student {model}, N = {settings.N}, τ₀ = {settings.Tau0}");
        Console.WriteLine($"GN: {TrainCommand.StepNote(TrainingMethod.GaussNewton, settings)}; GD: {TrainCommand.StepNote(TrainingMethod.GradientDescent, settings)}");

        TrainingMethod[] methods = [TrainingMethod.GaussNewton, TrainingMethod.GradientDescent, TrainingMethod.RandomFeatures];
        var results = methods.Select(m => TrainCommand.TrainOne(settings, model, data, m)).ToList();

        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumns("method", "status", "iterations", "wall time", "train loss", "test loss", "λ_min (end)");
        foreach (var r in results)
        {
            double lambdaMin = r.Records.LastOrDefault(x => !double.IsNaN(x.LambdaMin))?.LambdaMin ?? double.NaN;
            table.AddRow(RunFiles.MethodName(r.Method), r.Status.ToString(), r.Iterations.ToString(inv), $"{r.Final.ElapsedSeconds:F1} s",
                r.Final.TrainLoss.ToString("E2", inv), r.LastTestLoss().ToString("E2", inv), double.IsNaN(lambdaMin) ? "-" : lambdaMin.ToString("E2", inv));
            RunFiles.WriteCsv(settings.OutputDirectory, r);
        }
        AnsiConsole.Write(table);
        string png = RunFiles.WritePlot(Path.Combine(settings.OutputDirectory, "compare.png"),
            $"N = {settings.N}, M = {settings.M}, τ₀ = {settings.Tau0}", results);
        Console.WriteLine($"wrote {png} and one CSV per method in {settings.OutputDirectory}");
        return results.Select(TrainCommand.Outcome).Max();
    }
}
