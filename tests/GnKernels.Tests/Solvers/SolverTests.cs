using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Native;
using GnKernels.Solvers;
using GnKernels.Tests.Models;
using GnKernels.Tests.Support;

namespace GnKernels.Tests.Solvers;

public class GaussNewtonSystemTests
{
    [Theory, InlineData(1e-3), InlineData(1.0)]
    public void Kernel_and_parameter_forms_give_the_same_step(double epsilon)
    {
        // Push-through identity: Jᵀ(JJᵀ + εI)⁻¹r = (JᵀJ + εI)⁻¹Jᵀr.
        var model = new TwoLayerSilu(3, 4, hasBias: true); // P = 20
        var rng = new Random(1);
        using var x = Reference.ToMatrix(Reference.Random(12, 3, rng));
        double[] w = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] r = Enumerable.Range(0, 12).Select(_ => rng.NextDouble() - 0.5).ToArray();
        using var lin = model.CreateLinearization(12);
        lin.Evaluate(x, w);
        double[] kernelStep = new double[20], parameterStep = new double[20];
        using (var kernel = new GaussNewtonSystem(12, 20, StepForm.Kernel))
        {
            kernel.Assemble(lin);
            Assert.True(kernel.TrySolve(epsilon, r, kernelStep, out var dk));
            using var param = new GaussNewtonSystem(12, 20, StepForm.Parameter);
            param.Assemble(lin);
            Assert.True(param.TrySolve(epsilon, r, parameterStep, out var dp));
            double scale = kernelStep.Max(Math.Abs);
            for (int i = 0; i < 20; i++) Assert.True(Math.Abs(kernelStep[i] - parameterStep[i]) <= 1e-9 * scale, $"component {i}");
            // The O(N) kernel-form diagnostics agree with the parameter form's direct computation.
            Assert.Equal(dp.PredictedReduction, dk.PredictedReduction, 1e-9 * Math.Abs(dp.PredictedReduction));
            Assert.Equal(dp.StepNormSquared, dk.StepNormSquared, 1e-9 * dp.StepNormSquared);
        }
        Assert.Equal(StepForm.Kernel, new GaussNewtonSystem(12, 20).Form);
        Assert.Equal(StepForm.Parameter, new GaussNewtonSystem(30, 20).Form);
    }

    [Fact]
    public void An_indefinite_system_raises_damping_then_reports_failure_without_touching_the_step()
    {
        using var j = Reference.ToMatrix(new double[,] { { 1, 0 }, { 0, 1 } });
        using var explicitJ = new ExplicitJacobian(j);
        using var system = new GaussNewtonSystem(2, 2, StepForm.Kernel);
        system.Assemble(explicitJ);
        system.Matrix[1, 1] = -5; // make the assembled matrix indefinite
        system.Factorization.Reset();
        double[] step = [42, 42];
        Assert.False(system.TrySolve(0, [1.0, 1.0], step, out var d, maxRetries: 2));
        Assert.Equal(2, d.Retries);
        Assert.Equal([42.0, 42.0], step);
        Assert.True(system.TrySolve(0, [1.0, 1.0], step, out d, maxRetries: 40)); // ε grows past 5
        Assert.True(d.Damping > 5);
        Assert.Throws<ArgumentException>("residual", () => system.TrySolve(1, [double.NaN, 1.0], step, out _));
        Assert.Throws<ArgumentException>("damping", () => system.TrySolve(-1, [1.0, 1.0], step, out _));
    }

    [Fact]
    public void Smallest_eigenvalue_by_lanczos_matches_dsyevr_within_one_percent()
    {
        var rng = new Random(2);
        double[] lambda = Enumerable.Range(0, 200).Select(i => 1e-3 * Math.Pow(1.06, i)).ToArray();
        using var a = Reference.ToMatrix(Reference.WithEigenvalues(lambda, rng, out _));
        double exact = SymmetricEigen.Smallest(a);
        var chol = new Cholesky<double>(a, keepInput: true);
        chol.Factor(1e-7);
        var estimator = new SmallestEigenvalue(200);
        double estimate = estimator.Estimate(chol);
        Assert.True(Math.Abs(estimate - exact) <= 0.01 * exact, $"Lanczos {estimate} vs dsyevr {exact} ({estimator.Iterations} steps)");
        Assert.True(estimator.Iterations < 60);
    }

    [Fact]
    public void Smallest_eigenvalue_warm_started_from_a_nearby_matrix_is_accurate_in_fewer_steps()
    {
        // Training's case: the next NTK differs a little from the last; its λ_min starts from the last Ritz vector.
        double[] lambda = Enumerable.Range(0, 200).Select(i => 1e-3 * Math.Pow(1.06, i)).ToArray();
        double[] moved = lambda.Select((l, i) => l * (1 + 0.05 * Math.Sin(i))).ToArray();
        // The same seed gives the same eigenvectors: only the eigenvalues move.
        using var a = Reference.ToMatrix(Reference.WithEigenvalues(lambda, new Random(5), out _));
        using var next = Reference.ToMatrix(Reference.WithEigenvalues(moved, new Random(5), out _));
        var estimator = new SmallestEigenvalue(200);
        var chol = new Cholesky<double>(a, keepInput: true);
        chol.Factor(1e-7);
        estimator.Estimate(chol);
        int cold = estimator.Iterations;

        double exact = SymmetricEigen.Smallest(next); // before the factor overwrites next's lower triangle
        var nextChol = new Cholesky<double>(next, keepInput: true);
        nextChol.Factor(1e-7);
        double warm = estimator.Estimate(nextChol);
        Assert.True(Math.Abs(warm - exact) <= 0.01 * exact, $"warm Lanczos {warm} vs dsyevr {exact} ({estimator.Iterations} steps)");
        Assert.True(estimator.Iterations <= cold / 2, $"warm start took {estimator.Iterations} steps, cold {cold}");

        estimator.Reset();
        Assert.True(estimator.RitzVector.IsEmpty);
        Assert.Equal(warm, estimator.Estimate(nextChol), 0.01 * exact);
        Assert.Throws<ArgumentException>(() => estimator.StartFrom(new double[199]));
        Assert.Throws<ArgumentException>(() => estimator.StartFrom(new double[200]));
    }

    [Fact]
    public void Smallest_eigenvalue_for_arbels_rule_is_an_upper_bound_and_stops_early_below_the_floor()
    {
        // A numerically singular spectrum (λ_min = 1e-10 ≪ ε₀ = 1e-7, a cluster near 0): the estimate only has to show
        // λ_min ≤ ε₀. Every returned value must still bound the true λ_min from above.
        double[] lambda = Enumerable.Range(0, 200).Select(i => i < 5 ? 1e-10 * (i + 1) : 1e-3 * Math.Pow(1.06, i)).ToArray();
        using var a = Reference.ToMatrix(Reference.WithEigenvalues(lambda, new Random(9), out double[,] q));
        var chol = new Cholesky<double>(a, keepInput: true);
        chol.Factor(1e-7);
        var estimator = new SmallestEigenvalue(200);
        double cold = estimator.Estimate(chol, enoughBelow: 1e-7);
        Assert.InRange(cold, 0.9e-10, 1e-7);
        int coldSteps = estimator.Iterations;
        Assert.True(coldSteps < 60, $"{coldSteps} steps");

        // Warm from the eigenvector of λ_min (as the previous iterate's Ritz vector nearly is): one solve.
        estimator.StartFrom(Enumerable.Range(0, 200).Select(i => q[i, 0]).ToArray());
        double warm = estimator.Estimate(chol, enoughBelow: 1e-7);
        Assert.Equal(1, estimator.Iterations);
        Assert.InRange(warm, 0.9e-10, 1e-7);

        // Without the floor the same start runs Lanczos to its tolerance.
        estimator.StartFrom(Enumerable.Range(0, 200).Select(i => q[i, 0]).ToArray());
        estimator.Estimate(chol);
        Assert.True(estimator.Iterations > 1);
    }

    [Fact]
    public void Nielsen_damping_shrinks_on_good_steps_and_doubles_its_growth_on_rejections()
    {
        var d = new NielsenDamping(1.0);
        Assert.True(d.Update(1.0));
        Assert.Equal(1.0 / 3, d.Mu, 1e-15);
        Assert.False(d.Update(-0.5));
        Assert.Equal(2.0 / 3, d.Mu, 1e-15);
        Assert.False(d.Update(double.NaN));
        Assert.Equal(8.0 / 3, d.Mu, 1e-15);
        Assert.Equal(0.5, ArbelDamping.Choose(0.5));
        Assert.Equal(1e-7, ArbelDamping.Choose(-1e-9));
    }
}

public class TrainerTests
{
    private static (TwoLayerSilu model, SyntheticDataset data, double[] w) Setup(int n, int m, double tau0, int seed, int test = 500)
    {
        var data = TeacherStudent.Arbel(n, testCount: test, seed: seed);
        var model = new TwoLayerSilu(10, m);
        return (model, data, TeacherStudent.InitialParameters(model, tau0, seed + 100));
    }

    [Fact]
    public void Gauss_newton_with_lambda_10_needs_the_predicted_number_of_iterations()
    {
        // Residual contracts by (1 − λ/N) per step: ln(1/tol)/(−2·ln(1 − λ/N)) ≈ 65.6 iterations at N = 100.
        var (model, data, w) = Setup(100, 300, tau0: 1, seed: 1, test: 0);
        using (data)
        {
            var result = Trainer.Train(model, data, w, new TrainingOptions { MaxIterations = 200, GaussNewtonStep = GaussNewtonStepRule.Fixed });
            double predicted = Math.Log(1e6) / (-2 * Math.Log(1 - 10.0 / 100));
            Assert.Equal(TrainingStatus.Converged, result.Status);
            Assert.InRange(result.Iterations, 0.9 * predicted, 1.1 * predicted + 1);
            Assert.All(result.Records.Skip(1), r => Assert.True(r.LambdaMin > 0 && r.Damping >= r.LambdaMin));
        }
    }

    [Theory, InlineData(TrainingMethod.GaussNewton), InlineData(TrainingMethod.LevenbergMarquardt)]
    public void Recorded_gradient_norm_is_the_explicit_jacobian_product(TrainingMethod method)
    {
        // The kernel-form trainers take ‖Jᵀr‖ from the assembled NTK (√(rᵀAr)); check it against Jᵀr with J from
        // the closed-form reference, at a point with v ≠ 0 so both Jacobian blocks count.
        var (model, data, _) = Setup(30, 40, tau0: 1, seed: 5, test: 0);
        using (data)
        {
            var rng = new Random(6);
            double[] w = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
            double[,] x = data.TrainX.ToArray();
            var reference = new Models.NetworkReference(model, x, (double[])w.Clone());
            double[,] j = reference.Jacobian();
            double[] f = reference.Output(w);
            double norm = Math.Sqrt(Enumerable.Range(0, model.ParameterCount)
                .Sum(p => Math.Pow(Enumerable.Range(0, 30).Sum(n => j[n, p] * (f[n] - data.TrainY[n])), 2))) / 30;
            var result = Trainer.Train(model, data, w, new TrainingOptions { Method = method, MaxIterations = 1 });
            Assert.Equal(norm, result.Records[1].GradientNorm, 1e-9 * norm);
        }
    }

    [Fact]
    public void Literal_gradient_descent_steps_by_lambda_times_the_gradient()
    {
        var (model, data, _) = Setup(20, 30, tau0: 1, seed: 7, test: 0);
        using (data)
        {
            var rng = new Random(8);
            double[] w0 = Enumerable.Range(0, model.ParameterCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var reference = new Models.NetworkReference(model, data.TrainX.ToArray(), w0);
            double[,] j = reference.Jacobian();
            double[] f = reference.Output(w0);
            double[] expected = Enumerable.Range(0, model.ParameterCount)
                .Select(p => w0[p] - 10 * Enumerable.Range(0, 20).Sum(n => j[n, p] * (f[n] - data.TrainY[n])) / 20).ToArray();
            double[] w = (double[])w0.Clone();
            var result = Trainer.Train(model, data, w, new TrainingOptions
            {
                Method = TrainingMethod.GradientDescent, GradientDescentStep = GradientStepRule.Literal, MaxIterations = 1,
            });
            Assert.Equal(10, result.Records[1].StepSize);
            for (int p = 0; p < w.Length; p++) Assert.Equal(expected[p], w[p], 1e-12);
        }
    }

    [Theory, InlineData(0.0), InlineData(-1.0), InlineData(double.NaN), InlineData(double.PositiveInfinity)]
    public void A_bad_learning_rate_is_named_before_training_starts(double lr)
    {
        var (model, data, w) = Setup(10, 20, tau0: 1, seed: 1, test: 0);
        using (data)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, data, w, new TrainingOptions { LearningRate = lr }));
            Assert.Equal("LearningRate", e.ParamName);
            Assert.Contains("> 0", e.Message);
        }
    }

    [Fact]
    public void An_unknown_gradient_step_rule_is_named()
    {
        var (model, data, w) = Setup(10, 20, tau0: 1, seed: 1, test: 0);
        using (data)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, data, w,
                new TrainingOptions { Method = TrainingMethod.GradientDescent, GradientDescentStep = (GradientStepRule)7 }));
            Assert.Equal("GradientDescentStep", e.ParamName);
            Assert.Contains("Literal", e.Message);
        }
    }

    [Fact]
    public void Levenberg_marquardt_never_increases_the_loss_on_an_accepted_step()
    {
        var (model, data, w) = Setup(60, 200, tau0: 1, seed: 2, test: 0);
        using (data)
        {
            var result = Trainer.Train(model, data, w, new TrainingOptions { Method = TrainingMethod.LevenbergMarquardt, MaxIterations = 40, RelativeTolerance = 1e-10 });
            for (int i = 1; i < result.Records.Count; i++)
                Assert.True(result.Records[i].TrainLoss <= result.Records[i - 1].TrainLoss, $"iteration {i}");
            Assert.True(result.Final.TrainLoss < 1e-6 * result.Records[0].TrainLoss);
        }
    }

    [Fact]
    public void Kernel_regime_methods_generalize_alike_and_feature_regime_gn_beats_random_features()
    {
        // Scaled-down version of Arbel et al. Fig. 2 (N = 100, M = 1000).
        double Test(TrainingMethod method, double tau0, int seed)
        {
            var (model, data, w) = Setup(100, 1000, tau0, seed);
            using (data)
                return Trainer.Train(model, data, w, new TrainingOptions { Method = method, GaussNewtonStep = GaussNewtonStepRule.Fixed, MaxIterations = method == TrainingMethod.GradientDescent ? 3000 : 300, TestInterval = 1000 }).LastTestLoss();
        }
        double gn = Test(TrainingMethod.GaussNewton, 10, 3), rf = Test(TrainingMethod.RandomFeatures, 10, 3), gd = Test(TrainingMethod.GradientDescent, 10, 3);
        Assert.True(Math.Abs(gn - rf) <= 0.05 * rf, $"kernel regime: GN {gn:E3} vs RF {rf:E3}");
        Assert.True(Math.Abs(gd - rf) <= 0.05 * rf, $"kernel regime: GD {gd:E3} vs RF {rf:E3}");
        double gnFeature = Enumerable.Range(0, 3).Average(s => Test(TrainingMethod.GaussNewton, 1, 10 + s));
        double rfFeature = Enumerable.Range(0, 3).Average(s => Test(TrainingMethod.RandomFeatures, 1, 10 + s));
        Assert.True(gnFeature < 0.7 * rfFeature, $"feature regime: GN {gnFeature:E3} vs RF {rfFeature:E3}");
    }

    [Fact]
    public void Ggn_score_with_mu_sqrt_m_trains_much_further_than_with_mu_one_hundredth()
    {
        // The GGN-SCORE paper's trend (sphere data, n₀ = 5, M = 200, N = 200, τ = 1e-4, 1600 iterations, 1/√M, no
        // bias): a small μ makes M_g = 2·P^0.2·μ^−0.7 large, so the step size α = s/(1 + M_g·η) collapses (with the
        // authors' s = 0.5 the final losses differ by 8.5×).
        const int m = 200;
        using var data = TeacherStudent.Sphere(200, inputDimension: 5, testCount: 1, seed: 1);
        var model = new TwoLayerSilu(5, m, hasBias: false, OutputScaling.Ntk);
        TrainingResult Run(double mu)
        {
            double[] w = TeacherStudent.InitialParameters(model, tau0: 1, seed: 2, outputStd: 1);
            return Trainer.Train(model, data, w, new TrainingOptions
            {
                Method = TrainingMethod.GgnScore, GgnTau = 1e-4, GgnMu = mu, MaxIterations = 1600, RelativeTolerance = 0, TestInterval = 1600,
            });
        }
        var large = Run(Math.Sqrt(m));
        var small = Run(0.01);
        double initial = large.Records[0].TrainLoss;
        Assert.Equal(initial, small.Records[0].TrainLoss);
        Assert.True(large.Final.TrainLoss < 1e-2 * initial, $"μ = √M: {large.Final.TrainLoss:E3} from {initial:E3}");
        Assert.True(large.Final.TrainLoss < 0.2 * small.Final.TrainLoss, $"μ = √M: {large.Final.TrainLoss:E3}, μ = 0.01: {small.Final.TrainLoss:E3}");
    }

    [Fact]
    public void Divergence_is_reported_with_the_iteration_and_the_last_finite_weights_are_kept()
    {
        var (model, data, w) = Setup(40, 100, tau0: 1, seed: 4, test: 0);
        using (data)
        {
            var result = Trainer.Train(model, data, w, new TrainingOptions { Method = TrainingMethod.GradientDescent, LearningRate = 1e6, MaxIterations = 100 });
            Assert.Equal(TrainingStatus.Diverged, result.Status);
            Assert.True(result.FailedIteration >= 1);
            Assert.Contains("smaller learning rate", result.Message);
            Assert.All(w, v => Assert.True(double.IsFinite(v)));
        }
    }
}

/// <summary>Reads the process-wide native allocation counter, so runs alone.</summary>
[Collection(nameof(NativeMemoryCollection))]
public class SmallestEigenvalueMemoryTests
{
    [Fact]
    public void Smallest_eigenvalue_warm_started_allocates_nothing()
    {
        // Arbel's rule estimates λ_min at every training step: the Ritz checks run on the estimator's own workspace.
        double[] lambda = Enumerable.Range(0, 100).Select(i => 1e-3 * Math.Pow(1.06, i)).ToArray();
        using var a = Reference.ToMatrix(Reference.WithEigenvalues(lambda, new Random(6), out _));
        var chol = Factored(a);
        var estimator = new SmallestEigenvalue(100);
        estimator.Estimate(chol);
        long nativeBefore = NativeMemoryCounter.LiveBytes;
        NativeMemoryCounter.ResetPeak();
        Allocation.AssertNone(() => estimator.Estimate(chol, tolerance: 1e-9), "a warm-started Estimate");
        Assert.True(estimator.Iterations >= 2, "the measured call must run at least one Ritz check");
        Assert.Equal(0, NativeMemoryCounter.PeakBytes - nativeBefore);
    }

    [Fact]
    public void Smallest_eigenvalue_cold_start_allocates_nothing_and_is_reproducible()
    {
        double[] lambda = Enumerable.Range(0, 80).Select(i => 1e-2 * Math.Pow(1.08, i)).ToArray();
        using var a = Reference.ToMatrix(Reference.WithEigenvalues(lambda, new Random(8), out _));
        var chol = Factored(a);
        var estimator = new SmallestEigenvalue(80);
        double first = estimator.Estimate(chol, tolerance: 1e-10);
        int firstSteps = estimator.Iterations;
        Assert.Equal(lambda[0], first, 1e-9 * lambda[^1]);
        Allocation.AssertNone(() => { estimator.Reset(); estimator.Estimate(chol, tolerance: 1e-10); }, "a cold-started Estimate");
        // The seeded start is the same every time: a cold start repeats the first call exactly.
        estimator.Reset();
        Assert.Equal(first, estimator.Estimate(chol, tolerance: 1e-10));
        Assert.Equal(firstSteps, estimator.Iterations);
    }

    private static Cholesky<double> Factored(DenseMatrix<double> a)
    {
        var chol = new Cholesky<double>(a, keepInput: true);
        chol.Factor(1e-7);
        return chol;
    }
}
