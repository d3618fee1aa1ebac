using System.Globalization;
using System.Text.Json;
using GnKernels.Cli.Commands;
using GnKernels.Solvers;

namespace GnKernels.Cli.Sweep;

/// <summary>One training run of a sweep: a method from one seed's start at one (τ₀, N).</summary>
internal readonly record struct SweepCell(double Tau0, int N, TrainingMethod Method, int Seed)
{
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Tau0:R}|{N}|{Output.RunFiles.MethodName(Method)}|{Seed}");

    public string Label => string.Create(CultureInfo.InvariantCulture, $"{Output.RunFiles.MethodName(Method)} τ₀ = {Tau0:G4}, N = {N}, seed {Seed}");

    /// <summary>The folder name of the cell's per-iteration CSV.</summary>
    public string FolderName => string.Create(CultureInfo.InvariantCulture, $"tau0={Tau0:R}_n={N}_seed={Seed}");
}

/// <summary>
/// What `gnk sweep` runs: Arbel et al.'s two grids — test loss against τ₀ at one N (their Figure 2) and against N at
/// one τ₀ (Figure 3, whose log-log slope is Table 1's rate α) — for each method and seed, every cell from the same
/// teacher-student data and initialization of its seed as the other methods'.
/// </summary>
internal sealed record SweepPlan
{
    public required IReadOnlyList<double> Tau0s { get; init; }
    public required IReadOnlyList<int> Ns { get; init; }
    public required int NForTau0 { get; init; }
    public required double Tau0ForN { get; init; }
    public required IReadOnlyList<TrainingMethod> Methods { get; init; }
    public required int Seeds { get; init; }
    /// <summary>Runs at once, each on one BLAS thread (1: one at a time on <see cref="RunSettings.Threads"/>).</summary>
    public int Parallel { get; init; } = 1;
    /// <summary>The per-run settings (M, d, test size, tolerance, budgets, steps) every cell shares.</summary>
    public required RunSettings Run { get; init; }

    public static readonly TrainingMethod[] SupportedMethods =
        [TrainingMethod.GaussNewton, TrainingMethod.GradientDescent, TrainingMethod.RandomFeatures];

    /// <summary>Every cell once (the grids share the cell at (τ₀ for N, N for τ₀)), τ₀ grid first.</summary>
    public IReadOnlyList<SweepCell> Cells()
    {
        var cells = new List<SweepCell>();
        var seen = new HashSet<string>();
        var points = Tau0s.Select(t => (Tau0: t, N: NForTau0)).Concat(Ns.Select(n => (Tau0: Tau0ForN, N: n)));
        foreach (var (tau0, n) in points)
            for (int seed = 0; seed < Seeds; seed++)
                foreach (var method in Methods)
                {
                    var cell = new SweepCell(tau0, n, method, seed);
                    if (seen.Add(cell.Key)) cells.Add(cell);
                }
        return cells;
    }

    /// <summary>The settings of one cell's run: Arbel's fixed GN step and literal GD step (λ = 10 unless --lr says otherwise).</summary>
    public RunSettings ForCell(SweepCell cell) => Run with { N = cell.N, Tau0 = cell.Tau0, Seed = cell.Seed };

    /// <summary>First problem with the plan as one line, or null.</summary>
    public string? Validate()
    {
        if (Tau0s.Count == 0) return "--tau0 needs at least one value.";
        if (Ns.Count == 0) return "--n needs at least one value.";
        if (Seeds < 2) return $"--seeds must be at least 2 (confidence intervals need two runs per point); got {Seeds}.";
        if (Seeds > 1000) return $"--seeds must be at most 1000; got {Seeds}.";
        if (Methods.Count == 0) return "--methods needs at least one of gn, gd, rf.";
        if (Parallel < 1 || Parallel > Environment.ProcessorCount)
            return $"--parallel must lie in 1…{Environment.ProcessorCount} (this machine's CPUs); got {Parallel}.";
        if (Parallel > 1 && Run.Threads > 1)
            return $"--parallel {Parallel} runs each on one BLAS thread; give --parallel 1 to run one at a time on {Run.Threads} threads.";
        if (Ns.Distinct().Count() != Ns.Count || Tau0s.Distinct().Count() != Tau0s.Count) return "--n and --tau0 must not repeat a value.";
        foreach (int n in Ns.Append(NForTau0))
            if (Run with { N = n, Tau0 = Tau0ForN } is var s && s.Validate() is { } problem) return problem;
        foreach (double t in Tau0s.Append(Tau0ForN))
            if (Run with { N = NForTau0, Tau0 = t } is var s && s.Validate() is { } problem) return problem;
        return null;
    }

    /// <summary>
    /// Everything that decides a cell's result, as JSON: a sweep folder resumes only under the same description (more
    /// seeds, τ₀ or N values add cells; a different M or tolerance would mix incomparable runs).
    /// </summary>
    public string Fingerprint() => JsonSerializer.Serialize(new
    {
        Run.M, Run.D, Run.Bias, Run.TestCount, Run.Tol, Run.MaxIterations, Run.MaxTimeSeconds, Run.LearningRate,
        GaussNewtonStep = Run.GaussNewtonStep.ToString(), GradientDescentStep = Run.GradientDescentStep.ToString(),
    });
}
