using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Simd;
using GnKernels.Solvers;

namespace GnKernels.Smoke;

/// <summary>
/// SiLU (whichever SIMD path the CPU gives: NEON on arm64), a damped Cholesky solve and one Gauss-Newton step, each
/// checked on the machine it runs on against a reference that does not share its code: SiLU against x/(1 + e^{−x})
/// (computed stably) in double, the solve by its residual, the step by its loss decrease.
/// </summary>
public static class SmokeChecks
{
    // Both kernels and the naive reference are within ~2 ULP of exact, so 8 ULP of either precision is a failure.
    private const double DoubleTolerance = 8 * 1.1102230246251565e-16;  // 8 units of 2⁻⁵³
    private const double FloatTolerance = 8 * 5.9604644775390625e-8;     // 8 units of 2⁻²⁴

    public static SmokeResult Run()
    {
        var failures = new List<string>();

        // 2001 points over [−40, 40]: every branch of the exp reduction, both tails, and the zero of silu'.
        double[] x = Enumerable.Range(0, 2001).Select(i => -40 + 80.0 * i / 2000).ToArray();
        double[] silu = new double[x.Length], derivative = new double[x.Length];
        float[] siluFloat = new float[x.Length];
        SiluKernels.SiluWithDerivative(x, silu, derivative);
        SiluKernels.Silu(x.Select(v => (float)v).ToArray(), siluFloat);
        for (int i = 0; i < x.Length; i++)
        {
            // σ and 1 − σ from t = e^{−|x|}, so neither is formed by cancellation.
            double t = Math.Exp(-Math.Abs(x[i]));
            double sigma = x[i] >= 0 ? 1 / (1 + t) : t / (1 + t), oneMinusSigma = x[i] >= 0 ? t / (1 + t) : 1 / (1 + t);
            double reference = x[i] * sigma, referenceDerivative = sigma * (1 + x[i] * oneMinusSigma);
            Check(failures, "silu", x[i], silu[i], reference, DoubleTolerance * Math.Abs(reference));
            // silu' cancels near its zero: bound the error by the size of the terms, not of the result.
            Check(failures, "silu'", x[i], derivative[i], referenceDerivative, DoubleTolerance * (Math.Abs(referenceDerivative) + sigma));
            double referenceFloat = (float)x[i] / (1 + Math.Exp(-(float)x[i]));
            Check(failures, "silu (float)", x[i], siluFloat[i], referenceFloat, FloatTolerance * Math.Abs(referenceFloat) + 1e-44);
        }

        (double[] solution, double residual) = CholeskySolve();
        if (!(residual <= 1e-13)) failures.Add($"Cholesky: relative residual {residual:E2} > 1e-13");

        (double initialLoss, double loss, double[] w) = OneGaussNewtonStep();
        if (!(loss < initialLoss)) failures.Add($"GN step: loss {initialLoss:E6} → {loss:E6} did not decrease");

        return new SmokeResult
        {
            Platform = GnKernels.Platform.Describe(),
            SiluInput = x, Silu = silu, SiluDerivative = derivative, SiluFloat = siluFloat,
            CholeskySolution = solution, CholeskyRelativeResidual = residual,
            InitialLoss = initialLoss, LossAfterStep = loss, ParametersAfterStep = w,
            Failures = [.. failures],
        };
    }

    private static void Check(List<string> failures, string what, double x, double value, double reference, double tolerance)
    {
        if (!(Math.Abs(value - reference) <= tolerance))
            failures.Add($"{what}({x:R}) = {value:R}, reference {reference:R}, tolerance {tolerance:E2}");
    }

    // A = BᵀB/n + I/2 from a fixed pseudo-random B (n = 200), b = A·1: the solve must return ~1 with a tiny residual.
    private static (double[] Solution, double RelativeResidual) CholeskySolve()
    {
        const int n = 200;
        var random = new Random(7);
        double[] b = new double[n * n];
        for (int i = 0; i < b.Length; i++) b[i] = random.NextDouble() - 0.5;
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += b[k * n + i] * b[k * n + j];
                a[i * n + j] = sum / n + (i == j ? 0.5 : 0);
            }
        double[] rhs = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) rhs[i] += a[i * n + j];

        using var matrix = DenseMatrix<double>.FromRowMajor(n, n, a);
        var cholesky = new Cholesky<double>(matrix);
        const double epsilon = 1e-3;
        cholesky.Factor(epsilon);
        double[] solution = (double[])rhs.Clone();
        cholesky.Solve(solution);

        double residualSquared = 0, rhsSquared = 0;
        for (int i = 0; i < n; i++)
        {
            double ax = epsilon * solution[i];
            for (int j = 0; j < n; j++) ax += a[i * n + j] * solution[j];
            residualSquared += (ax - rhs[i]) * (ax - rhs[i]);
            rhsSquared += rhs[i] * rhs[i];
        }
        return (solution, Math.Sqrt(residualSquared / rhsSquared));
    }

    // Arbel et al.'s teacher-student problem, small: N = 64, d = 5, M = 256, one backtracking GN step.
    private static (double InitialLoss, double Loss, double[] Parameters) OneGaussNewtonStep()
    {
        using var data = TeacherStudent.Arbel(trainCount: 64, inputDimension: 5, testCount: 16, seed: 3);
        var network = new TwoLayerSilu(inputDimension: 5, width: 256);
        double[] w = TeacherStudent.InitialParameters(network, tau0: 1, seed: 3);
        TrainingResult result = Trainer.Train(network, data, w, new TrainingOptions { MaxIterations = 1 });
        return (result.Records[0].TrainLoss, result.Final.TrainLoss, w);
    }
}
