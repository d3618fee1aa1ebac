using GnKernels.Linalg;

namespace GnKernels.Data;

/// <summary>
/// Per-column centring and scaling, x ↦ (x − mean)/scale, fitted on training data and saved with a model so that
/// new data is transformed the same way; the target likewise, and predictions are mapped back.
/// A column with zero spread keeps scale 1.
/// </summary>
public sealed class Standardization
{
    /// <summary>The statistics themselves (e.g. read back from a saved model).</summary>
    public Standardization(double[] featureMeans, double[] featureScales, double targetMean, double targetScale)
    {
        ArgumentNullException.ThrowIfNull(featureMeans);
        ArgumentNullException.ThrowIfNull(featureScales);
        Guard.Length(featureScales.Length, featureMeans.Length, nameof(featureScales), $"one scale per feature mean");
        Guard.Finite<double>(featureMeans, nameof(featureMeans));
        Guard.Finite<double>(featureScales, nameof(featureScales));
        if (featureScales.Any(s => !(s > 0)) || !(targetScale > 0) || !double.IsFinite(targetScale) || !double.IsFinite(targetMean))
            Guard.ThrowArgument(nameof(featureScales), "every scale must be finite and > 0, and the target mean finite.");
        (FeatureMeans, FeatureScales, TargetMean, TargetScale) = (featureMeans, featureScales, targetMean, targetScale);
    }

    /// <summary>The mean of each feature column.</summary>
    public IReadOnlyList<double> FeatureMeans { get; }

    /// <summary>The standard deviation of each feature column (1 where it is 0).</summary>
    public IReadOnlyList<double> FeatureScales { get; }

    /// <summary>The target's mean.</summary>
    public double TargetMean { get; }

    /// <summary>The target's standard deviation (1 where it is 0).</summary>
    public double TargetScale { get; }

    /// <summary>Means and population standard deviations of <paramref name="data"/>'s columns and target.</summary>
    public static Standardization Fit(RegressionData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int d = data.Dimension, n = data.Count;
        var means = new double[d];
        var scales = new double[d];
        for (int j = 0; j < d; j++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += data.Features[i, j];
            double mean = sum / n, squares = 0;
            for (int i = 0; i < n; i++) squares += (data.Features[i, j] - mean) * (data.Features[i, j] - mean);
            (means[j], scales[j]) = (mean, Spread(squares / n));
        }
        double targetMean = data.Targets.Average();
        return new Standardization(means, scales, targetMean, Spread(data.Targets.Sum(y => (y - targetMean) * (y - targetMean)) / n));
    }

    /// <summary>x ← (x − mean)/scale, column by column, in place.</summary>
    public void TransformFeatures(DenseMatrix<double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != FeatureMeans.Count)
            Guard.ThrowArgument(nameof(x), $"x is {x.Shape} but the standardization was fitted on {FeatureMeans.Count} features.");
        for (nint i = 0; i < x.Rows; i++)
        {
            Span<double> row = x.Row(i);
            for (int j = 0; j < row.Length; j++) row[j] = (row[j] - FeatureMeans[j]) / FeatureScales[j];
        }
    }

    /// <summary>y ← (y − mean)/scale in place.</summary>
    public void TransformTargets(Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = (y[i] - TargetMean) / TargetScale;
    }

    /// <summary>f ← f·scale + mean in place: predictions back in the target's units.</summary>
    public void RestoreTargets(Span<double> f)
    {
        for (int i = 0; i < f.Length; i++) f[i] = f[i] * TargetScale + TargetMean;
    }

    private static double Spread(double variance) => variance > 0 ? Math.Sqrt(variance) : 1;
}
