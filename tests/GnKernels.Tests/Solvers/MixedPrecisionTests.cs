using System.Numerics.Tensors;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Tests.Solvers;

/// <summary>The float32-assembled, double-refined GN step against the double NTK, its Cholesky solve and dsyevr.</summary>
public class MixedPrecisionTests
{
    private static (TwoLayerSilu Network, SyntheticDataset Data, double[] W) Problem(double tau0 = 1, bool bias = false)
    {
        var data = TeacherStudent.Arbel(120, inputDimension: 5, testCount: 0, seed: 3);
        var network = new TwoLayerSilu(5, 400, hasBias: bias);
        return (network, data, TeacherStudent.InitialParameters(network, tau0, seed: 4, outputStd: 0.5));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_float32_ntk_is_the_double_ntk_to_float32_rounding(bool bias)
    {
        var (network, data, w) = Problem(bias: bias);
        using (data)
        using (var lin = network.CreateLinearization(120))
        using (var exact = new DenseMatrix<double>(120, 120))
        using (var single = new DenseMatrix<float>(120, 120))
        using (var gram = new DenseMatrix<float>(120, 120))
        {
            lin.Evaluate(data.TrainX, w);
            lin.Ntk(exact);
            lin.Ntk(single, gram);
            double scale = 0, error = 0;
            for (int i = 0; i < 120; i++)
            {
                scale = Math.Max(scale, exact[i, i]);
                for (int j = 0; j <= i; j++) error = Math.Max(error, Math.Abs(single[i, j] - exact[i, j]));
            }
            // Sums of M = 400 float32 products: a few hundred units of 2⁻²⁴ at most, and not double (error > 0).
            Assert.InRange(error / scale, 1e-12, 400 * Math.ScaleB(1.0, -24));
        }
    }

    // The float32 factor of the same matrix preconditions CG in double to the double Cholesky answer in a few steps.
    [Fact]
    public void Cg_preconditioned_by_the_float32_factor_reaches_the_double_cholesky_answer()
    {
        var (network, data, w) = Problem();
        using (data)
        using (var model = new TwoLayerSiluRegression(network, data.TrainX, data.TrainY))
        using (var single = new SinglePrecisionFactor(model.SampleCount))
        {
            int n = model.SampleCount;
            var r = new double[n];
            var jacobian = model.Linearize(w, r);
            const double epsilon = 1e-5;
            using var system = new GaussNewtonSystem(n, model.ParameterCount, StepForm.Kernel);
            system.Assemble(jacobian);
            Assert.True(system.TrySolve(epsilon, r, new double[model.ParameterCount], out _));
            double[] exact = system.SolveVector.ToArray();

            single.Assemble((TwoLayerSiluLinearization)jacobian);
            Assert.True(single.TryFactor(epsilon));
            var cg = new ConjugateGradient(n, model.ParameterCount);
            var z = new double[n];
            Assert.Equal(CgOutcome.Converged, cg.Solve(jacobian, epsilon, single, r, z, 1e-13, 50));
            Assert.InRange(cg.Iterations, 1, 10);
            double relative = TensorPrimitives.Distance<double>(z, exact) / TensorPrimitives.Norm<double>(exact);
            Assert.True(relative <= 1e-10, $"relative error {relative:E2}");

            // One float32 solve alone is not that accurate: the refinement is doing the work.
            single.Apply(r, z);
            Assert.True(TensorPrimitives.Distance<double>(z, exact) > 1e-9 * TensorPrimitives.Norm<double>(exact));
        }
    }

    // λ_min well above float32's rounding of A: Lanczos on the float32 factor agrees with dsyevr on the double matrix.
    [Fact]
    public void Lambda_min_from_the_float32_factor_is_within_one_percent_of_dsyevr()
    {
        var (network, data, w) = Problem(tau0: 10);
        using (data)
        using (var lin = network.CreateLinearization(120))
        using (var a = new DenseMatrix<double>(120, 120))
        using (var single = new SinglePrecisionFactor(120))
        {
            lin.Evaluate(data.TrainX, w);
            lin.Ntk(a);
            double reference = SymmetricEigen.Smallest(a);
            single.Assemble(lin);
            Assert.True(reference > 100 * Math.ScaleB(single.MaxDiagonal, -24), $"λ_min {reference:E3} is too close to float32 rounding for this check");
            double epsilon = single.ChooseArbelDamping(1e-3 * reference, 1e-4, out double lambdaMin);
            Assert.True(Math.Abs(lambdaMin - reference) <= 1e-2 * reference, $"λ_min {lambdaMin:E6} vs dsyevr {reference:E6}, max Aᵢᵢ {single.MaxDiagonal:E3}");
            Assert.Equal(lambdaMin, epsilon);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    public void A_mixed_run_tracks_the_exact_run_and_never_falls_back(double tau0)
    {
        var (network, data, w0) = Problem(tau0);
        using (data)
        {
            var options = new TrainingOptions { GaussNewtonStep = GaussNewtonStepRule.Fixed, MaxIterations = 30, RelativeTolerance = 0 };
            double[] wExact = (double[])w0.Clone(), wMixed = (double[])w0.Clone();
            var exact = Trainer.Train(network, data, wExact, options);
            var mixed = Trainer.Train(network, data, wMixed, options with { LinearSolver = GaussNewtonSolver.Mixed });
            Assert.Equal(exact.Records.Count, mixed.Records.Count);
            for (int k = 0; k < exact.Records.Count; k++)
                Assert.True(Math.Abs(mixed.Records[k].TrainLoss - exact.Records[k].TrainLoss) <= 1e-6 * exact.Records[k].TrainLoss,
                    $"iteration {k}: mixed {mixed.Records[k].TrainLoss:E9} vs exact {exact.Records[k].TrainLoss:E9}");
            foreach (var (e, m) in exact.Records.Skip(1).Zip(mixed.Records.Skip(1)))
            {
                Assert.Equal(0, m.Retries);
                Assert.InRange(m.LinearIterations, 1, 10);
                Assert.Equal(e.Damping, m.Damping, 0.01 * e.Damping);
            }
        }
    }
}
