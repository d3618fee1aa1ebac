using GnKernels.Data;
using GnKernels.Linalg;

namespace GnKernels.Cli.Commands;

/// <summary>
/// The data a run trains and tests on: the synthetic teacher-student set, or a user's CSV/.npy file split into
/// training and test parts (or with a separate test file), standardized with the training part's statistics.
/// </summary>
internal sealed class RunData : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    private RunData(DenseMatrix<double> trainX, double[] trainY, DenseMatrix<double>? testX, double[] testY, string description)
        => (TrainX, TrainY, TestX, TestY, Description) = (trainX, trainY, testX, testY, description);

    public DenseMatrix<double> TrainX { get; }
    public double[] TrainY { get; }
    public DenseMatrix<double>? TestX { get; }
    public double[] TestY { get; }
    public string Description { get; }

    /// <summary>The user's whole file, raw (for the predictions written after training); null for synthetic data.</summary>
    public RegressionData? Source { get; private init; }
    public Standardization? Standardization { get; private init; }
    public IReadOnlyList<string> FeatureNames { get; private init; } = [];
    public string TargetName { get; private init; } = "y";
    /// <summary>The synthetic teacher's hidden weights (for the alignment metric); null for file data.</summary>
    public double[]? TeacherHiddenWeights { get; private init; }

    public int Dimension => (int)TrainX.Cols;

    public static RunData Load(RunSettings s)
    {
        if (s.DataPath is null)
        {
            var synthetic = s.SphereTeacher
                ? TeacherStudent.Sphere(s.N, s.D, testCount: s.TestCount, seed: s.Seed)
                : TeacherStudent.Arbel(s.N, s.D, testCount: s.TestCount, seed: s.Seed);
            var data = new RunData(synthetic.TrainX, synthetic.TrainY, synthetic.TestX.Rows > 0 ? synthetic.TestX : null, synthetic.TestY, synthetic.Description)
            {
                FeatureNames = Enumerable.Range(0, s.D).Select(j => $"x{j}").ToArray(),
                TeacherHiddenWeights = synthetic.TeacherHiddenWeights,
            };
            data._owned.Add(synthetic);
            return data;
        }

        RegressionData all = Read(s.DataPath, s.Target);
        RegressionData train, test;
        string split;
        if (s.TestDataPath is { } testPath)
        {
            test = Read(testPath, all.TargetName, all.FeatureNames); // the training file's feature columns, in its order
            if (test.TargetName != all.TargetName)
            {
                test.Dispose();
                throw new DataFormatException(testPath, $"the test file has no target column '{all.TargetName}'; it needs the training file's columns.");
            }
            train = all.Subset(Enumerable.Range(0, all.Count).ToArray(), s.DataPath);
            split = $"test set {testPath} ({test.Count} rows)";
        }
        else if (s.TestFraction > 0)
        {
            (train, test) = all.Split(s.TestFraction, s.SplitSeed);
            split = $"{test.Count} of {all.Count} rows held out for testing (seed {s.SplitSeed})";
        }
        else
        {
            train = all.Subset(Enumerable.Range(0, all.Count).ToArray(), s.DataPath);
            test = all.Subset([], s.DataPath);
            split = "no test set";
        }

        Standardization? standardization = s.Standardize ? Standardization.Fit(train) : null;
        if (standardization is not null)
        {
            standardization.TransformFeatures(train.Features);
            standardization.TransformTargets(train.Targets);
            standardization.TransformFeatures(test.Features);
            standardization.TransformTargets(test.Targets);
        }
        var run = new RunData(train.Features, train.Targets, test.Count > 0 ? test.Features : null, test.Targets,
            $"{s.DataPath}: {all.Count} rows, {all.Dimension} features ({string.Join(", ", all.FeatureNames)}), target '{all.TargetName}'; " +
            $"{split}; {(standardization is null ? "raw values" : "features and target standardized on the training part")}")
        {
            Source = all,
            Standardization = standardization,
            FeatureNames = all.FeatureNames,
            TargetName = all.TargetName,
        };
        run._owned.AddRange([all, train, test]);
        return run;
    }

    /// <summary>A CSV (by default) or .npy file as a table.</summary>
    public static RegressionData Read(string path, string? target, IReadOnlyList<string>? featureNames = null) =>
        path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)
            ? NpyData.Read(path, featureCount: featureNames?.Count)
            : CsvData.Read(path, target, featureNames);

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
    }
}
