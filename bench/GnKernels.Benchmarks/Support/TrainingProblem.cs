using GnKernels.Data;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Support;

/// <summary>
/// What the training benchmarks run on: Arbel's teacher-student data (seed 0, d = 10), a network of M units and its
/// τ₀ initialization; every run starts from the same weights.
/// </summary>
internal sealed class TrainingProblem : IDisposable
{
    private readonly double[] _initial, _w;

    public TrainingProblem(int n, int m, double tau0, int testCount = 1)
    {
        Data = TeacherStudent.Arbel(n, testCount: testCount, seed: 0);
        Network = new TwoLayerSilu(Data.InputDimension, m);
        _initial = TeacherStudent.InitialParameters(Network, tau0: tau0, seed: 0);
        _w = new double[_initial.Length];
    }

    public SyntheticDataset Data { get; }

    public TwoLayerSilu Network { get; }

    /// <summary>A run from the initial weights on the training set alone (no test loss inside the timed run).</summary>
    public TrainingResult Train(TrainingOptions options)
    {
        _initial.CopyTo(_w, 0);
        return Trainer.Train(Network, Data.TrainX, Data.TrainY, null, default, _w, options);
    }

    /// <summary>A run from the initial weights on the training set, the activations recomputed with <paramref name="activationRows"/> rows held.</summary>
    public TrainingResult TrainRecomputing(TrainingOptions options, int activationRows)
    {
        _initial.CopyTo(_w, 0);
        using var model = new TwoLayerSiluRegression(Network, Data.TrainX, Data.TrainY) { ActivationRows = activationRows };
        return Trainer.Train(model, _w, options);
    }

    /// <summary>A run from the initial weights with the test set's loss evaluated as the options say.</summary>
    public TrainingResult TrainWithTest(TrainingOptions options)
    {
        _initial.CopyTo(_w, 0);
        return Trainer.Train(Network, Data, _w, options);
    }

    public void Dispose() => Data.Dispose();
}
