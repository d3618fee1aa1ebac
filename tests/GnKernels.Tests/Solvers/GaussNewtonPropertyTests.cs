using System.Numerics.Tensors;
using CsCheck;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Tests.Solvers;

/// <summary>Invariants of the GN step and the trainer over random shapes, values and damping.</summary>
public class GaussNewtonPropertyTests
{
    private static readonly Gen<(int N, int P, double Epsilon, double[] J, double[] R)> Systems =
        Gen.Select(Gen.Int[1, 24], Gen.Int[1, 24], Gen.Double[1e-6, 10]).SelectMany((n, p, eps) =>
            Gen.Select(Gen.Double[-1, 1].Array[n * p], Gen.Double[-1, 1].Array[n], (j, r) => (n, p, eps, j, r)));

    // (J·Jᵀ + εI)⁻¹ pushed through Jᵀ equals (JᵀJ + εI)⁻¹Jᵀ for every shape, wide or tall.
    [Fact]
    public void Kernel_and_parameter_forms_agree_for_any_shape() => Systems.Sample(s =>
    {
        using var j = DenseMatrix<double>.FromRowMajor(s.N, s.P, s.J);
        var jacobian = new ExplicitJacobian(j);
        double[] kernel = new double[s.P], parameter = new double[s.P];
        using (var system = new GaussNewtonSystem(s.N, s.P, StepForm.Kernel))
        {
            system.Assemble(jacobian);
            Assert.True(system.TrySolve(s.Epsilon, s.R, kernel, out _));
        }
        using (var system = new GaussNewtonSystem(s.N, s.P, StepForm.Parameter))
        {
            system.Assemble(jacobian);
            Assert.True(system.TrySolve(s.Epsilon, s.R, parameter, out _));
        }
        // Rounding is relative to ‖J‖·‖z‖ ≤ ‖J‖·‖r‖/ε, not to the result: a J nearly orthogonal to r leaves a result at
        // the noise level (seed 7zFhVKf7mV-1: 1.4e-17 against −1.4e-37).
        double scale = Math.Max(Math.Max(TensorPrimitives.Norm<double>(kernel), TensorPrimitives.Norm<double>(s.J) * TensorPrimitives.Norm<double>(s.R) / s.Epsilon), 1e-300);
        for (int i = 0; i < s.P; i++) Assert.True(Math.Abs(kernel[i] - parameter[i]) <= 1e-9 * scale, $"{i}: {kernel[i]:R} vs {parameter[i]:R}");
    }, threads: 1, iter: 150);

    [Fact]
    public void A_non_finite_residual_is_named_wherever_it_is() => Systems.SelectMany(s => Gen.Int[0, s.N - 1].Select(at => (s, at))).Sample(c =>
    {
        var (s, at) = c;
        using var j = DenseMatrix<double>.FromRowMajor(s.N, s.P, s.J);
        using var system = new GaussNewtonSystem(s.N, s.P);
        system.Assemble(new ExplicitJacobian(j));
        s.R[at] = double.NaN;
        var e = Assert.ThrowsAny<ArgumentException>(() => system.TrySolve(s.Epsilon, s.R, new double[s.P], out _));
        Assert.Equal("residual", e.ParamName);
        Assert.Contains($"[{at}]", e.Message);
    }, threads: 1, iter: 60);

    // The default step rule never raises the loss, whatever the network, data and start.
    [Fact]
    public void Default_gauss_newton_never_raises_the_loss() =>
        Gen.Select(Gen.Int[5, 40], Gen.Int[1, 4], Gen.Int[2, 60], Gen.Double[0.2, 5], Gen.Int[0, 1000]).Sample((n, d, m, tau0, seed) =>
        {
            var rng = new Random(seed);
            using var x = DenseMatrix<double>.FromRowMajor(n, d, Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() * 4 - 2).ToArray());
            double[] y = Enumerable.Range(0, n).Select(i => Math.Sin(3 * x[i, 0]) + rng.NextDouble() * 0.1).ToArray();
            var network = new TwoLayerSilu(d, m);
            double[] w = GnKernels.Data.TeacherStudent.InitialParameters(network, tau0, seed);
            using var model = new TwoLayerSiluRegression(network, x, y);
            var result = Trainer.Train(model, w, new TrainingOptions { MaxIterations = 15 });
            for (int k = 1; k < result.Records.Count; k++)
                Assert.True(result.Records[k].TrainLoss <= result.Records[k - 1].TrainLoss, $"the loss rose at iteration {k}: {result.Records[k - 1].TrainLoss:R} → {result.Records[k].TrainLoss:R}");
            Assert.DoesNotContain(result.Status, new[] { TrainingStatus.Diverged, TrainingStatus.NotSolvable });
        }, threads: 1, iter: 40);
}
