using System.Diagnostics;
using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// Trains a <see cref="TwoLayerSilu"/> network on the squared loss L = (1/2N)·Σ(f − y)² with one of the
/// <see cref="TrainingMethod"/>s, recording every iteration. Buffers are allocated once per run.
/// </summary>
public static class Trainer
{
    /// <summary>Trains on <paramref name="data"/> (its test set, if any, gives the test loss), updating <paramref name="w"/> in place.</summary>
    public static TrainingResult Train(TwoLayerSilu model, SyntheticDataset data, Span<double> w, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Train(model, data.TrainX, data.TrainY, data.TestX.Rows > 0 ? data.TestX : null, data.TestY, w, options);
    }

    /// <summary>Trains on (x, y), with an optional test set, updating <paramref name="w"/> in place.</summary>
    public static TrainingResult Train(TwoLayerSilu model, DenseMatrix<double> x, ReadOnlySpan<double> y,
        DenseMatrix<double>? testX, ReadOnlySpan<double> testY, Span<double> w, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.CheckInputs(x, nameof(x));
        Guard.Length(y.Length, x.Rows, nameof(y), $"one target per row of x, which is {x.Shape}");
        Guard.Finite(y, nameof(y));
        if (testX is not null)
        {
            model.CheckInputs(testX, nameof(testX));
            Guard.Length(testY.Length, testX.Rows, nameof(testY), $"one target per row of testX, which is {testX.Shape}");
        }
        model.CheckParameterLength(w, nameof(w));
        options ??= new TrainingOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxIterations, 0, nameof(options.MaxIterations));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TestInterval, 1, nameof(options.TestInterval));
        if (options.LearningRate is { } lr && !(lr > 0 && double.IsFinite(lr)))
            throw new ArgumentOutOfRangeException(nameof(options.LearningRate), lr, "The learning rate λ must be finite and > 0 (or null for the method's default).");
        if (!Enum.IsDefined(options.GradientDescentStep))
            throw new ArgumentOutOfRangeException(nameof(options.GradientDescentStep), options.GradientDescentStep,
                $"Unknown gradient step rule; use {nameof(GradientStepRule.Normalized)} or {nameof(GradientStepRule.Literal)}.");

        using var run = new TrainingRun(model, x, y.ToArray(), testX, testY.ToArray(), w.ToArray(), options);
        TrainingResult result = run.Execute();
        run.Parameters.CopyTo(w);
        return result;
    }
}
