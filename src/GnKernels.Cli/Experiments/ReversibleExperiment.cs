using System.Diagnostics;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Cli.Experiments;

/// <summary>The optimizers Buffelli et al. compare.</summary>
internal enum ReversibleOptimizer { GaussNewton, Adam, Sgd }

/// <summary>One logged point of a run: after <see cref="Step"/> updates (<see cref="Epoch"/> in mini-batch runs).</summary>
internal sealed record ReversiblePoint(ReversibleOptimizer Optimizer, int Step, int Epoch, double Seconds, double TrainLoss, double TestLoss,
    double TestAccuracy, double NtkChange, double Cka);

/// <summary>
/// Buffelli et al.'s three findings at this machine's scale, on the handwritten digits (8×8 images, 10 classes, MSE on
/// one-hot targets through a fixed orthonormal read-out of the 64 features): (1) full batch, exact GN reaches a low
/// training loss in far fewer iterations and less time than Adam and SGD; (2) in mini-batches GN's test (and train)
/// loss saturates while Adam's keeps improving; (3) GN stays lazy: the NTK's relative change ‖A_t − A₀‖_F/‖A₀‖_F on a
/// probe of training samples, and one minus the CKA of the last hidden representation on the test set with its initial
/// value, stay near 0 for GN and move for Adam. Every optimizer starts from the same network and parameters.
/// </summary>
internal sealed record ReversibleExperiment
{
    public required string DataPath { get; init; }
    public required int TestCount { get; init; }
    public required int FullBatchCount { get; init; }
    public required int Blocks { get; init; }
    public required int Hidden { get; init; }
    public required HiddenActivation Activation { get; init; }
    public required int FullBatchIterations { get; init; }
    public required int GaussNewtonIterations { get; init; }
    public required int BatchSize { get; init; }
    public required int Epochs { get; init; }
    public required double GaussNewtonRate { get; init; }
    public required double AdamRate { get; init; }
    public required double SgdRate { get; init; }
    public required double RelativeCutoff { get; init; }
    public required double AbsoluteCutoff { get; init; }
    public double Damping { get; init; }
    public required int ProbeCount { get; init; }
    public required int Seed { get; init; }

    public const int Classes = 10;

    public string? Validate()
    {
        if (TestCount < 10) return $"--test must be at least 10 samples; got {TestCount}.";
        if (FullBatchCount < 2) return $"--full-batch must be at least 2 samples; got {FullBatchCount}.";
        if (Blocks < 1 || Blocks > 64) return $"--blocks must lie in 1…64; got {Blocks}.";
        if (Hidden < 1) return $"--hidden must be at least 1; got {Hidden}.";
        if (Hidden + 1 < FullBatchCount) return $"exact GN needs the hidden width above the batch: --hidden {Hidden} + 1 < --full-batch {FullBatchCount}; raise --hidden or lower --full-batch.";
        if (Hidden + 1 < BatchSize) return $"exact GN needs the hidden width above the batch: --hidden {Hidden} + 1 < --batch {BatchSize}; raise --hidden or lower --batch.";
        if (BatchSize < 2) return $"--batch must be at least 2; got {BatchSize}.";
        if (FullBatchIterations < 1 || GaussNewtonIterations < 1) return "--full-iterations and --gn-iterations must be at least 1.";
        if (Epochs < 1) return $"--epochs must be at least 1; got {Epochs}.";
        foreach (var (name, rate) in new[] { ("--gn-lr", GaussNewtonRate), ("--adam-lr", AdamRate), ("--sgd-lr", SgdRate) })
            if (!(rate > 0 && rate <= 100)) return $"{name} must lie in (0, 100]; got {rate}.";
        if (!(RelativeCutoff >= 0 && RelativeCutoff < 1)) return $"--rtol must lie in [0, 1); got {RelativeCutoff}.";
        if (!(AbsoluteCutoff >= 0 && AbsoluteCutoff < 1)) return $"--atol must lie in [0, 1); got {AbsoluteCutoff}.";
        if (!(Damping >= 0 && Damping <= 1e6)) return $"--damping must lie in [0, 1e6] (0: exact GN); got {Damping}.";
        if (ProbeCount < 2 || ProbeCount > 100) return $"--probe must lie in 2…100 samples (the probe NTK is (10·probe)²); got {ProbeCount}.";
        return null;
    }

    /// <summary>Reads, shuffles, scales and splits the digits; null with a reason if the file does not fit.</summary>
    public Digits? Load(out string? problem)
    {
        using var data = CsvData.Read(DataPath, target: "label");
        problem = null;
        if (data.Dimension % 2 != 0) { problem = $"{DataPath}: {data.Dimension} features; the coupling blocks need an even number."; return null; }
        foreach (double label in data.Targets)
            if (!(label >= 0 && label < Classes && label == Math.Floor(label)))
            {
                problem = $"{DataPath}: the label column must hold the classes 0…{Classes - 1}; found {label}.";
                return null;
            }
        int n = data.Count, trainCount = n - TestCount;
        if (trainCount < Math.Max(FullBatchCount, BatchSize))
        {
            problem = $"{DataPath} has {n} rows: --test {TestCount} leaves {trainCount} for training, fewer than --full-batch {FullBatchCount} or --batch {BatchSize}.";
            return null;
        }
        int[] order = [.. Enumerable.Range(0, n)];
        new Random(Seed).Shuffle(order);
        var train = order[..trainCount];
        var test = order[trainCount..];
        // Standardize every pixel by the training part (constant pixels keep scale 1).
        int d = data.Dimension;
        var mean = new double[d];
        var scale = new double[d];
        foreach (int i in train)
            for (int j = 0; j < d; j++) mean[j] += data.Features[i, j] / trainCount;
        foreach (int i in train)
            for (int j = 0; j < d; j++) scale[j] += Math.Pow(data.Features[i, j] - mean[j], 2) / trainCount;
        for (int j = 0; j < d; j++) scale[j] = scale[j] > 1e-12 ? Math.Sqrt(scale[j]) : 1;
        return new Digits(Rows(train), Rows(test));

        (DenseMatrix<double> X, DenseMatrix<double> Y, int[] Labels) Rows(int[] rows)
        {
            var x = new DenseMatrix<double>(rows.Length, d);
            var y = new DenseMatrix<double>(rows.Length, Classes);
            var labels = new int[rows.Length];
            for (int r = 0; r < rows.Length; r++)
            {
                for (int j = 0; j < d; j++) x[r, j] = (data.Features[rows[r], j] - mean[j]) / scale[j];
                labels[r] = (int)data.Targets[rows[r]];
                y[r, labels[r]] = 1;
            }
            return (x, y, labels);
        }
    }

    public ReversibleMlp Network(int features) => new(features, Blocks, Hidden, Classes, Activation, Seed);

    /// <summary>Full batch on the first <see cref="FullBatchCount"/> training samples: each optimizer from the same start.</summary>
    public IEnumerable<ReversiblePoint> FullBatch(Digits digits, ReversibleOptimizer optimizer, Func<bool> stop)
    {
        using var x = digits.TrainRows(0, FullBatchCount, out var targets);
        using var y = targets;
        int iterations = optimizer == ReversibleOptimizer.GaussNewton ? GaussNewtonIterations : FullBatchIterations;
        int every = Math.Max(1, iterations / 100);
        foreach (var point in Run(digits, optimizer, _ => (x, y), (x, y), iterations, every, stop, epochs: false)) yield return point;
    }

    /// <summary>Mini-batches of <see cref="BatchSize"/> over all training samples, reshuffled every epoch; logged per epoch.</summary>
    public IEnumerable<ReversiblePoint> MiniBatch(Digits digits, ReversibleOptimizer optimizer, Func<bool> stop)
    {
        int n = (int)digits.TrainX.Rows, batches = n / BatchSize;
        var rng = new Random(Seed + 1);
        int[] order = new int[n];
        // One pair of batch buffers, filled before each step (outside the optimizer's clock).
        using var xb = new DenseMatrix<double>(BatchSize, digits.TrainX.Cols);
        using var yb = new DenseMatrix<double>(BatchSize, digits.TrainY.Cols);
        (DenseMatrix<double>, DenseMatrix<double>) Batch(int step)
        {
            int b = (step - 1) % batches;
            if (b == 0)
            {
                for (int i = 0; i < n; i++) order[i] = i; // each epoch a fresh permutation of 0 … n − 1
                rng.Shuffle(order);
            }
            digits.Gather(order.AsSpan(b * BatchSize, BatchSize), xb, yb);
            return (xb, yb);
        }
        foreach (var point in Run(digits, optimizer, Batch, (digits.TrainX, digits.TrainY), Epochs * batches, batches, stop, epochs: true))
            yield return point;
    }

    /// <summary>
    /// One optimizer from the common start for <paramref name="steps"/> steps on <paramref name="batch"/>(step), logged
    /// every <paramref name="every"/> steps with the training loss on <paramref name="lossOn"/>.
    /// </summary>
    private IEnumerable<ReversiblePoint> Run(Digits digits, ReversibleOptimizer optimizer, Func<int, (DenseMatrix<double> X, DenseMatrix<double> Y)> batch,
        (DenseMatrix<double> X, DenseMatrix<double> Y) lossOn, int steps, int every, Func<bool> stop, bool epochs)
    {
        using var net = Network((int)digits.TrainX.Cols);
        var w = new double[net.ParameterCount];
        net.InitializeParameters(w, Seed);
        using var probe = new Laziness(net, digits, w, ProbeCount);
        using var gn = new ReversibleGaussNewton(net, RelativeCutoff, AbsoluteCutoff) { Damping = Damping };
        var adam = new Adam(net.ParameterCount, AdamRate);
        var sgd = new Sgd(net.ParameterCount, SgdRate);
        var update = new double[net.ParameterCount];
        var clock = new Stopwatch();
        yield return Point(0);
        for (int step = 1; step <= steps && !stop(); step++)
        {
            var (x, y) = batch(step);
            clock.Start();
            try
            {
                Update(x, y);
            }
            catch (ArithmeticException)
            {
                throw new ArithmeticException($"{Name(optimizer)} diverged at step {step} (the outputs overflowed); lower its learning rate.");
            }
            clock.Stop();
            if (w.Any(v => !double.IsFinite(v)))
                throw new ArithmeticException($"{Name(optimizer)} diverged at step {step} (a parameter is not finite); lower its learning rate.");
            if (step % every == 0 || step == steps) yield return Point(step);
        }

        void Update(DenseMatrix<double> x, DenseMatrix<double> y)
        {
            switch (optimizer)
            {
                case ReversibleOptimizer.GaussNewton:
                    gn.Direction(x, y, w, update);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(update, GaussNewtonRate, w, w);
                    break;
                case ReversibleOptimizer.Adam:
                    net.Gradient(x, y, w, update);
                    adam.Step(w, update);
                    break;
                default:
                    net.Gradient(x, y, w, update);
                    sgd.Step(w, update);
                    break;
            }
        }

        ReversiblePoint Point(int step)
        {
            double trainLoss = net.Loss(lossOn.X, lossOn.Y, w);
            var (testLoss, accuracy) = digits.Evaluate(net, w);
            var (ntk, cka) = probe.Measure(w);
            return new ReversiblePoint(optimizer, step, epochs ? step / every : 0, clock.Elapsed.TotalSeconds, trainLoss, testLoss, accuracy, ntk, cka);
        }
    }

    public static string Name(ReversibleOptimizer optimizer) => optimizer switch
    {
        ReversibleOptimizer.GaussNewton => "gn",
        ReversibleOptimizer.Adam => "adam",
        _ => "sgd",
    };
}

/// <summary>The digits, standardized and split: inputs, one-hot targets and labels for each part.</summary>
internal sealed class Digits((DenseMatrix<double> X, DenseMatrix<double> Y, int[] Labels) train, (DenseMatrix<double> X, DenseMatrix<double> Y, int[] Labels) test) : IDisposable
{
    private readonly DenseMatrix<double> _testOutputs = new(test.X.Rows, ReversibleExperiment.Classes);

    public DenseMatrix<double> TrainX { get; } = train.X;
    public DenseMatrix<double> TrainY { get; } = train.Y;
    public DenseMatrix<double> TestX { get; } = test.X;
    public DenseMatrix<double> TestY { get; } = test.Y;
    public int[] TestLabels { get; } = test.Labels;

    public DenseMatrix<double> TrainRows(int first, int count, out DenseMatrix<double> y)
    {
        var x = new DenseMatrix<double>(count, TrainX.Cols);
        y = new DenseMatrix<double>(count, TrainY.Cols);
        Gather([.. Enumerable.Range(first, count)], x, y);
        return x;
    }

    /// <summary>Training rows <paramref name="rows"/> into <paramref name="x"/> and their targets into <paramref name="y"/>.</summary>
    public void Gather(ReadOnlySpan<int> rows, DenseMatrix<double> x, DenseMatrix<double> y)
    {
        for (int r = 0; r < rows.Length; r++)
        {
            TrainX.Row(rows[r]).CopyTo(x.Row(r));
            TrainY.Row(rows[r]).CopyTo(y.Row(r));
        }
    }

    /// <summary>Test loss and the share of test samples whose largest output is their class.</summary>
    public (double Loss, double Accuracy) Evaluate(ReversibleMlp net, ReadOnlySpan<double> w)
    {
        net.Predict(TestX, w, _testOutputs);
        double loss = 0;
        int right = 0;
        for (int i = 0; i < TestLabels.Length; i++)
        {
            var row = _testOutputs.Row(i);
            var target = TestY.Row(i);
            for (int o = 0; o < row.Length; o++) loss += (row[o] - target[o]) * (row[o] - target[o]);
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax<double>(row) == TestLabels[i]) right++;
        }
        return (loss / (2.0 * TestLabels.Length), (double)right / TestLabels.Length);
    }

    public void Dispose()
    {
        foreach (var m in new[] { TrainX, TrainY, TestX, TestY, _testOutputs }) m.Dispose();
    }
}

/// <summary>
/// How far a run is from the lazy regime: the NTK of the first probe training samples against its initial value, and
/// the CKA of the last hidden representation on the test set with its initial value.
/// </summary>
internal sealed class Laziness : IDisposable
{
    private readonly ReversibleMlp _net;
    private readonly DenseMatrix<double> _probe, _initialKernel, _kernel, _testX, _initialRepresentation, _representation;

    public Laziness(ReversibleMlp net, Digits digits, ReadOnlySpan<double> w0, int probeCount)
    {
        _net = net;
        _probe = digits.TrainRows(0, probeCount, out var probeY);
        probeY.Dispose();
        int n = probeCount * net.Outputs;
        (_initialKernel, _kernel) = (new DenseMatrix<double>(n, n), new DenseMatrix<double>(n, n));
        _testX = digits.TestX;
        (_initialRepresentation, _representation) = (new DenseMatrix<double>(_testX.Rows, net.Hidden), new DenseMatrix<double>(_testX.Rows, net.Hidden));
        net.NeuralTangentKernel(_probe, w0, _initialKernel);
        net.HiddenRepresentation(_testX, w0, _initialRepresentation);
    }

    public (double NtkChange, double Cka) Measure(ReadOnlySpan<double> w)
    {
        _net.NeuralTangentKernel(_probe, w, _kernel);
        var now = _kernel.AsSpan();
        var start = _initialKernel.AsSpan();
        double change = System.Numerics.Tensors.TensorPrimitives.Distance<double>(now, start) / System.Numerics.Tensors.TensorPrimitives.Norm<double>(start);
        _net.HiddenRepresentation(_testX, w, _representation);
        return (change, LinearCka.Compute(_representation, _initialRepresentation));
    }

    public void Dispose()
    {
        foreach (var m in new[] { _probe, _initialKernel, _kernel, _initialRepresentation, _representation }) m.Dispose();
    }
}
