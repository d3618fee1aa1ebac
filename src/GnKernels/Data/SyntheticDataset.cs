using GnKernels.Linalg;

namespace GnKernels.Data;

/// <summary>A regression data set: training and test inputs (rows) and targets.</summary>
public sealed class SyntheticDataset(DenseMatrix<double> trainX, double[] trainY, DenseMatrix<double> testX, double[] testY, string description) : IDisposable
{
    /// <summary>Training inputs, N×d.</summary>
    public DenseMatrix<double> TrainX { get; } = trainX;

    /// <summary>Training targets, N.</summary>
    public double[] TrainY { get; } = trainY;

    /// <summary>Test inputs (may have zero rows).</summary>
    public DenseMatrix<double> TestX { get; } = testX;

    /// <summary>Test targets.</summary>
    public double[] TestY { get; } = testY;

    /// <summary>How the data was made, for logs.</summary>
    public string Description { get; } = description;

    /// <summary>The teacher's hidden weights (M*×d, row-major), for alignment metrics; null if the data has no teacher.</summary>
    public double[]? TeacherHiddenWeights { get; init; }

    /// <summary>N, training samples.</summary>
    public int TrainCount => (int)TrainX.Rows;

    /// <summary>d, input dimension.</summary>
    public int InputDimension => (int)TrainX.Cols;

    /// <summary>Frees the matrices.</summary>
    public void Dispose()
    {
        TrainX.Dispose();
        TestX.Dispose();
    }
}
