using System.Globalization;
using System.Text;
using GnKernels.Cli.Experiments;
using GnKernels.Cli.Output;
using ScottPlot;
using Spectre.Console;

namespace GnKernels.Cli.Commands;

/// <summary>
/// `gnk reversible`: Buffelli et al.'s experiment on the digits (<see cref="ReversibleExperiment"/>): exact GN, Adam
/// and SGD on a reversible MLP, full batch and in mini-batches; two tables, full-batch.csv, minibatch.csv and three
/// plots (full-batch.png, minibatch.png, laziness.png).
/// </summary>
internal static class ReversibleCommand
{
    private static readonly ReversibleOptimizer[] Optimizers = [ReversibleOptimizer.GaussNewton, ReversibleOptimizer.Adam, ReversibleOptimizer.Sgd];
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(ReversibleExperiment experiment, string output)
    {
        if (experiment.Validate() is { } problem) return TrainCommand.Fail(problem);
        using var folder = OutputFolder.TryTake(output, out string? folderProblem);
        if (folder is null) return TrainCommand.Fail(folderProblem!);
        using var digits = experiment.Load(out string? dataProblem);
        if (digits is null) return TrainCommand.Fail(dataProblem!);
        var e = experiment;
        using (var net = e.Network((int)digits.TrainX.Cols))
            Console.WriteLine(string.Create(Inv, $"{e.DataPath}: {digits.TrainX.Rows} training and {digits.TestX.Rows} test samples, d = {digits.TrainX.Cols}; " +
                $"reversible MLP of {e.Blocks} block(s), hidden width {e.Hidden}, {e.Activation.ToString().ToLowerInvariant()}, P = {net.ParameterCount:N0}, " +
                $"10 outputs through a fixed orthonormal read-out; GN truncates at rtol {e.RelativeCutoff:G2}, atol {e.AbsoluteCutoff:G2}{(e.Damping > 0 ? $", damping {e.Damping:G2}" : "")}; " +
                $"learning rates gn {e.GaussNewtonRate:G3}, adam {e.AdamRate:G3}, sgd {e.SgdRate:G3}"));

        try
        {
            return Run(e, digits, folder);
        }
        catch (ArithmeticException diverged)
        {
            return TrainCommand.Fail(diverged.Message);
        }
    }

    private static int Run(ReversibleExperiment e, Digits digits, OutputFolder folder)
    {
        using var interruption = new Interruption();
        var full = new List<ReversiblePoint>();
        foreach (var optimizer in Optimizers)
        {
            full.AddRange(e.FullBatch(digits, optimizer, () => interruption.Requested));
            var last = full[^1];
            Console.WriteLine(string.Create(Inv, $"full batch ({e.FullBatchCount} samples), {ReversibleExperiment.Name(optimizer)}: {last.Step} steps in {last.Seconds:F2} s, train loss {full.First(p => p.Optimizer == optimizer).TrainLoss:G3} → {last.TrainLoss:G3}"));
        }
        var mini = new List<ReversiblePoint>();
        foreach (var optimizer in Optimizers)
        {
            if (interruption.Requested) break;
            mini.AddRange(e.MiniBatch(digits, optimizer, () => interruption.Requested));
            var last = mini[^1];
            Console.WriteLine(string.Create(Inv, $"mini-batch ({e.BatchSize} samples, {e.Epochs} epochs), {ReversibleExperiment.Name(optimizer)}: test loss {last.TestLoss:G3}, accuracy {last.TestAccuracy:P1}, NTK change {last.NtkChange:G3}, CKA {last.Cka:F3}"));
        }

        AnsiConsole.Write(FullBatchTable(full));
        AnsiConsole.Write(MiniBatchTable(mini));
        WriteCsv(folder.File("full-batch.csv"), full);
        WriteCsv(folder.File("minibatch.csv"), mini);
        PlotFullBatch(folder.File("full-batch.png"), full, e);
        PlotMiniBatch(folder.File("minibatch.png"), mini, e);
        PlotLaziness(folder.File("laziness.png"), mini, e);
        Console.WriteLine($"wrote full-batch.csv, minibatch.csv, full-batch.png, minibatch.png and laziness.png to {folder.Path}");
        return interruption.Requested ? interruption.ExitCode : 0;
    }

    /// <summary>Steps and seconds to 1% of the initial training loss, and where each run ended.</summary>
    private static Table FullBatchTable(List<ReversiblePoint> points)
    {
        var table = new Table().AddColumns("full batch", "steps", "seconds", "to 1% of the initial loss", "final train loss", "test loss", "test accuracy", "NTK change", "CKA");
        foreach (var run in points.GroupBy(p => p.Optimizer))
        {
            var first = run.First();
            var last = run.Last();
            var reached = run.FirstOrDefault(p => p.TrainLoss <= 0.01 * first.TrainLoss);
            table.AddRow(ReversibleExperiment.Name(run.Key), last.Step.ToString(Inv), last.Seconds.ToString("F2", Inv),
                reached is null ? "not reached" : string.Create(Inv, $"{reached.Step} steps, {reached.Seconds:F2} s"),
                last.TrainLoss.ToString("G3", Inv), last.TestLoss.ToString("G3", Inv), last.TestAccuracy.ToString("P1", Inv),
                last.NtkChange.ToString("G3", Inv), last.Cka.ToString("F3", Inv));
        }
        return table;
    }

    /// <summary>The best and the final test loss of each run, with where the train loss and laziness ended.</summary>
    private static Table MiniBatchTable(List<ReversiblePoint> points)
    {
        var table = new Table().AddColumns("mini-batch", "epochs", "seconds", "best test loss (epoch)", "final test loss", "final train loss", "test accuracy", "NTK change", "CKA");
        foreach (var run in points.GroupBy(p => p.Optimizer))
        {
            var last = run.Last();
            var best = run.MinBy(p => p.TestLoss)!;
            table.AddRow(ReversibleExperiment.Name(run.Key), last.Epoch.ToString(Inv), last.Seconds.ToString("F2", Inv),
                string.Create(Inv, $"{best.TestLoss:G3} ({best.Epoch})"), last.TestLoss.ToString("G3", Inv), last.TrainLoss.ToString("G3", Inv),
                last.TestAccuracy.ToString("P1", Inv), last.NtkChange.ToString("G3", Inv), last.Cka.ToString("F3", Inv));
        }
        return table;
    }

    private static void WriteCsv(string path, List<ReversiblePoint> points)
    {
        var csv = new StringBuilder("optimizer,step,epoch,seconds,train_loss,test_loss,test_accuracy,ntk_change,cka\n");
        foreach (var p in points)
            csv.Append(Inv, $"{ReversibleExperiment.Name(p.Optimizer)},{p.Step},{p.Epoch},{p.Seconds:R},{p.TrainLoss:R},{p.TestLoss:R},{p.TestAccuracy:R},{p.NtkChange:R},{p.Cka:R}\n");
        File.WriteAllText(path, csv.ToString());
    }

    private static void PlotFullBatch(string path, List<ReversiblePoint> points, ReversibleExperiment e)
    {
        // Against seconds, not steps: a GN step costs far more than an Adam step, and time is the fair axis.
        Lines(path, points, p => p.Seconds, [(p => p.TrainLoss, "train", LinePattern.Solid)], log: true,
            $"Full batch ({e.FullBatchCount} digits): training loss", "seconds (optimizer time only)", "training loss (log scale)");
    }

    private static void PlotMiniBatch(string path, List<ReversiblePoint> points, ReversibleExperiment e) =>
        Lines(path, points, p => p.Epoch, [(p => p.TestLoss, "test", LinePattern.Solid), (p => p.TrainLoss, "train", LinePattern.Dashed)], log: true,
            $"Mini-batches of {e.BatchSize}: test (solid) and training (dashed) loss", "epoch", "loss (log scale)");

    private static void PlotLaziness(string path, List<ReversiblePoint> points, ReversibleExperiment e) =>
        Lines(path, points, p => p.Epoch, [(p => p.NtkChange, "NTK change", LinePattern.Solid), (p => 1 - p.Cka, "1 − CKA", LinePattern.Dashed)], log: false,
            $"Mini-batches of {e.BatchSize}: NTK relative change (solid), 1 − CKA of the last hidden layer (dashed)", "epoch", "change from the start",
            Alignment.UpperLeft);

    private static void Lines(string path, List<ReversiblePoint> points, Func<ReversiblePoint, double> x,
        (Func<ReversiblePoint, double> Value, string Name, LinePattern Pattern)[] series, bool log, string title, string xLabel, string yLabel,
        Alignment legend = Alignment.UpperRight)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int k = 0;
        foreach (var run in points.GroupBy(p => p.Optimizer))
        {
            var color = palette.GetColor(k++);
            foreach (var (value, name, pattern) in series)
            {
                var usable = run.Where(p => double.IsFinite(value(p)) && (!log || value(p) > 0)).ToArray();
                if (usable.Length == 0) continue;
                var line = plot.Add.ScatterLine(usable.Select(x).ToArray(), usable.Select(p => log ? Math.Log10(value(p)) : value(p)).ToArray(), color);
                line.LinePattern = pattern;
                line.LineWidth = 2;
                line.LegendText = $"{ReversibleExperiment.Name(run.Key)} {name}";
            }
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (log) RunFiles.LogTicks(plot.Axes.Left);
        plot.ShowLegend(legend);
        plot.SavePng(path, 900, 560);
    }
}
