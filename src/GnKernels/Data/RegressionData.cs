using GnKernels.Linalg;

namespace GnKernels.Data;

/// <summary>
/// A regression table: features X (N×d, one sample per row) and one target per sample, with the names they came
/// with (CSV header, or <c>x0…</c> for headerless formats) and where they came from.
/// </summary>
public sealed class RegressionData : IDisposable
{
    /// <summary>Takes ownership of <paramref name="features"/>; checks shapes and finiteness.</summary>
    public RegressionData(DenseMatrix<double> features, double[] targets, IReadOnlyList<string> featureNames, string targetName, string source)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(featureNames);
        Guard.Length(targets.Length, features.Rows, nameof(targets), $"one target per row of features, which is {features.Shape}");
        Guard.Length(featureNames.Count, features.Cols, nameof(featureNames), $"one name per column of features, which is {features.Shape}");
        Guard.Finite(features, nameof(features));
        Guard.Finite<double>(targets, nameof(targets));
        (Features, Targets, FeatureNames, TargetName, Source) = (features, targets, featureNames, targetName, source);
    }

    /// <summary>X, N×d.</summary>
    public DenseMatrix<double> Features { get; }

    /// <summary>y, N.</summary>
    public double[] Targets { get; }

    /// <summary>The names of the d feature columns.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The target column's name.</summary>
    public string TargetName { get; }

    /// <summary>Where the data came from (a file path and which part of it), for logs and saved models.</summary>
    public string Source { get; }

    /// <summary>N, samples.</summary>
    public int Count => Targets.Length;

    /// <summary>d, features per sample.</summary>
    public int Dimension => (int)Features.Cols;

    /// <summary>
    /// A seeded random split: ⌈fraction·N⌉ samples (at least one, and at least one left to train on) go to the test
    /// part, the rest to the training part, each in the file's order. New matrices; this one is unchanged.
    /// </summary>
    public (RegressionData Train, RegressionData Test) Split(double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must lie strictly between 0 and 1.");
        if (Count < 2)
            throw new ArgumentOutOfRangeException(nameof(testFraction), $"{Source} has {Count} sample(s); a split needs at least 2.");
        int testCount = Math.Clamp((int)Math.Ceiling(testFraction * Count), 1, Count - 1);
        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        var test = order[..testCount].Order().ToArray();
        var train = order[testCount..].Order().ToArray();
        return (Subset(train, $"{Source}, training part ({train.Length} of {Count}, seed {seed})"),
                Subset(test, $"{Source}, test part ({test.Length} of {Count}, seed {seed})"));
    }

    /// <summary>The rows <paramref name="rows"/> as a new table.</summary>
    public RegressionData Subset(IReadOnlyList<int> rows, string source)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var x = new DenseMatrix<double>(rows.Count, Dimension);
        var y = new double[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            Features.Row(rows[i]).CopyTo(x.Row(i));
            y[i] = Targets[rows[i]];
        }
        return new RegressionData(x, y, FeatureNames, TargetName, source);
    }

    /// <summary>Frees the feature matrix.</summary>
    public void Dispose() => Features.Dispose();
}
