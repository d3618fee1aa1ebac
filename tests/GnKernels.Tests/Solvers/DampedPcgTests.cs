using System.Numerics.Tensors;
using GnKernels.Data;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Tests.Solvers;

/// <summary>Levenberg-Marquardt and GGN-SCORE with their damped solves by CG from an earlier factor, against the exact solves.</summary>
public class DampedPcgTests
{
    private static (TwoLayerSilu Network, SyntheticDataset Data, double[] W) Problem(double tau0 = 1)
    {
        var data = TeacherStudent.Arbel(120, inputDimension: 5, testCount: 0, seed: 3);
        var network = new TwoLayerSilu(5, 400);
        return (network, data, TeacherStudent.InitialParameters(network, tau0, seed: 4, outputStd: 0.5));
    }

    private static void AssertTracks(TrainingResult exact, TrainingResult pcg, double relative)
    {
        Assert.Equal(exact.Records.Count, pcg.Records.Count);
        for (int k = 0; k < exact.Records.Count; k++)
            Assert.True(Math.Abs(pcg.Records[k].TrainLoss - exact.Records[k].TrainLoss) <= relative * exact.Records[k].TrainLoss,
                $"iteration {k}: pcg {pcg.Records[k].TrainLoss:E6} vs exact {exact.Records[k].TrainLoss:E6}");
    }

    // CG on the weighted kernel J·W·Jᵀ + εI (W = H⁻¹ of GGN-SCORE, per parameter), preconditioned by an earlier point's
    // weighted factor, reaches the Cholesky z of the current system, and its summed W·Jᵀz is the Cholesky step.
    [Fact]
    public void Cg_with_a_metric_solves_the_weighted_system_to_the_cholesky_answer()
    {
        var (network, data, w) = Problem();
        using (data)
        using (var model = new TwoLayerSiluRegression(network, data.TrainX, data.TrainY))
        {
            int n = model.SampleCount, p = model.ParameterCount;
            var r = new double[n];
            var metric = new double[p];
            for (int i = 0; i < p; i++) metric[i] = 1 + 0.5 * Math.Cos(0.7 * i); // in [0.5, 1.5], varying per parameter
            const double epsilon = 1e-3;
            using var earlier = new GaussNewtonSystem(n, p, StepForm.Kernel);
            earlier.Assemble(model.Linearize(w, r), metric);
            Assert.True(earlier.TrySolve(epsilon, r, new double[p], out _));

            for (int i = 0; i < p; i++) { w[i] += 0.01 * Math.Sin(i); metric[i] *= 1 + 0.05 * Math.Sin(3.0 * i); }
            var jacobian = model.Linearize(w, r);
            using var current = new GaussNewtonSystem(n, p, StepForm.Kernel);
            current.Assemble(jacobian, metric);
            var exactStep = new double[p];
            Assert.True(current.TrySolve(epsilon, r, exactStep, out _));

            var cg = new ConjugateGradient(n, p);
            double[] z = new double[n], step = new double[p];
            Assert.Equal(CgOutcome.Converged, cg.Solve(jacobian, epsilon, new CholeskyPreconditioner(earlier.Factorization), r, z, 1e-13, 200,
                transposedZ: step, metricInverse: metric));
            Assert.InRange(cg.Iterations, 2, 60);
            double zError = TensorPrimitives.Distance(z, current.SolveVector) / TensorPrimitives.Norm(current.SolveVector);
            TensorPrimitives.Negate<double>(step, step);
            double stepError = TensorPrimitives.Distance<double>(step, exactStep) / TensorPrimitives.Norm<double>(exactStep);
            Assert.True(zError <= 1e-10 && stepError <= 1e-10, $"z {zError:E2}, step {stepError:E2}");
        }
    }

    // LM with pcg: the loss curve of exact LM to 0.1% while the loss is far above rounding.
    [Fact]
    public void Lm_with_pcg_tracks_the_exact_run()
    {
        var (network, data, w0) = Problem(tau0: 10);
        using (data)
        {
            var options = new TrainingOptions { Method = TrainingMethod.LevenbergMarquardt, MaxIterations = 7, RelativeTolerance = 0 };
            double[] wExact = (double[])w0.Clone(), wPcg = (double[])w0.Clone();
            var exact = Trainer.Train(network, data, wExact, options);
            var pcg = Trainer.Train(network, data, wPcg, options with { LinearSolver = GaussNewtonSolver.Pcg, PreconditionerRefreshIterations = 40 });
            AssertTracks(exact, pcg, 1e-3);
            Assert.True(exact.Final.TrainLoss < 1e-8 * exact.Records[0].TrainLoss, "the run should converge");
            var iterative = pcg.Records.Skip(1).Where(r => r.LinearIterations > 0).ToList();
            Assert.True(iterative.Count >= 5, $"{iterative.Count} iterative steps");
            Assert.All(iterative, r => Assert.False(r.PreconditionerRefreshed));
        }
    }

    // What LM does after a rejected trial: the same point solved again with more damping, by CG from the same factor
    // (no assembly), each solve the Cholesky one at that point and damping.
    [Fact]
    public void A_point_is_solved_at_several_dampings_from_one_held_factor()
    {
        var (network, data, w) = Problem();
        using (data)
        using (var model = new TwoLayerSiluRegression(network, data.TrainX, data.TrainY))
        {
            int n = model.SampleCount, p = model.ParameterCount;
            var options = new TrainingOptions { LinearSolver = GaussNewtonSolver.Pcg, LinearTolerance = 1e-13, MaxLinearIterations = 200, PreconditionerRefreshIterations = 200 };
            using var solver = new ReusedFactorSolver(new StepContext(model, options, w), StepForm.Kernel);
            var r = new double[n];
            var step = new double[p];
            solver.MoveTo();
            solver.Solve(model.Linearize(w, r), default, 1e-4, r, step, 1);
            solver.Finish();
            Assert.True(solver.Assembled);

            for (int i = 0; i < p; i++) w[i] += 0.01 * Math.Sin(i);
            var jacobian = model.Linearize(w, r);
            solver.MoveTo();
            using var reference = new GaussNewtonSystem(n, p, StepForm.Kernel);
            reference.Assemble(jacobian);
            var exactStep = new double[p];
            foreach (double mu in new[] { 1e-4, 1e-3, 1e-2 })
            {
                var diagnostics = solver.Solve(jacobian, default, mu, r, step, 2);
                Assert.True(reference.TrySolve(mu, r, exactStep, out var exactDiagnostics));
                double error = TensorPrimitives.Distance<double>(step, exactStep) / TensorPrimitives.Norm<double>(exactStep);
                Assert.True(error <= 1e-9, $"μ = {mu}: relative error {error:E2}");
                Assert.Equal(exactDiagnostics.PredictedReduction, diagnostics.PredictedReduction, 1e-9 * exactDiagnostics.PredictedReduction);
            }
            Assert.False(solver.Assembled);
            Assert.True(solver.Iterations >= 3);
        }
    }

    // GGN-SCORE with pcg: the exact run's loss curve to 1e-6 (CG to 1e-10), with far fewer assemblies than steps.
    [Fact]
    public void Ggn_score_with_pcg_tracks_the_exact_run_with_few_assemblies()
    {
        var (network, data, w0) = Problem();
        using (data)
        {
            var options = new TrainingOptions { Method = TrainingMethod.GgnScore, MaxIterations = 30, RelativeTolerance = 0, LinearTolerance = 1e-10 };
            double[] wExact = (double[])w0.Clone(), wPcg = (double[])w0.Clone();
            var exact = Trainer.Train(network, data, wExact, options);
            var pcg = Trainer.Train(network, data, wPcg, options with { LinearSolver = GaussNewtonSolver.Pcg, PreconditionerRefreshIterations = 20 });
            AssertTracks(exact, pcg, 1e-6);
            Assert.True(exact.Final.TrainLoss < 0.9 * exact.Records[0].TrainLoss, "the run should move");
            int assemblies = pcg.Records.Count(r => r.PreconditionerRefreshed);
            Assert.True(assemblies >= 1 && assemblies <= 5, $"{assemblies} assemblies in 30 steps");
            Assert.True(pcg.Records.Skip(1).Sum(r => r.LinearIterations) > 0);
        }
    }

    // CG held to one iteration at 1e-15 never converges: every solve falls back to the exact one (the same bits as the
    // exact run) and is counted as a retry.
    [Theory]
    [InlineData(TrainingMethod.LevenbergMarquardt)]
    [InlineData(TrainingMethod.GgnScore)]
    public void A_solve_that_cannot_converge_falls_back_to_the_exact_solve_and_says_so(TrainingMethod method)
    {
        var (network, data, w0) = Problem();
        using (data)
        {
            var options = new TrainingOptions { Method = method, MaxIterations = 5, RelativeTolerance = 0, MaxLinearIterations = 1, LinearTolerance = 1e-15 };
            double[] w = (double[])w0.Clone(), wExact = (double[])w0.Clone();
            var result = Trainer.Train(network, data, w, options with { LinearSolver = GaussNewtonSolver.Pcg });
            var exact = Trainer.Train(network, data, wExact, options);
            Assert.All(result.Records.Skip(2), r => Assert.True(r.Retries > exact.Records[r.Iteration].Retries, $"iteration {r.Iteration}"));
            Assert.Equal(wExact, w);
        }
    }

    [Theory]
    [InlineData(TrainingMethod.LevenbergMarquardt, GaussNewtonSolver.Mixed)]
    [InlineData(TrainingMethod.GgnScore, GaussNewtonSolver.Nystrom)]
    public void Solvers_that_lm_and_ggn_score_do_not_take_are_refused_by_name(TrainingMethod method, GaussNewtonSolver solver)
    {
        var (network, data, w) = Problem();
        using (data)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(network, data, w, new TrainingOptions { Method = method, LinearSolver = solver }));
            Assert.Equal(nameof(TrainingOptions.LinearSolver), error.ParamName);
            Assert.Contains("Exact or .Pcg", error.Message);
        }
    }
}
