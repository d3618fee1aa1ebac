using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Tests.Solvers;

// The matrix-free Nyström-preconditioned step against the dense Cholesky step, its columns against the assembled NTK,
// and its iteration count against plain CG's.
public class NystromTests
{
    private static (TwoLayerSiluRegression Model, double[] W, SyntheticDataset Data) Problem(int n, int m, double tau0 = 1, double outputStd = 0.5)
    {
        var data = TeacherStudent.Arbel(trainCount: n, inputDimension: 5, testCount: 0, seed: 4);
        var network = new TwoLayerSilu(5, m, hasBias: true);
        double[] w = TeacherStudent.InitialParameters(network, tau0, seed: 6, outputStd: outputStd);
        return (new TwoLayerSiluRegression(network, data.TrainX, data.TrainY), w, data);
    }

    [Fact]
    public void Kernel_columns_equal_the_assembled_NTK_columns()
    {
        var (model, w, data) = Problem(60, 40);
        using (data) using (model)
        {
            var jacobian = model.Linearize(w, new double[60]);
            using var a = new DenseMatrix<double>(60, 60);
            jacobian.Ntk(a);
            int[] rows = [3, 17, 41, 59];
            using var columns = new DenseMatrix<double>(60, rows.Length);
            ((IKernelColumns)jacobian).KernelColumns(rows, columns);
            for (int i = 0; i < 60; i++)
                for (int j = 0; j < rows.Length; j++)
                {
                    double reference = i >= rows[j] ? a[i, rows[j]] : a[rows[j], i]; // lower triangle
                    Assert.Equal(reference, columns[i, j], 1e-13 * Math.Abs(a[0, 0]));
                }
        }
    }

    [Fact]
    public void At_full_rank_the_preconditioner_is_the_inverse_and_CG_equals_Cholesky()
    {
        var (model, w, data) = Problem(80, 60);
        using (data) using (model)
        {
            double[] r = new double[80];
            var jacobian = model.Linearize(w, r);
            const double epsilon = 1e-4;
            using var system = new GaussNewtonSystem(80, model.ParameterCount, StepForm.Kernel);
            system.Assemble(jacobian);
            Assert.True(system.TrySolve(epsilon, r, new double[model.ParameterCount], out _));
            double[] exact = system.SolveVector.ToArray();

            using var nystrom = new NystromPreconditioner(80, model.ParameterCount, rank: 80);
            nystrom.Build(jacobian, epsilon, seed: 1);
            var cg = new ConjugateGradient(80, model.ParameterCount);
            double[] z = new double[80];
            Assert.Equal(CgOutcome.Converged, cg.Solve(jacobian, epsilon, nystrom, r, z, 1e-12, 50));
            Assert.InRange(cg.Iterations, 1, 3);
            Assert.True(RelativeDifference(exact, z) < 1e-9, $"{RelativeDifference(exact, z):E2}");
        }
    }

    // P⁻¹ applied to the unit vectors against Frangella, Tropp and Udell's definition formed densely from the assembled
    // NTK: Â = C·W⁺·Cᵀ (C = A[:, S], W = A[S, S]) and its top-k eigenpairs (Λ, U) by dsyevr, then
    // P⁻¹ = U·diag((λ_k + μ)/(Λ + μ))·Uᵀ + (I − U·Uᵀ). Also symmetric, with its eigenvalues in (0, 1].
    [Fact]
    public void The_preconditioner_is_the_Nystrom_definition_formed_densely()
    {
        const int n = 70, k = 12;
        const double mu = 1e-3;
        var (model, w, data) = Problem(n, 30);
        using (data) using (model)
        {
            var jacobian = model.Linearize(w, new double[n]);
            using var a = new DenseMatrix<double>(n, n);
            jacobian.Ntk(a);
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) a[i, j] = a[j, i];

            using var nystrom = new NystromPreconditioner(n, model.ParameterCount, rank: k);
            nystrom.Build(jacobian, mu, seed: 3);
            Assert.Equal(k, nystrom.Rank);
            int[] s = nystrom.SampledIndices.ToArray();

            using var c = new DenseMatrix<double>(n, k);
            using var cT = new DenseMatrix<double>(k, n);
            using var wS = new DenseMatrix<double>(k, k);
            for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) c[i, j] = cT[j, i] = a[i, s[j]];
            for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) wS[i, j] = a[s[i], s[j]];
            using var wPlusCt = new DenseMatrix<double>(k, n);
            SymmetricPseudoInverse.SolveColumns(wS, cT, wPlusCt, 1e-10, 0);
            using var approximation = new DenseMatrix<double>(n, n);
            Blas.Gemm(1.0, c, Transpose.None, wPlusCt, Transpose.None, 0.0, approximation);
            double[] lambda = new double[k];
            using var u = new DenseMatrix<double>(k, n); // eigenvector j as row j, ascending
            SymmetricEigen.Compute(approximation, n - k, lambda, u);

            using var reference = new DenseMatrix<double>(n, n);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = i == j ? 1 : 0;
                    for (int q = 0; q < k; q++) sum += u[q, i] * u[q, j] * ((lambda[0] + mu) / (lambda[q] + mu) - 1);
                    reference[i, j] = sum;
                }

            using var applied = new DenseMatrix<double>(n, n); // column j = P⁻¹·e_j, stored as row j
            double[] unit = new double[n];
            for (int j = 0; j < n; j++)
            {
                Array.Clear(unit);
                unit[j] = 1;
                nystrom.Apply(unit, applied.Row(j));
            }
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    Assert.Equal(reference[i, j], applied[j, i], 1e-8);
                    Assert.Equal(applied[i, j], applied[j, i], 1e-12);
                }
            double[] spectrum = new double[n];
            SymmetricEigen.Compute(applied, 0, spectrum);
            Assert.InRange(spectrum[0], (lambda[0] + mu) / (lambda[^1] + mu) * (1 - 1e-6), 1);
            Assert.InRange(spectrum[^1], 1 - 1e-10, 1 + 1e-10);
        }
    }

    [Fact]
    public void A_warm_start_at_the_solution_needs_no_iteration_and_near_it_reaches_the_same_z()
    {
        var (model, w, data) = Problem(80, 60);
        using (data) using (model)
        {
            double[] r = new double[80];
            var jacobian = model.Linearize(w, r);
            const double epsilon = 1e-4;
            using var nystrom = new NystromPreconditioner(80, model.ParameterCount, rank: 20);
            nystrom.Build(jacobian, epsilon, seed: 2);
            var cg = new ConjugateGradient(80, model.ParameterCount);
            double[] cold = new double[80];
            Assert.Equal(CgOutcome.Converged, cg.Solve(jacobian, epsilon, nystrom, r, cold, 1e-12, 500));
            int coldIterations = cg.Iterations;

            double[] warm = (double[])cold.Clone();
            Assert.Equal(CgOutcome.Converged, cg.Solve(jacobian, epsilon, nystrom, r, warm, 1e-10, 500, warmStart: true));
            Assert.Equal(0, cg.Iterations);

            for (int i = 0; i < warm.Length; i++) warm[i] = cold[i] * 1.01;
            Assert.Equal(CgOutcome.Converged, cg.Solve(jacobian, epsilon, nystrom, r, warm, 1e-12, 500, warmStart: true));
            Assert.True(cg.Iterations < coldIterations, $"warm {cg.Iterations}, cold {coldIterations}");
            Assert.True(RelativeDifference(cold, warm) < 1e-9, $"{RelativeDifference(cold, warm):E2}");
        }
    }

    [Fact]
    public void Training_with_the_Nystrom_solver_follows_the_exact_one()
    {
        const int n = 400;
        var (model, w0, data) = Problem(n, 150);
        using (data) using (model)
        {
            TrainingResult Run(GaussNewtonSolver solver, out double[] w)
            {
                w = (double[])w0.Clone();
                return Trainer.Train(model, w, new TrainingOptions
                {
                    LinearSolver = solver, NystromRank = 100, FixedDamping = 1e-4, GaussNewtonStep = GaussNewtonStepRule.Fixed,
                    MaxIterations = 4, RelativeTolerance = 0, LinearTolerance = 1e-11, MaxLinearIterations = 500, Form = StepForm.Kernel,
                });
            }
            var exact = Run(GaussNewtonSolver.Exact, out double[] wExact);
            var nystrom = Run(GaussNewtonSolver.Nystrom, out double[] wNystrom);
            Assert.True(TrainingStatus.MaxIterations == nystrom.Status, nystrom.Message);
            Assert.True(RelativeDifference(wExact, wNystrom) < 1e-8, $"{RelativeDifference(wExact, wNystrom):E2}");
            Assert.All(nystrom.Records.Skip(1), r => Assert.True(r.LinearIterations > 0));
            Assert.True(nystrom.Records[1].PreconditionerRefreshed);
        }
    }

    // Plain CG (no preconditioner) trains to the exact run's weights as Nyström does, with more iterations; a solve
    // that cannot converge ends the run as not solvable, naming what to raise.
    [Fact]
    public void Training_with_plain_CG_follows_the_exact_one_and_a_stalled_solve_is_not_solvable()
    {
        const int n = 400;
        var (model, w0, data) = Problem(n, 150);
        using (data) using (model)
        {
            var options = new TrainingOptions
            {
                FixedDamping = 1e-3, GaussNewtonStep = GaussNewtonStepRule.Fixed, MaxIterations = 4, RelativeTolerance = 0, LinearTolerance = 1e-11,
                Form = StepForm.Kernel, NystromRank = 100,
            };
            double[] wExact = (double[])w0.Clone(), wCg = (double[])w0.Clone(), wNystrom = (double[])w0.Clone(), wStalled = (double[])w0.Clone();
            Trainer.Train(model, wExact, options);
            var cg = Trainer.Train(model, wCg, options with { LinearSolver = GaussNewtonSolver.Cg });
            var nystrom = Trainer.Train(model, wNystrom, options with { LinearSolver = GaussNewtonSolver.Nystrom });
            Assert.True(TrainingStatus.MaxIterations == cg.Status, cg.Message);
            Assert.True(RelativeDifference(wExact, wCg) < 1e-8, $"{RelativeDifference(wExact, wCg):E2}");
            Assert.True(cg.Records.Sum(r => r.LinearIterations) > nystrom.Records.Sum(r => r.LinearIterations));

            var stalled = Trainer.Train(model, wStalled, options with { LinearSolver = GaussNewtonSolver.Cg, MaxLinearIterations = 2 });
            Assert.Equal(TrainingStatus.NotSolvable, stalled.Status);
            Assert.Contains("without a preconditioner", stalled.Message);
            Assert.Equal(w0, wStalled);
        }
    }

    // C, B and U share one buffer, rotated in place a block of rows at a time: blocks that do not divide N give the
    // same preconditioner as one block of all rows.
    [Fact]
    public void The_in_place_rotation_does_not_depend_on_the_block()
    {
        const int n = 300;
        var (model, w, data) = Problem(n, 100);
        using (data) using (model)
        {
            var jacobian = model.Linearize(w, new double[n]);
            using var whole = new NystromPreconditioner(n, model.ParameterCount, rank: 60);
            using var blocked = new NystromPreconditioner(n, model.ParameterCount, rank: 60, blockRows: 7);
            whole.Build(jacobian, 1e-4, seed: 2);
            blocked.Build(jacobian, 1e-4, seed: 2);
            var r = Enumerable.Range(0, n).Select(i => Math.Sin(0.3 * i)).ToArray();
            double[] a = new double[n], b = new double[n];
            whole.Apply(r, a);
            blocked.Apply(r, b);
            Assert.Equal(60, whole.Rank);
            Assert.True(RelativeDifference(a, b) < 1e-12, $"{RelativeDifference(a, b):E2}");
            Assert.True(RelativeDifference(a, r) > 1e-3, "the preconditioner should act");
        }
    }

    [Fact]
    public void The_Nystrom_preconditioner_cuts_CG_iterations_on_an_ill_conditioned_NTK()
    {
        const int n = 600;
        var (model, w, data) = Problem(n, 300, tau0: 1, outputStd: 1);
        using (data) using (model)
        {
            double[] r = new double[n];
            var jacobian = model.Linearize(w, r);
            const double epsilon = 1e-6; // far below most of the spectrum: κ(A + εI) is large
            var cg = new ConjugateGradient(n, model.ParameterCount);
            double[] z = new double[n];
            var plain = cg.Solve(jacobian, epsilon, IdentityPreconditioner.Instance, r, z, 1e-8, 5000);
            int plainIterations = cg.Iterations;
            using var nystrom = new NystromPreconditioner(n, model.ParameterCount, rank: 150);
            nystrom.Build(jacobian, epsilon, seed: 3);
            Assert.Equal(CgOutcome.Converged, cg.Solve(jacobian, epsilon, nystrom, r, z, 1e-8, 5000));
            Assert.True(cg.Iterations * 5 <= plainIterations, $"Nyström {cg.Iterations} iterations, plain {plainIterations} ({plain})");
        }
    }

    [Fact]
    public void The_Nystrom_solver_refuses_the_parameter_form_and_a_negative_rank()
    {
        var (model, w, data) = Problem(30, 10);
        using (data) using (model)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, w, new TrainingOptions { LinearSolver = GaussNewtonSolver.Nystrom, Form = StepForm.Parameter }));
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, w, new TrainingOptions { LinearSolver = GaussNewtonSolver.Nystrom, NystromRank = -1 }));
            Assert.Equal("NystromRank", e.ParamName);
        }
    }

    private static double RelativeDifference(double[] a, double[] b)
    {
        double d = 0, s = 0;
        for (int i = 0; i < a.Length; i++) { d += (a[i] - b[i]) * (a[i] - b[i]); s += a[i] * a[i]; }
        return Math.Sqrt(d / s);
    }
}
