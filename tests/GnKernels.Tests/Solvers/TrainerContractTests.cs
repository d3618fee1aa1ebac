using System.Numerics.Tensors;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Tests.Solvers;

/// <summary>The trainer as a consumer meets it: any model, safe defaults, every way a run can end, the public pieces.</summary>
public class TrainerContractTests
{
    /// <summary>A user's own data: x uniform on [−2, 2]^d, y = target(x), a two-layer network of width 500.</summary>
    private static (TwoLayerSiluRegression Model, DenseMatrix<double> X, double[] W) UserProblem(Func<double[], double> target, int d, int seed, int n = 200, int m = 500)
    {
        var rng = new Random(seed);
        var xs = new double[n * d];
        for (int i = 0; i < xs.Length; i++) xs[i] = rng.NextDouble() * 4 - 2;
        var x = DenseMatrix<double>.FromRowMajor(n, d, xs);
        double[] y = Enumerable.Range(0, n).Select(i => target(xs[(i * d)..(i * d + d)])).ToArray();
        var network = new TwoLayerSilu(d, m);
        return (new TwoLayerSiluRegression(network, x, y), x, TeacherStudent.InitialParameters(network, tau0: 1, seed: seed + 1));
    }

    public static TheoryData<string, int> UserCases => new() { { "sin·cos", 0 }, { "sin·cos", 1 }, { "|x|", 0 } };

    private static Func<double[], double> Target(string name) => name switch
    {
        "sin·cos" => x => Math.Sin(x[0]) * Math.Cos(x[1]),
        _ => x => Math.Sqrt(x.Sum(v => v * v)),
    };

    // Arbel's fixed step (λ = 10) raised the sin·cos loss from 0.11 to 13.5 in ten iterations; the default may not.
    [Theory, MemberData(nameof(UserCases))]
    public void Default_gauss_newton_lowers_the_loss_monotonically_and_beats_levenberg_marquardt(string target, int seed)
    {
        int d = target == "sin·cos" ? 2 : 3;
        var (model, x, w0) = UserProblem(Target(target), d, seed);
        using (model)
        using (x)
        {
            double[] w = (double[])w0.Clone(), wLm = (double[])w0.Clone();
            var gn = Trainer.Train(model, w, new TrainingOptions { MaxIterations = 30 });
            var lm = Trainer.Train(model, wLm, new TrainingOptions { MaxIterations = 30, Method = TrainingMethod.LevenbergMarquardt });
            Assert.Contains(gn.Status, new[] { TrainingStatus.Converged, TrainingStatus.MaxIterations });
            for (int k = 1; k < gn.Records.Count; k++)
                Assert.True(gn.Records[k].TrainLoss <= gn.Records[k - 1].TrainLoss, $"{target}: the loss rose at iteration {k}");
            Assert.True(gn.Final.TrainLoss < 0.5 * gn.Records[0].TrainLoss, $"{target}: {gn.Records[0].TrainLoss:E3} → {gn.Final.TrainLoss:E3}");
            Assert.True(gn.Final.TrainLoss < lm.Final.TrainLoss, $"{target}: GN {gn.Final.TrainLoss:E3}, LM {lm.Final.TrainLoss:E3}");
        }
    }

    [Fact]
    public void Arbels_fixed_step_on_the_same_data_is_reported_as_diverged_not_finished()
    {
        var (model, x, w) = UserProblem(Target("sin·cos"), 2, seed: 1);
        using (model)
        using (x)
        {
            var result = Trainer.Train(model, w, new TrainingOptions { MaxIterations = 30, GaussNewtonStep = GaussNewtonStepRule.Fixed });
            Assert.Equal(TrainingStatus.Diverged, result.Status);
            Assert.Contains("smaller learning rate", result.Message);
            Assert.True(result.Final.TrainLoss <= 10 * result.Records[0].TrainLoss);
        }
    }

    [Fact]
    public void A_non_finite_initial_loss_is_an_error_naming_the_targets()
    {
        var (model, x, w) = UserProblem(v => 1e200, 2, seed: 0, n: 20, m: 10);
        using (model)
        using (x)
        {
            var e = Assert.Throws<ArgumentException>(() => Trainer.Train(model, w));
            Assert.Equal("y", e.ParamName);
            Assert.Contains("not finite", e.Message);
        }
    }

    [Theory]
    [InlineData(nameof(TrainingOptions.RelativeTolerance), -1e-3)]
    [InlineData(nameof(TrainingOptions.GradientTolerance), -1.0)]
    [InlineData(nameof(TrainingOptions.StepTolerance), double.NaN)]
    [InlineData(nameof(TrainingOptions.FunctionTolerance), 1.5)]
    [InlineData(nameof(TrainingOptions.MaxTime), -1.0)]
    [InlineData(nameof(TrainingOptions.DampingFloor), 0.0)]
    [InlineData(nameof(TrainingOptions.SmallestEigenvalueTolerance), 0.0)]
    [InlineData(nameof(TrainingOptions.DivergenceRatio), 1.0)]
    [InlineData(nameof(TrainingOptions.LinearTolerance), 0.0)]
    [InlineData(nameof(TrainingOptions.MaxLinearIterations), 0.0)]
    [InlineData(nameof(TrainingOptions.Form), 0.0)]
    [InlineData(nameof(TrainingOptions.KernelMetricsInterval), -1.0)]
    [InlineData(nameof(TrainingOptions.NystromRank), -1.0)]
    [InlineData(nameof(TrainingOptions.GgnLipschitz), 0.0)]
    public void Every_option_is_validated_by_name(string option, double value)
    {
        var o = option switch
        {
            nameof(TrainingOptions.RelativeTolerance) => new TrainingOptions { RelativeTolerance = value },
            nameof(TrainingOptions.GradientTolerance) => new TrainingOptions { GradientTolerance = value },
            nameof(TrainingOptions.StepTolerance) => new TrainingOptions { StepTolerance = value },
            nameof(TrainingOptions.FunctionTolerance) => new TrainingOptions { FunctionTolerance = value },
            nameof(TrainingOptions.MaxTime) => new TrainingOptions { MaxTime = TimeSpan.FromSeconds(value) },
            nameof(TrainingOptions.DampingFloor) => new TrainingOptions { DampingFloor = value },
            nameof(TrainingOptions.SmallestEigenvalueTolerance) => new TrainingOptions { SmallestEigenvalueTolerance = value },
            nameof(TrainingOptions.LinearTolerance) => new TrainingOptions { LinearTolerance = value },
            nameof(TrainingOptions.MaxLinearIterations) => new TrainingOptions { MaxLinearIterations = (int)value },
            nameof(TrainingOptions.Form) => new TrainingOptions { LinearSolver = GaussNewtonSolver.Pcg, Form = StepForm.Parameter }, // PCG is kernel-form only
            nameof(TrainingOptions.KernelMetricsInterval) => new TrainingOptions { KernelMetricsInterval = (int)value },
            nameof(TrainingOptions.NystromRank) => new TrainingOptions { LinearSolver = GaussNewtonSolver.Nystrom, NystromRank = (int)value },
            nameof(TrainingOptions.GgnLipschitz) => new TrainingOptions { Method = TrainingMethod.GgnScore, GgnLipschitz = value },
            _ => new TrainingOptions { DivergenceRatio = value },
        };
        var (model, x, w) = UserProblem(Target("sin·cos"), 2, seed: 0, n: 10, m: 10);
        using (model)
        using (x)
            Assert.Equal(option, Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, w, o)).ParamName);
    }

    /// <summary>f(x) = a·e^{b·x}: two parameters, a Jacobian written out by hand, nothing shared with the network.</summary>
    private sealed class Exponential(double[] x, double[] y) : ITrainableModel
    {
        private readonly DenseMatrix<double> _j = new(x.Length, 2);
        private ExplicitJacobian? _jacobian;
        public int SampleCount => x.Length;
        public int ParameterCount => 2;
        public bool WrongSign { get; init; }

        public IJacobian Linearize(ReadOnlySpan<double> w, Span<double> residual)
        {
            Residual(w, residual);
            for (int i = 0; i < x.Length; i++)
            {
                double e = Math.Exp(w[1] * x[i]);
                _j[i, 0] = WrongSign ? -e : e;
                _j[i, 1] = (WrongSign ? -1 : 1) * w[0] * x[i] * e;
            }
            return _jacobian ??= new ExplicitJacobian(_j); // reads _j as it is at each product
        }

        public void Residual(ReadOnlySpan<double> w, Span<double> residual)
        {
            for (int i = 0; i < x.Length; i++) residual[i] = w[0] * Math.Exp(w[1] * x[i]) - y[i];
        }
    }

    private static Exponential ExponentialData(bool wrongSign = false)
    {
        double[] x = Enumerable.Range(0, 40).Select(i => i / 20.0).ToArray();
        return new Exponential(x, x.Select(v => 1.5 * Math.Exp(-0.8 * v)).ToArray()) { WrongSign = wrongSign };
    }

    [Theory]
    [InlineData(TrainingMethod.GaussNewton)]
    [InlineData(TrainingMethod.LevenbergMarquardt)]
    public void A_second_model_trains_through_the_same_trainer(TrainingMethod method)
    {
        double[] w = [1, 0];
        var result = Trainer.Train(ExponentialData(), w, new TrainingOptions { Method = method, RelativeTolerance = 1e-20, GradientTolerance = 1e-13, MaxIterations = 100 });
        Assert.Equal(TrainingStatus.Converged, result.Status);
        Assert.Equal(1.5, w[0], 1e-8);
        Assert.Equal(-0.8, w[1], 1e-8);
    }

    [Fact]
    public void Mixed_precision_refuses_a_model_without_a_float32_kernel_by_name()
    {
        double[] w = [1, 0];
        var e = Assert.Throws<NotSupportedException>(() => Trainer.Train(ExponentialData(), w, new TrainingOptions { LinearSolver = GaussNewtonSolver.Mixed, MaxIterations = 2 }));
        Assert.Contains("GaussNewtonSolver.Mixed", e.Message);
        Assert.Contains("Exact", e.Message);
    }

    [Fact]
    public void A_jacobian_inconsistent_with_the_residuals_stalls_instead_of_climbing()
    {
        double[] w = [1, 0];
        var result = Trainer.Train(ExponentialData(wrongSign: true), w, new TrainingOptions { MaxIterations = 10 });
        // −J gives the direction the sign flip cancels, but the step along it climbs: no α lowers the loss.
        Assert.Equal(TrainingStatus.Stalled, result.Status);
        Assert.Contains("lowered the loss", result.Message);
        Assert.Equal([1.0, 0.0], w);
    }

    [Fact]
    public void Random_features_refuse_a_model_without_a_hidden_layer_by_name()
    {
        double[] w = [1, 0];
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(ExponentialData(), w, new TrainingOptions { Method = TrainingMethod.RandomFeatures }));
        Assert.Equal(nameof(TrainingOptions.Method), e.ParamName);
    }

    // A consumer's own loop from the public pieces (linearize, assemble, Arbel's damping, solve) gives Trainer's
    // fixed-step iterates, without touching a factor or matrix it does not own.
    [Fact]
    public void A_consumer_loop_from_public_api_reproduces_the_trainer()
    {
        var (model, x, w0) = UserProblem(Target("|x|"), 3, seed: 2, n: 60, m: 80);
        using (model)
        using (x)
        {
            const int steps = 5;
            double[] expected = (double[])w0.Clone();
            Trainer.Train(model, expected, new TrainingOptions { MaxIterations = steps, GaussNewtonStep = GaussNewtonStepRule.Fixed, EstimateCondition = false });

            double[] w = (double[])w0.Clone(), r = new double[model.SampleCount], direction = new double[model.ParameterCount];
            using var system = new GaussNewtonSystem(model.SampleCount, model.ParameterCount);
            for (int k = 0; k < steps; k++)
            {
                IJacobian j = model.Linearize(w, r);
                system.Assemble(j);
                double epsilon = system.ChooseArbelDamping(ArbelDamping.DefaultFloor, out _);
                Assert.True(system.TrySolve(epsilon, r, direction, out _));
                TensorPrimitives.MultiplyAdd(direction, 10.0 / model.SampleCount, w, w);
            }
            for (int i = 0; i < w.Length; i++) Assert.Equal(expected[i], w[i], 1e-13 * Math.Max(1, Math.Abs(expected[i])));
        }
    }

    [Fact]
    public void The_callback_sees_the_parameters_and_the_solve_vector_and_can_stop_or_succeed()
    {
        var (model, x, w) = UserProblem(Target("sin·cos"), 2, seed: 3, n: 40, m: 60);
        using (model)
        using (x)
        {
            double[]? seenW = null, seenZ = null;
            var options = new TrainingOptions
            {
                MaxIterations = 50,
                OnIteration = (record, parameters, z) =>
                {
                    (seenW, seenZ) = (parameters.ToArray(), z.ToArray());
                    return record.Iteration == 3 ? IterationDecision.Stop : IterationDecision.Continue;
                },
            };
            double[] w1 = (double[])w.Clone();
            var stopped = Trainer.Train(model, w1, options);
            Assert.Equal(TrainingStatus.Stopped, stopped.Status);
            Assert.Equal(3, stopped.Iterations);
            Assert.Equal(w1, seenW);
            Assert.Equal(model.SampleCount, seenZ!.Length); // kernel form: z = (A + εI)⁻¹r, one entry per sample

            var succeeded = Trainer.Train(model, (double[])w.Clone(), options with { OnIteration = (_, _, _) => IterationDecision.Succeed });
            Assert.Equal(TrainingStatus.Converged, succeeded.Status);
            Assert.Equal(1, succeeded.Iterations);
        }
    }

    [Fact]
    public void Exact_smallest_eigenvalue_gives_arbels_damping_that_lanczos_bounds_from_above()
    {
        var rng = new Random(5);
        using var j = DenseMatrix<double>.FromRowMajor(40, 80, Enumerable.Range(0, 40 * 80).Select(_ => rng.NextDouble() - 0.5).ToArray());
        var jacobian = new ExplicitJacobian(j);
        using var system = new GaussNewtonSystem(40, 80);
        system.Assemble(jacobian);
        const double floor = 1e-3;
        double exact = system.ChooseArbelDamping(floor, out double exactLambda, SmallestEigenvalueMethod.Exact);
        double lanczos = system.ChooseArbelDamping(floor, out double lanczosLambda, SmallestEigenvalueMethod.Lanczos, tolerance: 1e-10);
        Assert.True(exactLambda > floor, $"λ_min {exactLambda:E3}");
        Assert.Equal(exactLambda, exact);
        Assert.True(lanczosLambda >= exactLambda * (1 - 1e-12), $"Lanczos {lanczosLambda:E6} < exact {exactLambda:E6}");
        Assert.Equal(exactLambda, lanczosLambda, 1e-6 * exactLambda);
        Assert.Equal(lanczosLambda, lanczos);
        // The exact estimate reads the assembled matrix even after a factorization overwrote it.
        Assert.Equal(exactLambda, system.ChooseArbelDamping(floor, out _, SmallestEigenvalueMethod.Exact), 1e-12 * exactLambda);
    }
}
