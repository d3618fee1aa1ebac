using GnKernels.Cli.Output;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Cli.Commands;

/// <summary>
/// `gnk train`: one method on synthetic or file data; progress, then CSV (streamed as the run goes), plot,
/// summary.json and, with --save, the model and its predictions on the data file. Ctrl+C or SIGTERM ends the run at the
/// next iteration with every file written (exit 130/143).
/// </summary>
internal static class TrainCommand
{
    public static int Run(RunSettings settings, string methodName)
    {
        var method = CommandLine.ParseMethod(methodName);
        if (settings.Validate() is { } problem) return Fail(problem);
        using var folder = OutputFolder.TryTake(settings.OutputDirectory, out string? folderProblem);
        if (folder is null) return Fail(folderProblem!);
        if (settings.Threads > 0) BlasThreads.Count = settings.Threads;
        foreach (string ignored in settings.Ignored(method)) Console.Error.WriteLine($"gnk: warning: {ignored}");

        using var data = RunData.Load(settings);
        var model = settings.Model(data.Dimension);
        Console.WriteLine(data.Description);
        Console.WriteLine($"network {model}, N = {data.TrainX.Rows}, τ₀ = {settings.Tau0}, {StepNote(method, settings)}");
        if (method == TrainingMethod.GaussNewton && settings.SolverNote() is { } solverNote) Console.WriteLine(solverNote);

        using var interruption = new Interruption();
        TrainingResult result;
        double[] w = TeacherStudent.InitialParameters(model, settings.Tau0, settings.Seed + 1);
        using (var csv = new CsvStream(folder.Path, method))
            result = Train(settings, model, data, method, w, csv, interruption);
        Console.Write(result.Report());

        string csvPath = RunFiles.WriteCsv(folder.Path, result);
        string png = RunFiles.WritePlot(folder.File("loss.png"), $"{RunFiles.MethodName(method)}: N = {data.TrainX.Rows}, M = {settings.M}, τ₀ = {settings.Tau0}", [result]);
        var summary = RunSummary.Of(result, settings, interruption.Requested ? interruption.SignalName : null);
        RunSummary.Write(folder.File("summary.json"), summary);
        Console.WriteLine($"wrote {csvPath}, {png} and {folder.File("summary.json")}");
        if (settings.SavePath is { } savePath) Save(savePath, model, w, data, summary, folder);

        if (interruption.Requested)
        {
            Console.Error.WriteLine($"gnk: interrupted by {interruption.SignalName} after iteration {result.Iterations}; the files above hold the run so far.");
            return interruption.ExitCode;
        }
        return Outcome(result);
    }

    /// <summary>Trains with live progress; every record is streamed to <paramref name="csv"/>; a signal stops the run.</summary>
    internal static TrainingResult Train(RunSettings settings, TwoLayerSilu model, RunData data, TrainingMethod method, double[] w,
        CsvStream? csv, Interruption? interruption)
    {
        // Only GN's matrix-free solver was sized for recomputed activations; the other methods read them whole.
        using var train = new TwoLayerSiluRegression(model, data.TrainX, data.TrainY)
        {
            ActivationRows = method == TrainingMethod.GaussNewton ? settings.ActivationRows : null,
        };
        using var test = data.TestX is { Rows: > 0 } testX ? new TwoLayerSiluRegression(model, testX, data.TestY) : null;
        return Progress.Run(RunFiles.MethodName(method), progress => Trainer.Train(train, w,
            settings.Options(method, (record, parameters, z) =>
            {
                csv?.Append(record);
                var decision = progress(record, parameters, z);
                return interruption?.Requested == true ? IterationDecision.Stop : decision;
            }, data.TeacherHiddenWeights), test));
    }

    /// <summary>The model file, and the model's predictions on the whole data file, as `gnk predict` computes them.</summary>
    private static void Save(string path, TwoLayerSilu model, double[] w, RunData data, System.Text.Json.Nodes.JsonObject summary, OutputFolder folder)
    {
        var saved = new SavedModel(model, w, data.FeatureNames, data.TargetName, data.Standardization, summary);
        saved.Save(path);
        if (data.Source is { } source)
        {
            var predictions = new double[source.Count];
            saved.Predict(source.Features, predictions);
            RunFiles.WritePredictions(folder.File("predictions.csv"), predictions);
            Console.WriteLine($"wrote {path} and {folder.File("predictions.csv")} (the model's predictions for {source.Source})");
        }
        else Console.WriteLine($"wrote {path}");
    }

    internal static int Outcome(TrainingResult result)
    {
        if (result.Status is TrainingStatus.Diverged or TrainingStatus.Stalled or TrainingStatus.NotSolvable)
        {
            Console.Error.WriteLine($"gnk: {RunFiles.MethodName(result.Method)} {result.Status.ToString().ToLowerInvariant()}: {result.Message}");
            return CommandLine.RunFailed;
        }
        return 0;
    }

    internal static int Fail(string message)
    {
        Console.Error.WriteLine($"gnk: {message}");
        return CommandLine.BadInput;
    }

    /// <summary>The step convention a method runs with, as the run's header states it.</summary>
    internal static string StepNote(TrainingMethod method, RunSettings settings) => (method, settings.GradientDescentStep) switch
    {
        (TrainingMethod.GaussNewton, _) when settings.GaussNewtonStep == GaussNewtonStepRule.Fixed =>
            $"fixed step λ = {settings.LearningRate ?? 10} on g = (f − y)/N (Arbel's convention; λ = N is pure GN)",
        (TrainingMethod.GaussNewton, _) => $"backtracking line search from λ = {settings.LearningRate?.ToString() ?? "N"} on g = (f − y)/N (the full GN step)",
        (TrainingMethod.GradientDescent, GradientStepRule.Normalized) =>
            $"step {settings.LearningRate ?? 1}/L̂ with L̂ = λ_max(JJᵀ)/N at the start (normalized rule)",
        (TrainingMethod.GradientDescent, _) => $"step η = {settings.LearningRate ?? 10} on ∇L (Arbel's literal rule)",
        (TrainingMethod.GgnScore, _) => (settings.GgnTextbookMetric
            ? "regularizer metric H = τ·diag h'' (textbook)"
            : "regularizer metric H = diag h'' (the authors' released code)") +
            $", τ = {settings.GgnTau ?? new TrainingOptions().GgnTau:G3}, μ = {(settings.GgnMu is { } mu ? mu.ToString("G3") : "√M")}, " +
            $"step min(1, s/(1 + M_g·η)) with s = {(settings.GgnLipschitz is { } l ? $"min(1/L, 1), L = {l:G3}" : "0.5")}",
        _ => "no learning rate",
    };
}
