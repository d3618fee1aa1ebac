using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Data;

/// <summary>
/// A trained <see cref="TwoLayerSilu"/> network with what it needs to predict on new raw data: the feature columns it
/// reads, the standardization it was trained under, its weights exactly, and a summary of the training run.
/// </summary>
/// <remarks>
/// The file is JSON (<see cref="FormatName"/>, version <see cref="FormatVersion"/>): <c>network</c> (inputDimension,
/// width, bias, scaling), <c>features</c> and <c>target</c> (column names), <c>standardization</c> (featureMeans,
/// featureScales, targetMean, targetScale, or null), <c>weightCount</c> and <c>weights</c> (base64 of the P
/// parameters as little-endian IEEE doubles, in the order of <see cref="TwoLayerSilu"/>: exact), and <c>training</c>
/// (free-form: method, status, losses, settings, platform). A file from a newer format version is refused.
/// </remarks>
public sealed class SavedModel
{
    /// <summary>The <c>format</c> field every model file carries.</summary>
    public const string FormatName = "gnkernels-two-layer-silu";

    /// <summary>The format version this library writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>A model to save; <paramref name="weights"/> is copied.</summary>
    public SavedModel(TwoLayerSilu network, ReadOnlySpan<double> weights, IReadOnlyList<string> featureNames, string targetName,
        Standardization? standardization, JsonObject? training = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(featureNames);
        network.CheckParameterLength(weights, nameof(weights));
        Guard.Finite(weights, nameof(weights));
        Guard.Length(featureNames.Count, network.InputDimension, nameof(featureNames), $"one name per input of the network (d = {network.InputDimension})");
        if (standardization is not null && standardization.FeatureMeans.Count != network.InputDimension)
            Guard.ThrowArgument(nameof(standardization), $"the standardization has {standardization.FeatureMeans.Count} features; the network takes {network.InputDimension}.");
        (Network, Weights, FeatureNames, TargetName, Standardization, Training) = (network, weights.ToArray(), featureNames, targetName, standardization, training);
    }

    /// <summary>The network's shape.</summary>
    public TwoLayerSilu Network { get; }

    /// <summary>The trained parameters w = [U, b, v].</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>The feature columns the network reads, in order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The target column it predicts.</summary>
    public string TargetName { get; }

    /// <summary>The standardization of features and target it was trained under (null: raw data).</summary>
    public Standardization? Standardization { get; }

    /// <summary>A summary of the training run (free-form JSON), or null.</summary>
    public JsonObject? Training { get; }

    /// <summary>
    /// Predictions for raw features <paramref name="features"/> (N×d, in <see cref="FeatureNames"/>' order), in the
    /// target's units: standardize a copy, evaluate the network, map back.
    /// </summary>
    public void Predict(DenseMatrix<double> features, Span<double> predictions)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var x = DenseMatrix<double>.CreateUninitialized(features.Rows, features.Cols);
        if (features.Cols != Network.InputDimension)
            Guard.ThrowArgument(nameof(features), $"features is {features.Shape} but the model reads {Network.InputDimension} columns ({string.Join(", ", FeatureNames)}).");
        x.CopyFrom(features);
        Standardization?.TransformFeatures(x);
        Network.Predict(x, Weights is double[] w ? w : Weights.ToArray(), predictions);
        Standardization?.RestoreTargets(predictions);
    }

    /// <summary>Writes the model to <paramref name="path"/> (replacing it atomically: a temporary file, then a rename).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = new byte[Weights.Count * sizeof(double)];
        for (int i = 0; i < Weights.Count; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)), Weights[i]);
        var root = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["network"] = new JsonObject
            {
                ["inputDimension"] = Network.InputDimension,
                ["width"] = Network.Width,
                ["bias"] = Network.HasBias,
                ["scaling"] = Network.Scaling.ToString(),
            },
            ["features"] = new JsonArray(FeatureNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
            ["target"] = TargetName,
            ["standardization"] = Standardization is { } s ? new JsonObject
            {
                ["featureMeans"] = Doubles(s.FeatureMeans),
                ["featureScales"] = Doubles(s.FeatureScales),
                ["targetMean"] = s.TargetMean,
                ["targetScale"] = s.TargetScale,
            } : null,
            ["weightCount"] = Weights.Count,
            ["weights"] = Convert.ToBase64String(bytes),
            ["training"] = Training?.DeepClone(),
        };
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="DataFormatException">Not a model file, a newer format version, missing fields or a wrong weight count.</exception>
    public static SavedModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file. Check the path.", path);
        JsonObject root;
        try { root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new DataFormatException(path, "not a JSON object."); }
        catch (JsonException e) { throw new DataFormatException(path, $"not valid JSON ({e.Message}).", e); }
        try
        {
            if ((string?)root["format"] != FormatName)
                throw new DataFormatException(path, $"not a GnKernels model file (format '{root["format"]}', expected '{FormatName}').");
            int version = (int)root["version"]!;
            if (version > FormatVersion || version < 1)
                throw new DataFormatException(path, $"format version {version}; this GnKernels reads versions 1 to {FormatVersion}. Use a newer GnKernels.");
            var net = root["network"]!.AsObject();
            var scaling = Enum.Parse<OutputScaling>((string)net["scaling"]!);
            var network = new TwoLayerSilu((int)net["inputDimension"]!, (int)net["width"]!, (bool)net["bias"]!, scaling);
            byte[] bytes = Convert.FromBase64String((string)root["weights"]!);
            int count = (int)root["weightCount"]!;
            if (count != network.ParameterCount || bytes.Length != count * sizeof(double))
                throw new DataFormatException(path, $"it holds {bytes.Length / sizeof(double)} weights (weightCount {count}); a network with {network} has {network.ParameterCount}. The file is damaged.");
            var weights = new double[count];
            for (int i = 0; i < count; i++) weights[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)));
            var features = root["features"]!.AsArray().Select(n => (string)n!).ToArray();
            Standardization? standardization = root["standardization"] is JsonObject s
                ? new Standardization(ReadDoubles(s["featureMeans"]!), ReadDoubles(s["featureScales"]!), (double)s["targetMean"]!, (double)s["targetScale"]!)
                : null;
            return new SavedModel(network, weights, features, (string?)root["target"] ?? "", standardization, root["training"]?.DeepClone() as JsonObject);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException or ArgumentException && e is not DataFormatException)
        {
            throw new DataFormatException(path, $"a field is missing or malformed ({e.Message}).", e);
        }
    }

    private static JsonArray Doubles(IEnumerable<double> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static double[] ReadDoubles(JsonNode node) => node.AsArray().Select(n => (double)n!).ToArray();
}
