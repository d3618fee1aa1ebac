using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GnKernels.Cli.Commands;
using GnKernels.Solvers;

namespace GnKernels.Cli.Output;

/// <summary>The machine-readable account of a run, <c>summary.json</c>: status, iterations, losses, times, settings, platform.</summary>
internal static class RunSummary
{
    public static JsonObject Of(TrainingResult result, RunSettings settings, string? interruptedBy)
    {
        var settingsJson = new JsonObject();
        foreach (var property in typeof(RunSettings).GetProperties().Where(p => p.Name != nameof(RunSettings.Given)).OrderBy(p => p.Name))
            settingsJson[property.Name] = property.GetValue(settings) switch
            {
                null => null,
                double d => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
                int i => JsonValue.Create(i),
                bool b => JsonValue.Create(b),
                var other => JsonValue.Create(Convert.ToString(other, CultureInfo.InvariantCulture)),
            };
        return new JsonObject
        {
            ["method"] = RunFiles.MethodName(result.Method),
            ["status"] = interruptedBy is null ? result.Status.ToString() : "Interrupted",
            ["message"] = interruptedBy is null ? result.Message : $"interrupted by {interruptedBy} after iteration {result.Iterations}.",
            ["iterations"] = result.Iterations,
            ["initialTrainLoss"] = Finite(result.Records[0].TrainLoss),
            ["finalTrainLoss"] = Finite(result.Final.TrainLoss),
            ["initialTestLoss"] = Finite(result.Records[0].TestLoss),
            ["finalTestLoss"] = Finite(result.LastTestLoss()),
            ["seconds"] = result.Final.ElapsedSeconds,
            ["cgIterations"] = result.Records.Sum(r => r.LinearIterations),
            ["preconditionerBuilds"] = result.Records.Count(r => r.PreconditionerRefreshed),
            ["retries"] = result.Records.Sum(r => r.Retries),
            ["settings"] = settingsJson,
            ["platform"] = Platform.Describe(),
        };
    }

    public static void Write(string path, JsonObject summary) =>
        File.WriteAllText(path, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    private static JsonNode? Finite(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
