using System.Globalization;
using System.Text;
using GnKernels.Cli.Experiments;
using GnKernels.Cli.Output;
using GnKernels.Cli.Sweep;
using GnKernels.Solvers;
using ScottPlot;
using Spectre.Console;

namespace GnKernels.Cli.Commands;

/// <summary>
/// `gnk conditioning`: iterations to a tolerance against the condition number of the Gram matrix, for GN and GD, over
/// a family of under-parameterized problems (<see cref="ConditioningExperiment"/>); a table, the log-log slope of each
/// method with its 95% interval, runs.csv and iterations-vs-kappa.png.
/// </summary>
internal static class ConditioningCommand
{
    public static int Run(ConditioningExperiment experiment, string output)
    {
        if (experiment.Validate() is { } problem) return TrainCommand.Fail(problem);
        using var folder = OutputFolder.TryTake(output, out string? folderProblem);
        if (folder is null) return TrainCommand.Fail(folderProblem!);
        var e = experiment;
        Console.WriteLine($"N = {e.N}, d = {e.D}, M = {e.M} (P = {e.ParameterCount} {(e.Overparameterized ? ">" : "<")} N), teacher of the same architecture, start = teacher + N(0, {e.Perturbation:G3}²); " +
            $"to {e.Tolerance:G2} of the initial loss; GN step h = {e.GaussNewtonStep:G3} " +
            (e.Overparameterized ? "(kernel form, LM damping ρₖ = max(λ_max(A₀)·2^(1−k), 10⁻³·λ_min(A₀))), κ of the NTK JJᵀ" : "(parameter form, ε = 10⁻³·λ_min(JᵀJ)), κ of JᵀJ") +
            "; GD step 1/L̂");

        using var interruption = new Interruption();
        var runs = new List<ConditioningRun>();
        var inv = CultureInfo.InvariantCulture;
        foreach (double spread in e.Spreads)
            for (int seed = 0; seed < e.Seeds && !interruption.Requested; seed++)
                foreach (var run in e.Run(spread, seed, () => interruption.Requested))
                {
                    runs.Add(run);
                    Console.WriteLine(string.Create(inv, $"spread {spread:G4}, seed {seed}: κ = {run.Kappa:E2}, {RunFiles.MethodName(run.Method)} {run.Status} after {run.Iterations} iterations, {run.Seconds:F2} s"));
                }

        var fits = new[] { TrainingMethod.GaussNewton, TrainingMethod.GradientDescent }.ToDictionary(m => m, m =>
            SweepStatistics.LogLogSlope([.. runs.Where(r => r.Method == m && r.Status == TrainingStatus.Converged).Select(r => (r.Kappa, (double)r.Iterations))]));
        var table = new Table().AddColumns("spread", "κ (geometric mean)", "gn iterations", "gd iterations");
        foreach (double spread in e.Spreads)
        {
            var at = runs.Where(r => r.Spread == spread).ToList();
            if (at.Count == 0) continue;
            table.AddRow(spread.ToString("G4", inv), Math.Exp(at.Average(r => Math.Log(r.Kappa))).ToString("E2", inv),
                Iterations(at, TrainingMethod.GaussNewton), Iterations(at, TrainingMethod.GradientDescent));
        }
        AnsiConsole.Write(table);
        foreach (var (method, fit) in fits)
            Console.WriteLine(string.Create(inv, $"{RunFiles.MethodName(method)}: iterations ∝ κ^{Math.Round(fit.Alpha, 3) + 0.0:F3}, 95% interval [{Math.Round(fit.Low, 3) + 0.0:F3}, {Math.Round(fit.High, 3) + 0.0:F3}] over its {fit.Count} converged runs"));
        int censored = runs.Count(r => r.Status is not TrainingStatus.Converged);
        if (censored > 0) Console.WriteLine($"{censored} run(s) stopped at a limit before the tolerance: their counts are lower bounds (≥ in the table), left out of the slopes.");

        var csv = new StringBuilder("spread,seed,kappa,method,status,iterations,seconds\n");
        foreach (var r in runs) csv.Append(inv, $"{r.Spread:R},{r.Seed},{r.Kappa:R},{RunFiles.MethodName(r.Method)},{r.Status},{r.Iterations},{r.Seconds:R}\n");
        File.WriteAllText(folder.File("runs.csv"), csv.ToString());
        string png = Plot(folder.File("iterations-vs-kappa.png"), runs, fits, e);
        Console.WriteLine($"wrote {folder.File("runs.csv")} and {png}");
        return interruption.Requested ? interruption.ExitCode : 0;

        string Iterations(List<ConditioningRun> at, TrainingMethod m)
        {
            var of = at.Where(r => r.Method == m).ToList();
            return of.Count == 0 ? "-" : (of.Any(r => r.Status != TrainingStatus.Converged) ? "≥ " : "") + of.Average(r => r.Iterations).ToString("F0", inv);
        }
    }

    private static string Plot(string path, List<ConditioningRun> runs, Dictionary<TrainingMethod, RateFit> fits, ConditioningExperiment e)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int k = 0;
        foreach (var (method, fit) in fits)
        {
            var color = palette.GetColor(k++);
            var of = runs.Where(r => r.Method == method && r.Iterations > 0 && double.IsFinite(r.Kappa)).ToArray();
            if (of.Length == 0) continue;
            var points = plot.Add.ScatterPoints(of.Select(r => Math.Log10(r.Kappa)).ToArray(), of.Select(r => Math.Log10(r.Iterations)).ToArray(), color);
            points.MarkerSize = 7;
            // Rounded, then + 0 so that −0.00 prints as 0.00.
            points.LegendText = string.Create(CultureInfo.InvariantCulture, $"{RunFiles.MethodName(method)}: iterations ∝ κ^{Math.Round(fit.Alpha, 2) + 0.0:F2}");
        }
        plot.Title($"N = {e.N}, d = {e.D}, M = {e.M}: iterations to {e.Tolerance:G2} of the initial loss");
        // The plot font has no superscript T.
        plot.XLabel((e.Overparameterized ? "κ(J·J^T)" : "κ(J^T·J)") + " at the start (log scale)");
        plot.YLabel("iterations (log scale)");
        RunFiles.LogTicks(plot.Axes.Left);
        RunFiles.LogTicks(plot.Axes.Bottom);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 900, 560);
        return path;
    }
}
