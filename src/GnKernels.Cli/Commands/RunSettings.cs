using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Cli.Commands;

/// <summary>What `gnk train` and `gnk compare` were asked to do, validated before anything is allocated.</summary>
internal sealed record RunSettings
{
    public int N { get; init; }
    public int M { get; init; }
    public int D { get; init; }
    public double Tau0 { get; init; }
    public bool Bias { get; init; }
    public int Seed { get; init; }
    public double Tol { get; init; }
    public int MaxIterations { get; init; }
    public double MaxTimeSeconds { get; init; }
    public int Threads { get; init; }
    public int TestCount { get; init; }
    public double? LearningRate { get; init; }
    public GaussNewtonStepRule GaussNewtonStep { get; init; }
    public GaussNewtonSolver Solver { get; init; }
    /// <summary>`--solver auto`: <see cref="Solver"/> was chosen by <see cref="ResolveSolver"/>.</summary>
    public bool AutoSolver { get; init; }
    public GradientStepRule GradientDescentStep { get; init; }
    public bool GgnTextbookMetric { get; init; }
    public double? GgnTau { get; init; }
    public double? GgnMu { get; init; }
    public double? GgnLipschitz { get; init; }
    /// <summary>Synthetic data from GGN-SCORE's sphere teacher instead of Arbel's Gaussian one.</summary>
    public bool SphereTeacher { get; init; }
    public OutputScaling Scaling { get; init; }
    /// <summary>Measure the NTK's spectrum and drift every this many iterations (0: never).</summary>
    public int KernelMetricsInterval { get; init; }
    /// <summary>--solver nystrom: sampled NTK columns (0: chosen, see <see cref="RankUsed"/>).</summary>
    public int NystromRank { get; init; }
    /// <summary>--memory-budget in GiB; null: 80% of the memory this process may use.</summary>
    public double? MemoryBudgetGiB { get; init; }
    /// <summary>Rows of Φ and E held at a time (null: all N): set by <see cref="ResolveSolver"/> when nystrom's stored activations exceed the budget.</summary>
    public int? ActivationRows { get; init; }
    public double? LinearTolerance { get; init; }
    /// <summary>--damping-floor: ε₀ of Arbel's rule; null: the library's default.</summary>
    public double? DampingFloor { get; init; }
    public int? MaxLinearIterations { get; init; }
    public string OutputDirectory { get; init; } = "";
    public string? DataPath { get; init; }
    public string? Target { get; init; }
    public string? TestDataPath { get; init; }
    public double TestFraction { get; init; }
    public int SplitSeed { get; init; }
    public bool Standardize { get; init; }
    public string? SavePath { get; init; }
    /// <summary>The share of a run's time the test loss may take (evaluated as often as that allows).</summary>
    public double TestTimeShare { get; init; } = 0.02;

    /// <summary>Options the user set explicitly (by their names), to say which ones a run ignores.</summary>
    public IReadOnlySet<string> Given { get; init; } = new HashSet<string>();

    // A year: a limit beyond it is a typo (and TimeSpan overflows near 10^15 s).
    private const double MaxSeconds = 86_400 * 365;

    /// <summary>Returns the first problem with the settings as one line, or null.</summary>
    public string? Validate()
    {
        if (N < 1) return $"--n must be a positive number of samples; got {N}.";
        if (M < 1) return $"--m must be a positive number of hidden units; got {M}.";
        if (D < 1) return $"--d must be a positive input dimension; got {D}.";
        if (!(Tau0 > 0 && Tau0 <= 1e6)) return $"--tau0 must lie in (0, 1e6] (1: feature regime, 10: kernel regime); got {Tau0}.";
        if (!(Tol >= 0 && Tol < 1)) return $"--tol must lie in [0, 1); got {Tol}.";
        if (MaxIterations < 1) return $"--max-iter must be at least 1; got {MaxIterations}.";
        if (!(MaxTimeSeconds > 0 && MaxTimeSeconds <= MaxSeconds)) return $"--max-time must lie in (0, {MaxSeconds:0}] seconds; got {MaxTimeSeconds}.";
        if (Threads < 0 || Threads > Environment.ProcessorCount)
            return $"--threads must lie in 0…{Environment.ProcessorCount} (0 keeps OpenBLAS's default; this machine has {Environment.ProcessorCount} CPUs); got {Threads}.";
        if (TestCount < 0) return $"--test must be ≥ 0; got {TestCount}.";
        if (KernelMetricsInterval < 0) return $"--metrics must be ≥ 0 (0: off); got {KernelMetricsInterval}.";
        if (LearningRate is { } lr && !(lr > 0 && double.IsFinite(lr))) return $"--lr must be finite and > 0; got {lr}.";
        foreach (var (name, value) in new[] { ("--ggn-tau", GgnTau), ("--ggn-mu", GgnMu), ("--ggn-lipschitz", GgnLipschitz) })
            if (value is { } v && !(v > 0 && double.IsFinite(v))) return $"{name} must be finite and > 0; got {v}.";
        if (!(TestFraction >= 0 && TestFraction < 1)) return $"--test-fraction must lie in [0, 1); got {TestFraction}.";
        if (DataPath is null && (Target ?? TestDataPath) is not null) return "--target and --test-data need --data FILE.";
        if (TestDataPath is not null && Given.Contains("--test-fraction")) return "--test-data and --test-fraction both choose the test set; give one.";
        if (ParameterCount > Array.MaxLength) return $"--m {M} with --d {D} gives {ParameterCount:N0} parameters; at most {Array.MaxLength:N0} fit in a span.";
        if (NystromRank < 0) return $"--rank must be ≥ 0 (0: chosen by N and the budget); got {NystromRank}.";
        if (LinearTolerance is { } cgTolerance && !(cgTolerance > 0 && cgTolerance < 1)) return $"--cg-tol must lie in (0, 1); got {cgTolerance}.";
        if (DampingFloor is { } floor && !(floor > 0 && double.IsFinite(floor))) return $"--damping-floor must be finite and > 0; got {floor}.";
        if (MaxLinearIterations is { } cgLimit && cgLimit < 1) return $"--cg-max-iter must be at least 1; got {cgLimit}.";
        if (MemoryBudgetGiB is { } budgetGiB && !(budgetGiB > 0 && double.IsFinite(budgetGiB))) return $"--memory-budget must be finite and > 0 GiB; got {budgetGiB}.";
        double bytes = FootprintBytes(Solver, ActivationRows), budget = BudgetBytes;
        if (bytes > budget)
            return $"N = {N}, M = {M} needs about {bytes / (1 << 30):F1} GiB ({Solver switch { GaussNewtonSolver.Nystrom => $"Φ and E for {ActivationRows ?? N} rows, the N×{RankUsed} basis and those rows' {RankUsed} columns", GaussNewtonSolver.Cg => $"Φ and E for {ActivationRows ?? N} rows", GaussNewtonSolver.Mixed => "two N×M matrices and their float32 copies, two float32 N×N", _ => "two N×M and two N×N matrices" }}); " +
                $"the budget is {budget / (1 << 30):F1} GiB{(MemoryBudgetGiB is null ? " (80% of what this process may use)" : "")}. Use a smaller --n or --m{(Solver switch { GaussNewtonSolver.Nystrom => " or --rank", GaussNewtonSolver.Cg => "", _ => ", or --solver nystrom (no N×N matrix)" })}, or a larger --memory-budget.";
        return null;
    }

    /// <summary>The bytes a run may hold: --memory-budget, or 80% of what this process may use (unbounded if unknown).</summary>
    private double BudgetBytes => MemoryBudgetGiB is { } g ? g * (1L << 30)
        : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes is > 0 and var available ? 0.8 * available : double.PositiveInfinity;

    /// <summary>
    /// k for nystrom: --rank, or with --rank 0 min(N, 512), raised to min(N, 1024) where the activations would be
    /// recomputed at k = 512 and k = 1024 still leaves a quarter of the budget to held rows (its footprint with one
    /// block of rows held is at most three quarters of it). Recomputing, every CG iteration repeats the forward pass over
    /// the rows not held, so a basis that ends CG in a few iterations is worth more than the rows it displaces: at
    /// N = 1,000,000 one step took 82 s with k = 1024 and 195 s with 512 (docs/scaling.md).
    /// </summary>
    private int RankUsed
    {
        get
        {
            if (NystromRank > 0) return Math.Min(NystromRank, N);
            int small = Math.Min(N, 512), large = Math.Min(N, 1024);
            double budget = BudgetBytes;
            bool recomputes = FootprintBytes(GaussNewtonSolver.Nystrom, null, small) > budget;
            return recomputes && FootprintBytes(GaussNewtonSolver.Nystrom, TwoLayerSiluLinearization.ProductRowBlock, large) <= 0.75 * budget
                ? large : small;
        }
    }

    private long ParameterCount => (long)M * (D + (Bias ? 2 : 1));

    /// <summary>
    /// Bytes a GN run with <paramref name="solver"/> holds: Φ and E and the Jacobian's row panel for the rows held
    /// (N×(2M + 256), or <paramref name="activationRows"/> rows when recomputed); then the NTK and its Cholesky scratch
    /// (N×N each), or with nystrom its basis (N×k, the columns turned into B in place, and a block of 4096 rows) and
    /// the k-column scratch of the rows held, or with mixed the same two N×N and Φ, E in float32; cg holds nothing more.
    /// </summary>
    public double FootprintBytes(GaussNewtonSolver solver, int? activationRows = null) =>
        FootprintBytes(solver, activationRows, solver == GaussNewtonSolver.Nystrom ? RankUsed : 0);

    private double FootprintBytes(GaussNewtonSolver solver, int? activationRows, int rank)
    {
        double rows = Math.Min(N, activationRows ?? N);
        double solverBytes = solver switch
        {
            GaussNewtonSolver.Nystrom => (N + rows + 4096.0) * rank,
            GaussNewtonSolver.Cg => 0,
            GaussNewtonSolver.Mixed => 0.5 * (2.0 * N * N + 2.0 * N * M),
            _ => 2.0 * N * N,
        };
        return 8.0 * (rows * (2.0 * M + 256) + solverBytes + 256.0 * M + 3.0 * ParameterCount);
    }

    /// <summary>
    /// With `--solver auto`, where the N×N matrices fit the budget: pcg for Arbel's fixed step from N = 500 on, the
    /// exact step otherwise; the Nyström-preconditioned CG where they do not fit. A fixed step moves w by λ/N of the GN
    /// step, so an earlier factor keeps preconditioning well: pcg took 0.76 of the exact run's time at N = 500 and
    /// 0.29–0.44 at N = 2000 (docs/performance.md); the line search's full steps age the factor at once, and there the
    /// exact step was never slower. With nystrom or cg, the activations are recomputed a chunk at a time (whole
    /// multiples of 4096 rows) where storing all N rows of Φ and E would not fit.
    /// </summary>
    public RunSettings ResolveSolver()
    {
        var dense = GaussNewtonStep == GaussNewtonStepRule.Fixed && N >= PcgFromN ? GaussNewtonSolver.Pcg : GaussNewtonSolver.Exact;
        var resolved = !AutoSolver ? this
            : this with { Solver = FootprintBytes(dense) <= BudgetBytes ? dense : GaussNewtonSolver.Nystrom };
        var solver = resolved.Solver;
        if (solver is not (GaussNewtonSolver.Nystrom or GaussNewtonSolver.Cg) || resolved.FootprintBytes(solver) <= BudgetBytes) return resolved;
        const int block = TwoLayerSiluLinearization.ProductRowBlock;
        double spare = BudgetBytes - resolved.FootprintBytes(solver, activationRows: 0);
        int columnRow = solver == GaussNewtonSolver.Nystrom ? RankUsed : 0;
        long rows = (long)(spare / (8.0 * (2 * M + 256 + columnRow))) / block * block; // per row held: Φ, E, the panel, a column row
        return resolved with { ActivationRows = (int)Math.Clamp(rows, block, N) };
    }

    /// <summary>The N from which `--solver auto` takes pcg for Arbel's fixed step.</summary>
    private const int PcgFromN = 500;

    /// <summary>What `--solver auto` chose and why, and whether the activations are recomputed; null if neither.</summary>
    public string? SolverNote()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string? auto = !AutoSolver ? null : string.Create(inv,
            $"solver auto: {Solver.ToString().ToLowerInvariant()} ({(Solver == GaussNewtonSolver.Pcg ? $"Arbel's fixed step at N ≥ {PcgFromN}; " : "")}the dense forms would need {FootprintBytes(GaussNewtonSolver.Exact) / (1 << 30):F1} GiB; the budget is {BudgetBytes / (1 << 30):F1})");
        string? streaming = ActivationRows is not { } rows ? null : string.Create(inv,
            $"activations recomputed {rows} rows at a time (storing all of Φ and E would need {16.0 * N * M / (1 << 30):F1} GiB){(Solver == GaussNewtonSolver.Nystrom ? $", Nyström rank k = {RankUsed}" : "")}");
        return auto is null ? streaming : streaming is null ? auto : auto + "; " + streaming;
    }

    /// <summary>One line per option that the run does not use, for the user who set it.</summary>
    public IEnumerable<string> Ignored(TrainingMethod method)
    {
        bool gn = method == TrainingMethod.GaussNewton, gd = method == TrainingMethod.GradientDescent;
        if (Given.Contains("--lr") && !(gn || gd)) yield return $"--lr is not used by {method}.";
        if (Given.Contains("--step") && !gn) yield return $"--step is not used by {method}.";
        bool cg = gn || SolverFor(method) == GaussNewtonSolver.Pcg;
        if (Given.Contains("--solver") && !gn && SolverFor(method) != Solver)
            yield return $"--solver {Solver.ToString().ToLowerInvariant()} is not used by {method}{(DampedKernelSolves(method) ? " (it takes exact or pcg)" : "")}.";
        foreach (string solverOption in new[] { "--cg-tol", "--cg-max-iter" }.Where(Given.Contains))
            if (!cg) yield return $"{solverOption} is not used by {method}{(DampedKernelSolves(method) ? " without --solver pcg" : "")}.";
        if (Given.Contains("--rank") && SolverFor(method) != GaussNewtonSolver.Nystrom) yield return $"--rank is not used by {method} without --solver nystrom.";
        if (Given.Contains("--damping-floor") && !gn) yield return $"--damping-floor is not used by {method}.";
        if (Given.Contains("--gd-step") && !gd) yield return $"--gd-step is not used by {method}.";
        foreach (string ggn in new[] { "--ggn-metric", "--ggn-tau", "--ggn-mu", "--ggn-lipschitz" }.Where(Given.Contains))
            if (method != TrainingMethod.GgnScore) yield return $"{ggn} is not used by {method}.";
        if (DataPath is not null)
            foreach (string option in new[] { "--n", "--d", "--test", "--teacher" }.Where(Given.Contains))
                yield return $"{option} is not used with --data (the file sets the samples and features).";
    }

    /// <summary>LM's and GGN-SCORE's damped solves are exact or pcg; GN takes every solver.</summary>
    private static bool DampedKernelSolves(TrainingMethod method) => method is TrainingMethod.LevenbergMarquardt or TrainingMethod.GgnScore;

    /// <summary>The linear solver <paramref name="method"/> runs with: GN's as given, LM's and GGN-SCORE's pcg if given, else exact.</summary>
    public GaussNewtonSolver SolverFor(TrainingMethod method) => method == TrainingMethod.GaussNewton ? Solver
        : DampedKernelSolves(method) && Solver == GaussNewtonSolver.Pcg ? GaussNewtonSolver.Pcg : GaussNewtonSolver.Exact;

    public TwoLayerSilu Model(int inputDimension) => new(inputDimension, M, Bias, Scaling);

    public TrainingOptions Options(TrainingMethod method, IterationCallback onIteration, double[]? teacherHiddenWeights = null) => new()
    {
        KernelMetricsInterval = KernelMetricsInterval,
        NystromRank = Solver == GaussNewtonSolver.Nystrom ? RankUsed : NystromRank,
        LinearTolerance = LinearTolerance,
        MaxLinearIterations = MaxLinearIterations,
        DampingFloor = DampingFloor ?? ArbelDamping.DefaultFloor,
        TeacherHiddenWeights = teacherHiddenWeights,
        Method = method,
        LearningRate = LearningRate,
        GaussNewtonStep = GaussNewtonStep,
        LinearSolver = SolverFor(method),
        GradientDescentStep = GradientDescentStep,
        GgnTextbookMetric = GgnTextbookMetric,
        GgnTau = GgnTau ?? new TrainingOptions().GgnTau,
        GgnMu = GgnMu,
        GgnLipschitz = GgnLipschitz,
        RelativeTolerance = Tol,
        MaxIterations = MaxIterations,
        MaxTime = TimeSpan.FromSeconds(MaxTimeSeconds),
        TestTimeShare = TestTimeShare,
        OnIteration = onIteration,
    };
}
