using System.Globalization;
using System.Text;
using GnKernels.Solvers;
using ScottPlot;

namespace GnKernels.Cli.Output;

/// <summary>Writes a run's per-iteration CSV and the loss plot (PNG).</summary>
internal static class RunFiles
{
    public const string CsvHeader =
        "iteration,train_loss,test_loss,gradient_norm,step_norm,damping,lambda_min,rcond,step_size,accepted,retries,cg_iterations,refreshed,forward_s,ntk_s,factor_s,solve_s,update_s,elapsed_s," +
        "distance,hidden_distance,output_distance,ntk_lambda_min,ntk_lambda_max,ntk_condition,ntk_pinv_trace,ntk_drift,teacher_alignment";

    /// <summary>
    /// Writes every record of <paramref name="result"/> to <c>&lt;method&gt;.csv</c>, replacing the rows streamed during
    /// the run (<see cref="CsvStream"/>) in one rename: the final record's test loss is only known at the end.
    /// </summary>
    public static string WriteCsv(string directory, TrainingResult result)
    {
        var csv = new StringBuilder().AppendLine(CsvHeader);
        foreach (var r in result.Records) csv.AppendLine(CsvLine(r));
        string path = CsvPath(directory, result.Method);
        File.WriteAllText(path + ".tmp", csv.ToString());
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    public static string CsvPath(string directory, TrainingMethod method) => Path.Combine(directory, $"{MethodName(method)}.csv");

    public static string CsvLine(IterationRecord r) => string.Join(',', new[]
    {
        r.Iteration.ToString(CultureInfo.InvariantCulture), F(r.TrainLoss), F(r.TestLoss), F(r.GradientNorm), F(r.StepNorm), F(r.Damping), F(r.LambdaMin),
        F(r.ReciprocalCondition), F(r.StepSize), r.Accepted ? "1" : "0", r.Retries.ToString(CultureInfo.InvariantCulture),
        r.LinearIterations.ToString(CultureInfo.InvariantCulture), r.PreconditionerRefreshed ? "1" : "0", F(r.ForwardSeconds), F(r.NtkSeconds),
        F(r.FactorSeconds), F(r.SolveSeconds), F(r.UpdateSeconds), F(r.ElapsedSeconds),
        F(r.Distance), F(r.HiddenDistance), F(r.OutputDistance), F(r.NtkLambdaMin), F(r.NtkLambdaMax), F(r.NtkCondition),
        F(r.NtkPseudoInverseTrace), F(r.NtkDrift), F(r.TeacherAlignment),
    });

    /// <summary>One value per line under a <c>prediction</c> header, round-trip formatted: what train and predict both write.</summary>
    public static void WritePredictions(string path, ReadOnlySpan<double> predictions)
    {
        var text = new StringBuilder("prediction\n");
        foreach (double f in predictions) text.Append(f.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        File.WriteAllText(path, text.ToString());
    }

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

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
        LogTicks(plot.Axes.Left);
        // Lower left: the curves fall from the upper left, and the legend would cover the slowest method's test curve.
        plot.ShowLegend(Alignment.LowerLeft);
        plot.SavePng(path, 900, 560);
        return path;
    }

    /// <summary>Ticks for an axis whose values are log10 of the data: labels 1eK at integers, log-spaced minor ticks.</summary>
    public static void LogTicks(IAxis axis) => axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = v => string.Create(CultureInfo.InvariantCulture, $"1e{v:N0}"),
    };

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
        // Exact interpolation (random features) reaches 1e-28 and would flatten every other curve: the axis stops 12
        // decades below the starting loss, and a curve that goes below says so in its legend.
        double floor = Math.Log10(result.Records[0].TrainLoss) - 12;
        if (points.Any(r => Math.Log10(value(r)) < floor)) label += " (clipped at the axis floor)";
        double[] xs = points.Select(r => (double)r.Iteration).ToArray(), ys = points.Select(r => Math.Max(floor, Math.Log10(value(r)))).ToArray();
        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LegendText = label;
        line.LinePattern = pattern;
        line.LineWidth = 2;
        if (points.Length == 1) line.MarkerSize = 8;
    }
}
