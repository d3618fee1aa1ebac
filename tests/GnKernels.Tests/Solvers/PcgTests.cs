using System.Numerics.Tensors;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Tests.Solvers;

/// <summary>GN with preconditioned conjugate gradients against the exact Cholesky step.</summary>
public class PcgTests
{
    private static (TwoLayerSilu Network, SyntheticDataset Data, double[] W) Problem(int n = 120, int m = 400, double tau0 = 1)
    {
        var data = TeacherStudent.Arbel(n, inputDimension: 5, testCount: 0, seed: 3);
        var network = new TwoLayerSilu(5, m);
        return (network, data, TeacherStudent.InitialParameters(network, tau0, seed: 4, outputStd: 0.5));
    }

    /// <summary>The kernel-form system of <paramref name="jacobian"/>, assembled and factored at <paramref name="shift"/> (its z solved for r).</summary>
    private static GaussNewtonSystem FactoredSystem(IJacobian jacobian, ReadOnlySpan<double> r, double shift)
    {
        var system = new GaussNewtonSystem(jacobian.Rows, jacobian.Columns, StepForm.Kernel);
        system.Assemble(jacobian);
        Assert.True(system.TrySolve(shift, r, new double[jacobian.Columns], out _));
        return system;
    }

    // Preconditioned by the factor of an earlier iterate's matrix, CG reaches the exact solve of the current one.
    [Fact]
    public void Cg_with_an_earlier_factor_solves_the_current_system_to_the_cholesky_answer()
    {
        var (network, data, w) = Problem();
        using (data)
        using (var model = new TwoLayerSiluRegression(network, data.TrainX, data.TrainY))
        {
            int n = model.SampleCount;
            var r = new double[n];
            const double epsilon = 1e-4;
            using var earlier = FactoredSystem(model.Linearize(w, r), r, epsilon);

            for (int i = 0; i < w.Length; i++) w[i] += 0.01 * Math.Sin(i); // a nearby point, as after a small GN step
            var jacobian = model.Linearize(w, r);
            using var current = FactoredSystem(jacobian, r, epsilon);
            double[] exact = current.SolveVector.ToArray();

            var cg = new ConjugateGradient(n, model.ParameterCount);
            var z = new double[n];
            Assert.Equal(CgOutcome.Converged, cg.Solve(jacobian, epsilon, new CholeskyPreconditioner(earlier.Factorization), r, z, 1e-13, 200));
            Assert.InRange(cg.Iterations, 2, 60);
            Assert.True(TensorPrimitives.Distance<double>(z, exact) <= 1e-10 * TensorPrimitives.Norm<double>(exact), $"relative error {TensorPrimitives.Distance<double>(z, exact) / TensorPrimitives.Norm<double>(exact):E2}");
        }
    }

    // The GN direction Jᵀz summed from the products CG forms anyway equals Jᵀ applied to its final z, from a cold
    // start and from a warm one (which starts the sum at Jᵀz₀).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cg_sums_the_direction_jt_z_from_its_own_products(bool warmStart)
    {
        var (network, data, w) = Problem();
        using (data)
        using (var model = new TwoLayerSiluRegression(network, data.TrainX, data.TrainY))
        {
            int n = model.SampleCount;
            var r = new double[n];
            var jacobian = model.Linearize(w, r);
            const double epsilon = 1e-4;
            using var system = FactoredSystem(jacobian, r, 2 * epsilon); // a nearby system's factor and z
            var z = warmStart ? system.SolveVector.ToArray() : new double[n];
            var cg = new ConjugateGradient(n, model.ParameterCount);
            var tracked = new double[model.ParameterCount];
            Assert.Equal(CgOutcome.Converged, cg.Solve(jacobian, epsilon, new CholeskyPreconditioner(system.Factorization), r, z, 1e-12, 200, warmStart, tracked));
            Assert.True(cg.Iterations >= 2, $"{cg.Iterations} iterations: the sum is only tested when it has terms");
            var direct = new double[model.ParameterCount];
            jacobian.MultiplyTransposed(z, direct);
            double error = TensorPrimitives.Distance<double>(tracked, direct) / TensorPrimitives.Norm<double>(direct);
            Assert.True(error <= 1e-12, $"relative difference {error:E2}");
        }
    }

    [Fact]
    public void A_pcg_run_tracks_the_exact_run_and_refreshes_as_it_must()
    {
        var (network, data, w0) = Problem();
        using (data)
        {
            var exactOptions = new TrainingOptions { GaussNewtonStep = GaussNewtonStepRule.Fixed, MaxIterations = 40, RelativeTolerance = 0 };
            double[] wExact = (double[])w0.Clone(), wPcg = (double[])w0.Clone(), wRefresh = (double[])w0.Clone();
            var exact = Trainer.Train(network, data, wExact, exactOptions);
            // At this small N an assembly costs less than a few CG iterations, so the default (cost-based) refresh would
            // assemble nearly every step; a fixed cap keeps the steps iterative.
            var pcg = Trainer.Train(network, data, wPcg, exactOptions with { LinearSolver = GaussNewtonSolver.Pcg, PreconditionerRefreshIterations = 30 });
            Assert.Equal(exact.Records.Count, pcg.Records.Count);
            for (int k = 0; k < exact.Records.Count; k++)
                Assert.True(Math.Abs(pcg.Records[k].TrainLoss - exact.Records[k].TrainLoss) <= 0.01 * exact.Records[k].TrainLoss,
                    $"iteration {k}: pcg {pcg.Records[k].TrainLoss:E6} vs exact {exact.Records[k].TrainLoss:E6}");
            Assert.True(pcg.Records[1].PreconditionerRefreshed); // the first step builds the preconditioner
            Assert.True(pcg.Records.Skip(2).Count(r => !r.PreconditionerRefreshed) > 20, "most steps should reuse the factor");
            // Every step solves by CG: a refresh refines its float32 factor's z, the others precondition with that factor.
            Assert.All(pcg.Records.Skip(1), r => Assert.True(r.LinearIterations > 0, $"iteration {r.Iteration}"));

            // A refresh threshold of 0 refreshes after every iterative solve: steps alternate.
            var alternating = Trainer.Train(network, data, wRefresh, exactOptions with { LinearSolver = GaussNewtonSolver.Pcg, PreconditionerRefreshIterations = 0, MaxIterations = 9 });
            Assert.Equal([true, false, true, false, true, false, true, false, true], alternating.Records.Skip(1).Select(r => r.PreconditionerRefreshed).ToArray());
        }
    }

    // Arbel's ε between assemblies from the Rayleigh quotient of the last Ritz vector: the exact run's ε (λ_min by
    // Lanczos on each step's factor) to 1%, in the kernel regime where λ_min is above the floor.
    [Fact]
    public void Pcg_steps_follow_arbels_damping_without_a_fresh_factor()
    {
        var (network, data, w0) = Problem(tau0: 10);
        using (data)
        {
            var options = new TrainingOptions { GaussNewtonStep = GaussNewtonStepRule.Fixed, MaxIterations = 20, RelativeTolerance = 0, SmallestEigenvalueTolerance = 1e-6 };
            double[] wExact = (double[])w0.Clone(), wPcg = (double[])w0.Clone();
            var exact = Trainer.Train(network, data, wExact, options);
            var pcg = Trainer.Train(network, data, wPcg, options with { LinearSolver = GaussNewtonSolver.Pcg, PreconditionerRefreshIterations = 30 });
            var iterative = pcg.Records.Skip(1).Where(r => r.LinearIterations > 0).ToList();
            Assert.True(iterative.Count > 10, "most steps should be iterative");
            Assert.All(iterative, r => Assert.True(r.Damping > 10 * ArbelDamping.DefaultFloor, $"iteration {r.Iteration}: ε {r.Damping:E3} is the floor, not λ_min"));
            foreach (var r in iterative)
            {
                double reference = exact.Records[r.Iteration].Damping;
                Assert.True(Math.Abs(r.Damping - reference) <= 0.01 * reference, $"iteration {r.Iteration}: ε {r.Damping:E6} vs exact {reference:E6}");
                Assert.True(r.LambdaMin >= reference * (1 - 1e-6), "the Rayleigh quotient bounds λ_min from above");
            }
        }
    }

    // Solves that grow dearer by a fixed amount per step after an assembly: the rule's cycle has the least long-run
    // cost per step of all cycle lengths (to within one step's worth of the discrete optimum).
    [Theory]
    [InlineData(0.55, 0.19, 0.027)] // the feature regime at (2000, 5000, 10): the iterations grow quickly
    [InlineData(0.60, 0.13, 0.005)] // the kernel regime: slowly
    [InlineData(0.05, 0.10, 0.010)] // an assembly cheaper than any solve: refresh after every iterative step
    public void The_refresh_rule_picks_the_cheapest_cycle_when_solves_grow_steadily(double assembly, double first, double growth)
    {
        double Cost(int j) => first + growth * (j - 1);
        double Average(int length) => (assembly + Enumerable.Range(1, length).Sum(Cost)) / (length + 1);
        double cycle = assembly;
        int steps = 1, chosen = 0;
        for (int j = 1; j < 1000 && chosen == 0; j++)
        {
            (cycle, steps) = (cycle + Cost(j), steps + 1);
            if (FactorRefresh.RefreshAfter(Cost(j), cycle, steps)) chosen = j;
        }
        double best = Enumerable.Range(1, 999).Min(Average);
        Assert.True(Average(chosen) <= best * 1.02, $"cycle of {chosen} steps averages {Average(chosen):F4} s; the best averages {best:F4} s");
    }

    // Under the cost rule a solve may take as long as the step that assembled; with an iteration cap there is no
    // deadline (runs repeat bit for bit); CG past its deadline starts no iteration.
    [Fact]
    public void Cg_gives_up_once_it_has_taken_as_long_as_the_assembling_step()
    {
        var rule = new FactorRefresh(iterationCap: null);
        Assert.True(rule.Due);
        rule.Assembled(0.5);
        Assert.False(rule.Due);
        double budget = (rule.Deadline() - System.Diagnostics.Stopwatch.GetTimestamp()) / (double)System.Diagnostics.Stopwatch.Frequency;
        Assert.InRange(budget, 0.4, 0.5);
        Assert.Equal(long.MaxValue, new FactorRefresh(iterationCap: 10).Deadline());

        var (network, data, w) = Problem();
        using (data)
        using (var model = new TwoLayerSiluRegression(network, data.TrainX, data.TrainY))
        {
            var r = new double[model.SampleCount];
            var jacobian = model.Linearize(w, r);
            var cg = new ConjugateGradient(model.SampleCount, model.ParameterCount);
            var outcome = cg.Solve(jacobian, 1e-3, IdentityPreconditioner.Instance, r, new double[model.SampleCount], 1e-10, 100,
                deadline: System.Diagnostics.Stopwatch.GetTimestamp() - 1);
            Assert.Equal(CgOutcome.Stagnated, outcome);
            Assert.Equal(0, cg.Iterations);
        }
    }

    // One CG iteration to 1e-15 cannot converge: every iterative step falls back to the exact one, counted as a retry.
    [Theory]
    [InlineData(GaussNewtonSolver.Pcg)]
    [InlineData(GaussNewtonSolver.Mixed)]
    public void A_solve_that_cannot_converge_falls_back_to_the_exact_step_and_says_so(GaussNewtonSolver solver)
    {
        var (network, data, w0) = Problem();
        using (data)
        {
            var options = new TrainingOptions
            {
                GaussNewtonStep = GaussNewtonStepRule.Fixed, MaxIterations = 5, RelativeTolerance = 0,
                LinearSolver = solver, MaxLinearIterations = 1, LinearTolerance = 1e-15,
            };
            double[] w = (double[])w0.Clone(), wExact = (double[])w0.Clone();
            var result = Trainer.Train(network, data, w, options);
            var exact = Trainer.Train(network, data, wExact, options with { LinearSolver = GaussNewtonSolver.Exact });
            Assert.All(result.Records.Skip(2), r => Assert.True(r.Retries >= 1 && r.LinearIterations == 0, $"iteration {r.Iteration}"));
            Assert.Equal(wExact, w); // every step fell back to the exact one
        }
    }
}
