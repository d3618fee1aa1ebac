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
    public static TrainingResult Run(string label, Func<Func<IterationRecord, bool>, TrainingResult> train)
    {
        var clock = Stopwatch.StartNew();
        double lastPrint = -1;
        string Line(IterationRecord r) =>
            $"{label}: iteration {r.Iteration}, loss {r.TrainLoss:E3}, ε {r.Damping:E2}, {r.Iteration / Math.Max(r.ElapsedSeconds, 1e-9):F1} it/s";

        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return train(r =>
            {
                if (clock.Elapsed.TotalSeconds - lastPrint >= 1)
                {
                    Console.WriteLine(Line(r));
                    lastPrint = clock.Elapsed.TotalSeconds;
                }
                return true;
            });
        }
        TrainingResult? result = null;
        AnsiConsole.Status().Start($"{label}: starting", ctx =>
        {
            result = train(r =>
            {
                ctx.Status(Markup.Escape(Line(r)));
                return true;
            });
        });
        return result!;
    }
}
