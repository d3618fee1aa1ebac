using System.CommandLine;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Cli.Commands;

/// <summary>The `gnk` command tree: info, train, compare, sweep, predict, bench-compare, bench-report. Exit codes: 0 done, 2 bad input, 3 native
/// library missing, 4 the run diverged, stalled or its system could not be solved, 5 bench-compare found a regression.</summary>
internal static class CommandLine
{
    public const int BadInput = 2, NativeMissing = 3, RunFailed = 4, Regression = 5;

    public static RootCommand Build()
    {
        var root = new RootCommand("GnKernels: Gauss-Newton training of two-layer SiLU networks, on synthetic teacher-student data or your own CSV/.npy file.");

        var info = new Command("info", "Print the CPU, SIMD path, OpenBLAS build and thread count.");
        info.SetAction(_ => { Console.WriteLine(Platform.Describe()); return 0; });
        root.Subcommands.Add(info);

        var method = new Option<string>("--method") { Description = "gn | lm | gd | rf | ggn-score", DefaultValueFactory = _ => "gn" };
        method.AcceptOnlyFromAmong("gn", "lm", "gd", "rf", "ggn-score");
        var train = new Command("train", "Train one method on synthetic data or --data FILE; write <method>.csv, loss.png and summary.json into --out (and the model with --save).");
        train.Options.Add(method);
        var trainOptions = new SettingsOptions(train, n: 500, m: 5000, maxIterations: 1000, maxTime: 600, output: "gnk-out", gnStep: "backtracking", save: true);
        train.SetAction(parse => TrainCommand.Run(trainOptions.Read(parse), parse.GetValue(method)!));
        root.Subcommands.Add(train);

        var compare = new Command("compare", "Run GN, GD and random features on one data set; print a table, write one PNG and a CSV per method.");
        // compare reproduces Arbel et al.'s comparison, so GN takes their fixed step there.
        var compareOptions = new SettingsOptions(compare, n: 200, m: 2000, maxIterations: 2000, maxTime: 20, output: "gnk-compare", gnStep: "fixed", save: false);
        compare.SetAction(parse => CompareCommand.Run(compareOptions.Read(parse)));
        root.Subcommands.Add(compare);
        root.Subcommands.Add(new SweepOptions().Command);
        root.Subcommands.Add(Conditioning());
        root.Subcommands.Add(Reversible());
        root.Subcommands.Add(Predict());
        root.Subcommands.Add(BenchCompare());
        root.Subcommands.Add(BenchReport());
        return root;
    }

    private static Command Conditioning()
    {
        var spreads = new Option<double[]>("--spreads")
        {
            Description = "Input spreads (comma-separated): coordinate j of x is scaled by spread^(−j/(d−1)), so larger spreads give worse-conditioned Gram matrices",
            DefaultValueFactory = _ => [1, 1.5, 2, 3, 4],
            CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Select(v => double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double x) ? x : ParseError(r, v))],
        };
        var n = new Option<int>("--n") { Description = "Training samples N", DefaultValueFactory = _ => 400 };
        var m = new Option<int>("--m") { Description = "Hidden units M of student and teacher (P = M·(d + 1) < N)", DefaultValueFactory = _ => 2 };
        var d = new Option<int>("--d") { Description = "Input dimension d", DefaultValueFactory = _ => 3 };
        var seeds = new Option<int>("--seeds") { Description = "Problems per spread", DefaultValueFactory = _ => 3 };
        var perturbation = new Option<double>("--perturbation") { Description = "Std of the start's offset from the teacher, per parameter", DefaultValueFactory = _ => 0.1 };
        var step = new Option<double>("--gn-step") { Description = "GN's step h of the discretized flow (1: the full GN step)", DefaultValueFactory = _ => 0.5 };
        // Tight: a loose tolerance is met before the small-eigenvalue directions, which carry little of the initial
        // loss, matter, and GD's count then hardly depends on κ.
        var tol = new Option<double>("--tol") { Description = "Stop at this fraction of the initial loss", DefaultValueFactory = _ => 1e-10 };
        var maxIter = new Option<int>("--max-iter") { Description = "Iteration limit per run", DefaultValueFactory = _ => 1_000_000 };
        var maxTime = new Option<double>("--max-time") { Description = "Time limit per run, seconds", DefaultValueFactory = _ => 30 };
        var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => "gnk-conditioning" };
        var regime = new Option<string>("--regime")
        {
            Description = "under (P < N: the GN flow in the parameter form, κ of JᵀJ) or over (P > N: LM dynamics with a damping schedule, κ of the NTK; e.g. --n 60 --m 40)",
            DefaultValueFactory = _ => "under",
        };
        regime.AcceptOnlyFromAmong("under", "over");
        var command = new Command("conditioning", "Iterations to a tolerance against the Gram matrix's condition number for GN and GD (under-parameterized, Cayci's claim); a table, slopes, runs.csv and a plot.");
        foreach (Option option in new Option[] { regime, spreads, n, m, d, seeds, perturbation, step, tol, maxIter, maxTime, output }) command.Options.Add(option);
        command.SetAction(p => ConditioningCommand.Run(new GnKernels.Cli.Experiments.ConditioningExperiment
        {
            Overparameterized = p.GetValue(regime) == "over", Spreads = p.GetValue(spreads)!, N = p.GetValue(n), M = p.GetValue(m), D = p.GetValue(d), Seeds = p.GetValue(seeds),
            Perturbation = p.GetValue(perturbation), GaussNewtonStep = p.GetValue(step), Tolerance = p.GetValue(tol),
            MaxIterations = p.GetValue(maxIter), MaxSeconds = p.GetValue(maxTime),
        }, p.GetValue(output)!));
        return command;

        static double ParseError(System.CommandLine.Parsing.ArgumentResult r, string v)
        {
            r.AddError($"--spreads takes comma-separated numbers, as in --spreads 1,10,100; '{v}' is not one.");
            return double.NaN;
        }
    }

    private static Command Reversible()
    {
        var data = new Option<string>("--data") { Description = "The digits CSV (64 pixel columns and 'label')", DefaultValueFactory = _ => "docs/data/digits.csv" };
        var test = new Option<int>("--test") { Description = "Samples held out for testing (the rest train)", DefaultValueFactory = _ => 497 };
        var fullBatch = new Option<int>("--full-batch") { Description = "Training samples of the full-batch runs (≤ hidden + 1 for exact GN)", DefaultValueFactory = _ => 500 };
        var blocks = new Option<int>("--blocks") { Description = "Coupling blocks L", DefaultValueFactory = _ => 2 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden width H of each half-layer (above every batch size)", DefaultValueFactory = _ => 600 };
        var activation = new Option<string>("--activation") { Description = "silu or relu", DefaultValueFactory = _ => "silu" };
        activation.AcceptOnlyFromAmong("silu", "relu");
        var fullIterations = new Option<int>("--full-iterations") { Description = "Full-batch steps of Adam and SGD", DefaultValueFactory = _ => 2000 };
        var gnIterations = new Option<int>("--gn-iterations") { Description = "Full-batch steps of GN", DefaultValueFactory = _ => 50 };
        var batch = new Option<int>("--batch") { Description = "Mini-batch size", DefaultValueFactory = _ => 100 };
        var epochs = new Option<int>("--epochs") { Description = "Mini-batch epochs", DefaultValueFactory = _ => 20 };
        var gnRate = new Option<double>("--gn-lr") { Description = "GN's learning rate α (1: the linearized outputs reach the targets)", DefaultValueFactory = _ => 0.5 };
        var adamRate = new Option<double>("--adam-lr") { Description = "Adam's learning rate", DefaultValueFactory = _ => 1e-3 };
        var sgdRate = new Option<double>("--sgd-lr") { Description = "SGD's learning rate", DefaultValueFactory = _ => 3e-3 };
        var rtol = new Option<double>("--rtol") { Description = "GN: singular values of the activations below rtol·σ_max count as zero", DefaultValueFactory = _ => 1e-2 };
        var atol = new Option<double>("--atol") { Description = "GN: and those below atol", DefaultValueFactory = _ => 1e-5 };
        var damping = new Option<double>("--damping") { Description = "GN: solve each block's activation Gram K as K + δ·λ_max(K)·I (0: exact GN)", DefaultValueFactory = _ => 0 };
        var probe = new Option<int>("--probe") { Description = "Training samples whose NTK is tracked", DefaultValueFactory = _ => 20 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the network and the batches", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => "gnk-reversible" };
        var command = new Command("reversible", "Exact Gauss-Newton against Adam and SGD on a reversible MLP (Buffelli et al.): full batch, mini-batches and laziness on the digits; tables, CSVs and plots.");
        foreach (Option option in new Option[] { data, test, fullBatch, blocks, hidden, activation, fullIterations, gnIterations, batch, epochs, gnRate, adamRate, sgdRate, rtol, atol, damping, probe, seed, output })
            command.Options.Add(option);
        command.SetAction(p => ReversibleCommand.Run(new GnKernels.Cli.Experiments.ReversibleExperiment
        {
            DataPath = p.GetValue(data)!, TestCount = p.GetValue(test), FullBatchCount = p.GetValue(fullBatch), Blocks = p.GetValue(blocks), Hidden = p.GetValue(hidden),
            Activation = p.GetValue(activation) == "relu" ? GnKernels.Models.HiddenActivation.Relu : GnKernels.Models.HiddenActivation.Silu,
            FullBatchIterations = p.GetValue(fullIterations), GaussNewtonIterations = p.GetValue(gnIterations), BatchSize = p.GetValue(batch), Epochs = p.GetValue(epochs),
            GaussNewtonRate = p.GetValue(gnRate), AdamRate = p.GetValue(adamRate), SgdRate = p.GetValue(sgdRate), RelativeCutoff = p.GetValue(rtol),
            AbsoluteCutoff = p.GetValue(atol), Damping = p.GetValue(damping), ProbeCount = p.GetValue(probe), Seed = p.GetValue(seed),
        }, p.GetValue(output)!));
        return command;
    }

    private static Command Predict()
    {
        var model = new Option<string>("--model") { Description = "A model file written by gnk train --save", Required = true };
        var data = new Option<string>("--data") { Description = "A CSV (with the model's feature columns by name) or .npy file (its d columns, and optionally the target last)", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the predictions (CSV, one per row)", DefaultValueFactory = _ => "predictions.csv" };
        var command = new Command("predict", "Predict with a saved model: one prediction per row of --data, in the target's units.");
        command.Options.Add(model);
        command.Options.Add(data);
        command.Options.Add(output);
        command.SetAction(p => PredictCommand.Run(p.GetValue(model)!, p.GetValue(data)!, p.GetValue(output)!));
        return command;
    }

    private static Command BenchReport()
    {
        var folders = new Argument<string[]>("DIR") { Description = "Result folders, one per CPU or setting (bench/results/<cpu>)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Where to write report.md and the PNG charts", DefaultValueFactory = _ => "bench-report" };
        var command = new Command("bench-report", "A markdown table per kernel across CPUs, with fractions of each machine's calibrated limits, and roofline and bar charts.");
        command.Arguments.Add(folders);
        command.Options.Add(output);
        command.SetAction(p =>
        {
            var loaded = p.GetValue(folders)!.Select(GnKernels.Cli.BenchReport.ResultFolder.Load).ToList();
            foreach (string file in GnKernels.Cli.BenchReport.BenchReportWriter.Write(loaded, p.GetValue(output)!)) Console.WriteLine($"wrote {file}");
            return 0;
        });
        return command;
    }

    private static Command BenchCompare()
    {
        var baseDir = new Argument<string>("BASE") { Description = "Folder with the baseline's BenchmarkDotNet *-report-full.json files" };
        var diffDir = new Argument<string>("DIFF") { Description = "Folder with the new run's *-report-full.json files" };
        var threshold = new Option<string>("--threshold") { Description = "Smallest relative change that counts (5% or 0.05)", DefaultValueFactory = _ => "5%" };
        var alpha = new Option<double>("--alpha") { Description = "Significance level of each one-sided Mann-Whitney test", DefaultValueFactory = _ => 0.05 };
        var noise = new Option<double>("--noise-floor") { Description = "Median differences below this many ns are 'same'", DefaultValueFactory = _ => 1.0 };
        var command = new Command("bench-compare", "Compare two benchmark runs case by case; exit code 5 if any case is slower beyond the threshold.");
        command.Arguments.Add(baseDir);
        command.Arguments.Add(diffDir);
        command.Options.Add(threshold);
        command.Options.Add(alpha);
        command.Options.Add(noise);
        command.SetAction(p => BenchCompareCommand.Run(p.GetValue(baseDir)!, p.GetValue(diffDir)!, p.GetValue(threshold)!, p.GetValue(alpha), p.GetValue(noise)));
        return command;
    }

    public static TrainingMethod ParseMethod(string name) => name switch
    {
        "gn" => TrainingMethod.GaussNewton,
        "lm" => TrainingMethod.LevenbergMarquardt,
        "gd" => TrainingMethod.GradientDescent,
        "rf" => TrainingMethod.RandomFeatures,
        "ggn-score" => TrainingMethod.GgnScore,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown method"),
    };

    /// <summary>The options train and compare share, with per-command defaults shown by --help.</summary>
    private sealed class SettingsOptions
    {
        private readonly List<Option> _all = [];
        private readonly Option<int> _n, _m, _d, _seed, _maxIter, _threads, _test, _splitSeed, _metrics, _rank;
        private readonly Option<int?> _cgMaxIter;
        private readonly Option<double?> _cgTol, _memoryBudget, _dampingFloor;
        private readonly Option<double> _tau0, _tol, _maxTime, _testFraction;
        private readonly Option<double?> _lr;
        private readonly Option<bool> _bias, _standardize;
        private readonly Option<string> _out, _gnStep, _gnSolver, _gdStep, _ggnMetric, _teacher, _scaling;
        private readonly Option<double?> _ggnTau, _ggnMu, _ggnLipschitz;
        private readonly Option<string?> _data, _target, _testData, _save;

        public SettingsOptions(Command command, int n, int m, int maxIterations, double maxTime, string output, string gnStep, bool save)
        {
            _data = Add(command, new Option<string?>("--data") { Description = "Train on this CSV (with a header) or NumPy .npy file instead of synthetic data" });
            _target = Add(command, new Option<string?>("--target") { Description = "The CSV's target column (default: the last)" });
            _testData = Add(command, new Option<string?>("--test-data") { Description = "A separate test file with the same columns (instead of --test-fraction)" });
            _testFraction = Add(command, new Option<double>("--test-fraction") { Description = "With --data: the share of rows held out for testing", DefaultValueFactory = _ => 0.2 });
            _splitSeed = Add(command, new Option<int>("--split-seed") { Description = "With --data: the seed of the train/test split", DefaultValueFactory = _ => 0 });
            _standardize = Add(command, new Option<bool>("--standardize") { Description = "With --data: center and scale features and target by the training part, saved with the model (on; --standardize false turns it off)", DefaultValueFactory = _ => true });
            _n = Add(command, new Option<int>("--n") { Description = "Training samples N (synthetic data)", DefaultValueFactory = _ => n });
            _m = Add(command, new Option<int>("--m") { Description = "Hidden units M", DefaultValueFactory = _ => m });
            _d = Add(command, new Option<int>("--d") { Description = "Input dimension d (synthetic data)", DefaultValueFactory = _ => 10 });
            _tau0 = Add(command, new Option<double>("--tau0") { Description = "Std of the initial hidden weights (1: feature regime, 10: kernel regime)", DefaultValueFactory = _ => 1.0 });
            _bias = Add(command, new Option<bool>("--bias") { Description = "Give the hidden units a bias" });
            _seed = Add(command, new Option<int>("--seed") { Description = "Seed of the synthetic data and the initialization", DefaultValueFactory = _ => 0 });
            _tol = Add(command, new Option<double>("--tol") { Description = "Stop at this fraction of the initial training loss", DefaultValueFactory = _ => 1e-6 });
            _maxIter = Add(command, new Option<int>("--max-iter") { Description = "Iteration limit per method", DefaultValueFactory = _ => maxIterations });
            _maxTime = Add(command, new Option<double>("--max-time") { Description = "Time limit per method, seconds", DefaultValueFactory = _ => maxTime });
            _threads = Add(command, new Option<int>("--threads") { Description = "OpenBLAS threads, at most the CPU count (0: its default)", DefaultValueFactory = _ => 0 });
            _test = Add(command, new Option<int>("--test") { Description = "Test points (synthetic data)", DefaultValueFactory = _ => 2000 });
            _lr = Add(command, new Option<double?>("--lr") { Description = "Learning rate λ (GN: a step of λ/N along the GN direction, default N with --step backtracking, 10 with --step fixed; GD: default 1 in units of 1/L̂)" });
            _gnStep = Choice(command, "--step", "GN's step: backtracking (from λ/N, halved until the loss falls: never rises) or fixed (λ/N every step, Arbel's; no acceptance test)", gnStep, "backtracking", "fixed");
            _gnSolver = Choice(command, "--solver", "The linear solve: exact (assemble and factor every step), pcg (conjugate gradients, preconditioned by an earlier step's factor; also LM's and GGN-SCORE's), mixed (this step's NTK factored in float32, CG in double to full accuracy), nystrom (CG preconditioned by k sampled NTK columns: no N×N matrix, for large N), cg (CG without a preconditioner: the least memory, for large damping) or auto (where the N×N matrices fit the memory, pcg for --step fixed at N ≥ 500 and exact otherwise; nystrom where not)", "exact", "exact", "pcg", "mixed", "nystrom", "cg", "auto");
            _rank = Add(command, new Option<int>("--rank") { Description = "--solver nystrom: the number k of sampled NTK columns (0: min(N, 512), or 1024 where the activations are recomputed and its basis leaves a quarter of the budget); a larger k takes 8·N·k bytes and a longer build, and leaves CG fewer iterations (docs/scaling.md)", DefaultValueFactory = _ => 0 });
            _memoryBudget = Add(command, new Option<double?>("--memory-budget") { Description = "Memory the run may hold, GiB (default: 80% of what this process may use); nystrom recomputes its activations a chunk at a time where storing them would not fit" });
            _cgTol = Add(command, new Option<double?>("--cg-tol") { Description = "--solver pcg|mixed|nystrom: CG's relative residual tolerance (default: 1e-6 for pcg and nystrom, 1e-10 for mixed)" });
            _dampingFloor = Add(command, new Option<double?>("--damping-floor") { Description = "GN's ε₀ in Arbel's damping ε = max(ε₀, λ_min(A)) (default 1e-7); a larger ε₀ damps the step more and lets pcg and nystrom converge in fewer CG iterations" });
            _cgMaxIter = Add(command, new Option<int?>("--cg-max-iter") { Description = "--solver pcg|mixed|nystrom: CG's iteration limit per solve (default: 50 for pcg and mixed, 500 for nystrom)" });
            _gdStep = Choice(command, "--gd-step", "GD's step: normalized (λ/L̂, L̂ = λ_max(JJᵀ)/N at the start) or literal (λ itself, Arbel's; default λ = 10)", "normalized", "normalized", "literal");
            _ggnMetric = Choice(command, "--ggn-metric", "GGN-SCORE's regularizer metric: released (H = diag h'', the authors' code) or textbook (H = τ·diag h'')", "released", "released", "textbook");
            _ggnTau = Add(command, new Option<double?>("--ggn-tau") { Description = "GGN-SCORE's regularization weight τ (default 1e-4)" });
            _ggnMu = Add(command, new Option<double?>("--ggn-mu") { Description = "GGN-SCORE's pseudo-Huber μ (default √M)" });
            _ggnLipschitz = Add(command, new Option<double?>("--ggn-lipschitz") { Description = "GGN-SCORE's constant L: step min(1/L, 1)/(1 + M_g·η) (default: step 0.5, the authors' code without L)" });
            _teacher = Choice(command, "--teacher", "Synthetic data: arbel (x ~ N(0, I), Gaussian teacher /M*) or sphere (x uniform on the sphere, unit-vector teacher with ±1 outputs: GGN-SCORE's)", "arbel", "arbel", "sphere");
            _scaling = Choice(command, "--scaling", "Output scaling s: mean-field (1/M, Arbel's) or ntk (1/√M, GGN-SCORE's)", "mean-field", "mean-field", "ntk");
            _metrics = Add(command, new Option<int>("--metrics")
            {
                Description = "Measure the NTK's λ_min, λ_max, condition number, tr(A⁺) and drift from A₀ every this many iterations (and at the start and end) into the CSV; 0: off (each costs an N×N eigendecomposition)",
                DefaultValueFactory = _ => 0,
            });
            _out = Add(command, new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => output });
            _save = save ? Add(command, new Option<string?>("--save") { Description = "Write the trained model (JSON, exact weights) to this file" }) : new Option<string?>("--save");
        }

        public RunSettings Read(ParseResult p) => new RunSettings
        {
            N = p.GetValue(_n), M = p.GetValue(_m), D = p.GetValue(_d), Tau0 = p.GetValue(_tau0), Bias = p.GetValue(_bias),
            Seed = p.GetValue(_seed), Tol = p.GetValue(_tol), MaxIterations = p.GetValue(_maxIter), MaxTimeSeconds = p.GetValue(_maxTime),
            Threads = p.GetValue(_threads), TestCount = p.GetValue(_test), LearningRate = p.GetValue(_lr),
            GaussNewtonStep = p.GetValue(_gnStep) == "fixed" ? GaussNewtonStepRule.Fixed : GaussNewtonStepRule.Backtracking,
            Solver = p.GetValue(_gnSolver) switch
            {
                "pcg" => GaussNewtonSolver.Pcg, "mixed" => GaussNewtonSolver.Mixed, "nystrom" => GaussNewtonSolver.Nystrom, "cg" => GaussNewtonSolver.Cg,
                _ => GaussNewtonSolver.Exact,
            },
            AutoSolver = p.GetValue(_gnSolver) == "auto",
            NystromRank = p.GetValue(_rank), MemoryBudgetGiB = p.GetValue(_memoryBudget), LinearTolerance = p.GetValue(_cgTol), MaxLinearIterations = p.GetValue(_cgMaxIter),
            DampingFloor = p.GetValue(_dampingFloor),
            GradientDescentStep = p.GetValue(_gdStep) == "literal" ? GradientStepRule.Literal : GradientStepRule.Normalized,
            GgnTextbookMetric = p.GetValue(_ggnMetric) == "textbook", OutputDirectory = p.GetValue(_out)!,
            KernelMetricsInterval = p.GetValue(_metrics), GgnTau = p.GetValue(_ggnTau), GgnMu = p.GetValue(_ggnMu), GgnLipschitz = p.GetValue(_ggnLipschitz),
            SphereTeacher = p.GetValue(_teacher) == "sphere", Scaling = p.GetValue(_scaling) == "ntk" ? OutputScaling.Ntk : OutputScaling.MeanField,
            DataPath = p.GetValue(_data), Target = p.GetValue(_target), TestDataPath = p.GetValue(_testData),
            TestFraction = p.GetValue(_testData) is null ? p.GetValue(_testFraction) : 0, SplitSeed = p.GetValue(_splitSeed),
            Standardize = p.GetValue(_standardize), SavePath = p.GetValue(_save),
            Given = _all.Where(o => p.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToHashSet(),
        }.ResolveSolver();

        /// <summary>An option that takes one of <paramref name="values"/> (a parse error names them otherwise).</summary>
        private Option<string> Choice(Command command, string name, string description, string defaultValue, params string[] values)
        {
            var option = Add(command, new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue });
            option.AcceptOnlyFromAmong(values);
            return option;
        }

        private T Add<T>(Command command, T option) where T : Option
        {
            command.Options.Add(option);
            _all.Add(option);
            return option;
        }
    }
}
