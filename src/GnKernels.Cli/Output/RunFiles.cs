using System.Globalization;
using System.Text;
using GnKernels.Solvers;
using ScottPlot;

namespace GnKernels.Cli.Output;

/// <summary>Writes a run's per-iteration CSV and the loss plot (PNG).</summary>
internal static class RunFiles
{
    public const string CsvHeader =
        "iteration,train_loss,test_loss,gradient_norm,step_norm,damping,lambda_min,rcond,step_size,accepted,retries,forward_s,ntk_s,factor_s,solve_s,update_s,elapsed_s";

    /// <summary>Creates the folder and checks it can be written; returns an error line or null.</summary>
    public static string? PrepareDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            string probe = Path.Combine(directory, $".gnk-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"cannot write to the output folder '{directory}': {e.Message} Choose another with --out.";
        }
    }

    public static string WriteCsv(string directory, TrainingResult result)
    {
        var inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder().AppendLine(CsvHeader);
        foreach (var r in result.Records)
            csv.AppendLine(string.Join(',', new[]
            {
                r.Iteration.ToString(inv), F(r.TrainLoss), F(r.TestLoss), F(r.GradientNorm), F(r.StepNorm), F(r.Damping), F(r.LambdaMin),
                F(r.ReciprocalCondition), F(r.StepSize), r.Accepted ? "1" : "0", r.Retries.ToString(inv), F(r.ForwardSeconds), F(r.NtkSeconds),
                F(r.FactorSeconds), F(r.SolveSeconds), F(r.UpdateSeconds), F(r.ElapsedSeconds),
            }));
        string path = Path.Combine(directory, $"{MethodName(result.Method)}.csv");
        File.WriteAllText(path, csv.ToString());
        return path;

        static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Train (solid) and test (dashed) loss against iteration, log-scaled, one colour per run.</summary>
    public static string WritePlot(string path, string title, IReadOnlyList<TrainingResult> results)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int k = 0; k < results.Count; k++)
        {
            var result = results[k];
            var color = palette.GetColor(k);
            AddCurve(plot, result, r => r.TrainLoss, $"{MethodName(result.Method)} train", color, LinePattern.Solid);
            AddCurve(plot, result, r => r.TestLoss, $"{MethodName(result.Method)} test", color, LinePattern.Dashed);
        }
        plot.Title(title);
        plot.XLabel("iteration");
        plot.YLabel("loss (log scale)");
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y:N0}",
        };
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 560);
        return path;
    }

    public static string MethodName(TrainingMethod method) => method switch
    {
        TrainingMethod.GaussNewton => "gn",
        TrainingMethod.LevenbergMarquardt => "lm",
        TrainingMethod.GradientDescent => "gd",
        TrainingMethod.RandomFeatures => "rf",
        TrainingMethod.GgnScore => "ggn-score",
        _ => method.ToString(),
    };

    private static void AddCurve(Plot plot, TrainingResult result, Func<IterationRecord, double> value, string label, Color color, LinePattern pattern)
    {
        var points = result.Records.Where(r => double.IsFinite(value(r)) && value(r) > 0).ToArray();
        if (points.Length == 0) return;
        // Exact interpolation (random features) reaches 1e-28 and would flatten every other curve: floor the axis
        // 12 decades below the starting loss.
        double floor = Math.Log10(result.Records[0].TrainLoss) - 12;
        double[] xs = points.Select(r => (double)r.Iteration).ToArray(), ys = points.Select(r => Math.Max(floor, Math.Log10(value(r)))).ToArray();
        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LegendText = label;
        line.LinePattern = pattern;
        line.LineWidth = 2;
        if (points.Length == 1) line.MarkerSize = 8;
    }
}
