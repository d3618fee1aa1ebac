using GnKernels.Data;
using GnKernels.Cli.Output;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Cli.Commands;

/// <summary>`gnk train`: one method, progress, CSV and plot.</summary>
internal static class TrainCommand
{
    public static int Run(RunSettings settings, string methodName)
    {
        if (Prepare(settings) is { } error) return Fail(error);
        var method = CommandLine.ParseMethod(methodName);
        using var data = settings.Data();
        var model = settings.Model();
        Console.WriteLine($"{data.Description}");
        Console.WriteLine($"student {model}, N = {settings.N}, τ₀ = {settings.Tau0}, {StepNote(method, settings)}");

        var result = TrainOne(settings, model, data, method);
        Console.Write(result.Report());
        string csv = RunFiles.WriteCsv(settings.OutputDirectory, result);
        string png = RunFiles.WritePlot(Path.Combine(settings.OutputDirectory, "loss.png"),
            $"{RunFiles.MethodName(method)}: N = {settings.N}, M = {settings.M}, τ₀ = {settings.Tau0}", [result]);
        Console.WriteLine($"wrote {csv} and {png}");
        return Outcome(result);
    }

    /// <summary>Validates the settings and the output folder and sets the BLAS threads; returns an error line or null.</summary>
    internal static string? Prepare(RunSettings settings)
    {
        if (settings.Validate() is { } problem) return problem;
        if (RunFiles.PrepareDirectory(settings.OutputDirectory) is { } folderProblem) return folderProblem;
        if (settings.Threads > 0) BlasThreads.Count = settings.Threads;
        return null;
    }

    internal static TrainingResult TrainOne(RunSettings settings, TwoLayerSilu model, SyntheticDataset data, TrainingMethod method)
    {
        double[] w = TeacherStudent.InitialParameters(model, settings.Tau0, settings.Seed + 1);
        return Progress.Run(RunFiles.MethodName(method), onIteration => Trainer.Train(model, data, w, settings.Options(method, onIteration)));
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
        (TrainingMethod.GgnScore, _) => settings.GgnTextbookMetric
            ? "regularizer metric H = τ·diag h'' (textbook)"
            : "regularizer metric H = diag h'' (the authors' released code)",
        _ => "no learning rate",
    };
}
