using GnKernels.Cli.Output;
using GnKernels.Data;

namespace GnKernels.Cli.Commands;

/// <summary>`gnk predict`: a saved model's predictions for the rows of a CSV or .npy file, one per line.</summary>
internal static class PredictCommand
{
    public static int Run(string modelPath, string dataPath, string outputPath)
    {
        var model = SavedModel.Load(modelPath);
        using var data = RunData.Read(dataPath, model.TargetName, model.FeatureNames);
        var predictions = new double[data.Count];
        model.Predict(data.Features, predictions);
        RunFiles.WritePredictions(outputPath, predictions);
        Console.WriteLine($"wrote {predictions.Length} predictions of '{(model.TargetName.Length > 0 ? model.TargetName : "the target")}' for {dataPath} to {outputPath}");
        return 0;
    }
}
