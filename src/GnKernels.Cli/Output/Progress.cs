using System.Diagnostics;
using GnKernels.Solvers;
using Spectre.Console;

namespace GnKernels.Cli.Output;

/// <summary>
/// Live progress for a training run: a Spectre status line on a terminal, plain lines (at most one a second) when
/// the output is redirected (CI, pipes).
/// </summary>
internal static class Progress
{
    public static TrainingResult Run(string label, Func<IterationCallback, TrainingResult> train)
    {
        var clock = Stopwatch.StartNew();
        double lastPrint = -1;
        string Line(IterationRecord r) =>
            $"{label}: iteration {r.Iteration}, loss {r.TrainLoss:E3}{(double.IsNaN(r.Damping) ? "" : $", ε {r.Damping:E2}")}" +
            $"{(r.LinearIterations > 0 ? $", CG {r.LinearIterations}" : "")}, {r.Iteration / Math.Max(r.ElapsedSeconds, 1e-9):F1} it/s";

        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return train((r, _, _) =>
            {
                if (clock.Elapsed.TotalSeconds - lastPrint >= 1)
                {
                    Console.WriteLine(Line(r));
                    lastPrint = clock.Elapsed.TotalSeconds;
                }
                return IterationDecision.Continue;
            });
        }
        TrainingResult? result = null;
        AnsiConsole.Status().Start($"{label}: starting", ctx =>
        {
            result = train((r, _, _) =>
            {
                ctx.Status(Markup.Escape(Line(r)));
                return IterationDecision.Continue;
            });
        });
        return result!;
    }
}
