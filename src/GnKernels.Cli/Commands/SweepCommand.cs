using System.Globalization;
using System.Text;
using GnKernels.Cli.Output;
using GnKernels.Cli.Sweep;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Solvers;
using Spectre.Console;

namespace GnKernels.Cli.Commands;

/// <summary>
/// `gnk sweep`: Arbel et al.'s experiment grid — methods × τ₀ at one N, and × N at one τ₀, over seeds — with a line per
/// finished cell, then tables, CSVs and plots of the test loss with 95% bands and the fitted rates α. Resumable: each
/// finished cell is on disk before the next starts, and a rerun of the same command skips them.
/// </summary>
internal static class SweepCommand
{
    // Arbel et al.'s Table 1, for the side-by-side.
    private static readonly Dictionary<TrainingMethod, double> PaperRates = new()
    {
        [TrainingMethod.RandomFeatures] = 0.46, [TrainingMethod.GaussNewton] = 1.76, [TrainingMethod.GradientDescent] = 2,
    };

    /// <summary>Statuses whose end point is a result; a diverged or stalled run's weights are not a solution and are left out.</summary>
    private static bool Counts(SweepOutcome o) => o.Status is nameof(TrainingStatus.Converged) or nameof(TrainingStatus.MaxIterations) or nameof(TrainingStatus.MaxTime);

    public static int Run(SweepPlan plan)
    {
        if (plan.Validate() is { } problem) return TrainCommand.Fail(problem);
        using var folder = OutputFolder.TryTake(plan.Run.OutputDirectory, out string? folderProblem);
        if (folder is null) return TrainCommand.Fail(folderProblem!);
        var store = SweepStore.Open(folder.Path, plan, out string? storeProblem);
        if (store is null) return TrainCommand.Fail(storeProblem!);
        // Runs in parallel take one BLAS thread each: on the sweep's small problems a run gains little from a second
        // thread (GD at N = 200, M = 1000: 0.90 ms an iteration on one thread, 0.74 on two), a second run a whole core.
        if (plan.Parallel > 1) BlasThreads.Count = 1;
        else if (plan.Run.Threads > 0) BlasThreads.Count = plan.Run.Threads;

        var cells = plan.Cells();
        var outcomes = new Dictionary<string, SweepOutcome>(store.Finished);
        int done = cells.Count(c => outcomes.ContainsKey(c.Key));
        var s = plan.Run;
        Console.WriteLine($"sweep: {plan.Methods.Count} methods × ({plan.Tau0s.Count} τ₀ at N = {plan.NForTau0} + {plan.Ns.Count} N at τ₀ = {plan.Tau0ForN}) × {plan.Seeds} seeds = {cells.Count} runs" +
            (done > 0 ? $", {done} already in {store.CellsPath}" : ""));
        Console.WriteLine($"each run: M = {s.M}, d = {s.D}, {s.TestCount} test points, to {s.Tol:G2} of the initial loss, at most {s.MaxIterations} iterations and {s.MaxTimeSeconds:G4} s; " +
            $"GN: {TrainCommand.StepNote(TrainingMethod.GaussNewton, s)}; GD: {TrainCommand.StepNote(TrainingMethod.GradientDescent, s)}");

        using var interruption = new Interruption();
        var gate = new object();
        // A unit of work is one (N, seed): its methods share the data set, built once.
        var groups = cells.Where(c => !outcomes.ContainsKey(c.Key)).GroupBy(c => (c.N, c.Seed)).ToList();
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(groups, System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering),
            new ParallelOptions { MaxDegreeOfParallelism = plan.Parallel }, group =>
        {
            if (interruption.Requested) return;
            using var data = TeacherStudent.Arbel(group.Key.N, s.D, testCount: s.TestCount, seed: group.Key.Seed);
            foreach (var cell in group)
            {
                if (interruption.Requested) return;
                var (result, rate) = Train(plan.ForCell(cell), cell, data, interruption);
                if (interruption.Requested) return; // a run cut short is not a result: it reruns next time
                lock (gate)
                {
                    var outcome = store.Record(cell, result, rate);
                    outcomes[cell.Key] = outcome;
                    done++;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[{done}/{cells.Count}] {cell.Label}: {outcome.Status}, {outcome.Iterations} iterations, {outcome.Seconds:F1} s; train {outcome.TrainLoss:E2}, test {outcome.TestLoss:E2}") +
                        (cell.Method == TrainingMethod.GradientDescent && rate != (s.LearningRate ?? ArbelRate) ? $" (λ = {rate:G4}: larger ones diverged)" : ""));
                    if (!Counts(outcome)) Console.Error.WriteLine($"gnk: warning: {cell.Label} {outcome.Status.ToLowerInvariant()} ({result.Message}); it is left out of the statistics.");
                }
            }
        });

        Summarize(plan, cells.Where(c => outcomes.ContainsKey(c.Key)).Select(c => outcomes[c.Key]).ToList(), store, folder);
        if (interruption.Requested)
        {
            Console.Error.WriteLine($"gnk: interrupted by {interruption.SignalName}; {done} of {cells.Count} runs are kept in {store.CellsPath}. Run the same command again to continue.");
            return interruption.ExitCode;
        }
        return 0;
    }

    private const double ArbelRate = 10;
    private const int MaxHalvings = 10;

    /// <summary>
    /// One run. GD's literal step λ = 10 is stable only while λ·λ_max(JJᵀ)/N &lt; 2, which Arbel et al.'s M = 5000
    /// keeps at τ₀ ≤ 10 and a smaller M or a larger τ₀ does not; as they chose λ as the largest rate that did not blow
    /// up, a diverged GD run is rerun with λ halved (at most ten times), and the λ used is recorded.
    /// </summary>
    private static (TrainingResult Result, double Rate) Train(RunSettings settings, SweepCell cell, SyntheticDataset data, Interruption interruption)
    {
        double rate = settings.LearningRate ?? ArbelRate;
        for (int halvings = 0; ; halvings++, rate /= 2)
        {
            var model = settings.Model(settings.D);
            double[] w = TeacherStudent.InitialParameters(model, cell.Tau0, cell.Seed + 1);
            var options = (settings with { LearningRate = rate }).Options(cell.Method,
                (_, _, _) => interruption.Requested ? IterationDecision.Stop : IterationDecision.Continue, data.TeacherHiddenWeights);
            var result = Trainer.Train(model, data.TrainX, data.TrainY, data.TestX, data.TestY, w, options);
            if (cell.Method != TrainingMethod.GradientDescent || result.Status != TrainingStatus.Diverged || halvings == MaxHalvings || interruption.Requested)
                return (result, rate);
        }
    }

    private static void Summarize(SweepPlan plan, List<SweepOutcome> outcomes, SweepStore store, OutputFolder folder)
    {
        var inv = CultureInfo.InvariantCulture;
        var usable = outcomes.Where(Counts).ToList();
        LossBand Band(TrainingMethod m, double tau0, int n) =>
            SweepStatistics.Band(usable.Where(o => o.Cell.Method == m && o.Cell.Tau0 == tau0 && o.Cell.N == n).Select(o => o.TestLoss).ToList());
        var rates = plan.Methods.ToDictionary(m => m, m => SweepStatistics.Rate(
            usable.Where(o => o.Cell.Method == m && o.Cell.Tau0 == plan.Tau0ForN && plan.Ns.Contains(o.Cell.N)).Select(o => (o.Cell.N, o.TestLoss)).ToList()));

        string Cell(LossBand b) => Markup.Escape(b.Count == 0 ? "-" : double.IsNaN(b.Low) ? b.Mean.ToString("E2", inv) : $"{b.Mean.ToString("E2", inv)} [{b.Low.ToString("E1", inv)}, {b.High.ToString("E1", inv)}]");
        var byTau = new Table { Title = new TableTitle(Markup.Escape($"test loss against τ₀ at N = {plan.NForTau0} (geometric mean [95% interval] over seeds)")) };
        byTau.AddColumn("τ₀");
        foreach (var m in plan.Methods) byTau.AddColumn(RunFiles.MethodName(m));
        foreach (double tau0 in plan.Tau0s)
            byTau.AddRow([tau0.ToString("G4", inv), .. plan.Methods.Select(m => Cell(Band(m, tau0, plan.NForTau0)))]);
        var byN = new Table { Title = new TableTitle($"test loss against N at τ₀ = {plan.Tau0ForN}") };
        byN.AddColumn("N");
        foreach (var m in plan.Methods) byN.AddColumn(RunFiles.MethodName(m));
        foreach (int n in plan.Ns)
            byN.AddRow([n.ToString(inv), .. plan.Methods.Select(m => Cell(Band(m, plan.Tau0ForN, n)))]);
        var rateTable = new Table { Title = new TableTitle("rate α of L_test ≈ C·N^(−α) (least squares over every run, 95% interval)") }
            .AddColumns("method", "α", "interval", "runs", "Arbel et al.");
        foreach (var m in plan.Methods)
        {
            var r = rates[m];
            rateTable.AddRow(RunFiles.MethodName(m), r.Alpha.ToString("F2", inv), Markup.Escape(double.IsNaN(r.Low) ? "-" : $"[{r.Low.ToString("F2", inv)}, {r.High.ToString("F2", inv)}]"),
                r.Count.ToString(inv), PaperRates[m].ToString("F2", inv));
        }
        AnsiConsole.Write(byTau);
        AnsiConsole.Write(byN);
        AnsiConsole.Write(rateTable);
        int left = outcomes.Count - usable.Count;
        if (left > 0) Console.WriteLine($"{left} of {outcomes.Count} runs diverged or stalled and are left out (see {store.CellsPath}).");

        // Summary CSVs, the same numbers as the tables.
        var tauCsv = new StringBuilder("tau0,n,method,geometric_mean,low95,high95,runs\n");
        foreach (var (tau0, n) in plan.Tau0s.Select(t => (t, plan.NForTau0)).Concat(plan.Ns.Select(n => (plan.Tau0ForN, n))).Distinct())
            foreach (var m in plan.Methods)
            {
                var b = Band(m, tau0, n);
                tauCsv.Append(inv, $"{tau0:R},{n},{RunFiles.MethodName(m)},{b.Mean:R},{b.Low:R},{b.High:R},{b.Count}\n");
            }
        File.WriteAllText(folder.File("test-loss.csv"), tauCsv.ToString().Replace("NaN", ""));
        var rateCsv = new StringBuilder("method,alpha,low95,high95,runs,paper\n");
        foreach (var m in plan.Methods)
            rateCsv.Append(inv, $"{RunFiles.MethodName(m)},{rates[m].Alpha:R},{rates[m].Low:R},{rates[m].High:R},{rates[m].Count},{PaperRates[m]:R}\n");
        File.WriteAllText(folder.File("rates.csv"), rateCsv.ToString().Replace("NaN", ""));

        var s = plan.Run;
        var written = new List<string>
        {
            SweepPlots.TestLossAgainst(folder.File("test-loss-vs-tau0.png"), $"N = {plan.NForTau0}, M = {s.M}, d = {s.D}", "τ₀ (std of the initial hidden weights)",
                plan.Methods, plan.Tau0s, (m, tau0) => Band(m, tau0, plan.NForTau0), ScottPlot.Alignment.UpperLeft),
            SweepPlots.TestLossAgainst(folder.File("test-loss-vs-n.png"), $"τ₀ = {plan.Tau0ForN}, M = {s.M}, d = {s.D}", "N (training samples)",
                plan.Methods, plan.Ns.Select(n => (double)n).ToList(), (m, n) => Band(m, plan.Tau0ForN, (int)n), ScottPlot.Alignment.UpperRight,
                m => double.IsNaN(rates[m].Alpha) ? "" : string.Create(inv, $": α = {rates[m].Alpha:F2} [{rates[m].Low:F2}, {rates[m].High:F2}]")),
        };
        foreach (double tau0 in new[] { plan.Tau0s.Min(), plan.Tau0s.Max() }.Distinct())
            written.Add(SweepPlots.Curves(folder.File(string.Create(inv, $"curves-tau0={tau0:G4}.png")), $"N = {plan.NForTau0}, τ₀ = {tau0:G4}: every seed", plan.Methods,
                m => outcomes.Where(o => o.Cell.Method == m && o.Cell.Tau0 == tau0 && o.Cell.N == plan.NForTau0).Select(o => store.Curve(o.Cell))));
        Console.WriteLine($"wrote {string.Join(", ", written)}, {folder.File("test-loss.csv")} and {folder.File("rates.csv")}");
    }
}
