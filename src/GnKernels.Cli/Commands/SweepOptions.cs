using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using GnKernels.Cli.Sweep;
using GnKernels.Solvers;

namespace GnKernels.Cli.Commands;

/// <summary>
/// `gnk sweep`'s options. The defaults scale Arbel et al.'s grid (M = 5000, N up to 2000, five seeds, GD for up to 10⁷
/// iterations) to 15 minutes on two cores: M = 1000, N ∈ {50, 100, 200}, τ₀ at N = 200, two runs at a time, and GD
/// cut at 60 s a run. The N grid stops at 200 because α compares trained methods and GD is cut by time: up to N = 200
/// it still ends below GN in test loss; at N = 400 it ends at up to 8·10⁻⁴ of its initial loss, above GN, and its α
/// falls below GN's.
/// </summary>
internal sealed class SweepOptions
{
    private readonly Option<double[]> _tau0 = List("--tau0", "Initial std τ₀ values of the τ₀ grid (comma-separated)", "0.5,1,5,10,100", double.Parse);
    private readonly Option<int[]> _n = List("--n", "Training sizes N of the N grid (comma-separated)", "50,100,200", int.Parse);
    private readonly Option<int> _nForTau0 = new("--n-for-tau0") { Description = "The N at which the τ₀ grid runs", DefaultValueFactory = _ => 200 };
    private readonly Option<double> _tau0ForN = new("--tau0-for-n") { Description = "The τ₀ at which the N grid runs (1: feature regime)", DefaultValueFactory = _ => 1.0 };
    private readonly Option<string[]> _methods = List("--methods", "Methods (comma-separated): gn, gd, rf", "gn,gd,rf", (s, _) => s);
    private readonly Option<int> _seeds = new("--seeds") { Description = "Seeds per point (data, teacher and initialization each)", DefaultValueFactory = _ => 5 };
    private readonly Option<int> _m = new("--m") { Description = "Hidden units M", DefaultValueFactory = _ => 1000 };
    private readonly Option<int> _d = new("--d") { Description = "Input dimension d", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _test = new("--test") { Description = "Test points per run", DefaultValueFactory = _ => 2000 };
    private readonly Option<double> _tol = new("--tol") { Description = "Stop a run at this fraction of its initial training loss", DefaultValueFactory = _ => 1e-6 };
    private readonly Option<int> _maxIter = new("--max-iter") { Description = "Iteration limit per run", DefaultValueFactory = _ => 1_000_000 };
    private readonly Option<double> _maxTime = new("--max-time") { Description = "Time limit per run, seconds (GD's budget in practice)", DefaultValueFactory = _ => 60 };
    private readonly Option<double?> _lr = new("--lr") { Description = "λ of GN's fixed step λ/N and of GD's literal step (Arbel's 10 by default)" };
    private readonly Option<int> _threads = new("--threads") { Description = "OpenBLAS threads per run with --parallel 1, at most the CPU count (0: its default)", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _parallel = new("--parallel") { Description = "Runs at once, each on one BLAS thread (default: the CPU count; 1: one at a time)", DefaultValueFactory = _ => Environment.ProcessorCount };
    private readonly Option<string> _out = new("--out") { Description = "Output folder (a rerun with the same settings resumes it)", DefaultValueFactory = _ => "gnk-sweep" };

    public Command Command { get; }

    public SweepOptions()
    {
        Command = new Command("sweep", "Arbel et al.'s grids: test loss against τ₀ and against N for GN, GD and random features over seeds, with 95% bands and rates α; resumable.");
        _methods.Validators.Add(r =>
        {
            foreach (string m in r.GetValueOrDefault<string[]>() ?? [])
                if (m is not ("gn" or "gd" or "rf")) r.AddError($"--methods takes gn, gd and rf; got '{m}'.");
        });
        foreach (Option option in new Option[] { _tau0, _n, _nForTau0, _tau0ForN, _methods, _seeds, _m, _d, _test, _tol, _maxIter, _maxTime, _lr, _threads, _parallel, _out })
            Command.Options.Add(option);
        Command.SetAction(p => SweepCommand.Run(Read(p)));
    }

    private SweepPlan Read(ParseResult p) => new()
    {
        Tau0s = p.GetValue(_tau0)!, Ns = p.GetValue(_n)!, NForTau0 = p.GetValue(_nForTau0), Tau0ForN = p.GetValue(_tau0ForN),
        Methods = p.GetValue(_methods)!.Distinct().Select(CommandLine.ParseMethod).ToList(), Seeds = p.GetValue(_seeds), Parallel = p.GetValue(_parallel),
        Run = new RunSettings
        {
            M = p.GetValue(_m), D = p.GetValue(_d), TestCount = p.GetValue(_test), Tol = p.GetValue(_tol), MaxIterations = p.GetValue(_maxIter),
            MaxTimeSeconds = p.GetValue(_maxTime), LearningRate = p.GetValue(_lr), Threads = p.GetValue(_threads), OutputDirectory = p.GetValue(_out)!,
            GaussNewtonStep = GaussNewtonStepRule.Fixed, GradientDescentStep = GradientStepRule.Literal, Solver = GaussNewtonSolver.Exact,
            N = 1, Tau0 = 1,
            // The curves (Arbel's Figure 1) need the test loss along the run, not only at its end.
            TestTimeShare = 0.1,
        },
    };

    /// <summary>A comma-separated list option; a value that does not parse is a parse error naming it.</summary>
    private static Option<T[]> List<T>(string name, string description, string defaults, Func<string, IFormatProvider, T> parse) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaults.Split(',').Select(v => parse(v, CultureInfo.InvariantCulture)).ToArray(),
        CustomParser = result =>
        {
            var values = new List<T>();
            foreach (string token in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
            {
                try { values.Add(parse(token, CultureInfo.InvariantCulture)); }
                catch (FormatException) { result.AddError($"{name} takes comma-separated numbers, as in {name} {defaults}; '{token}' is not one."); }
                catch (OverflowException) { result.AddError($"{name}: '{token}' is out of range."); }
            }
            return [.. values];
        },
    };
}
