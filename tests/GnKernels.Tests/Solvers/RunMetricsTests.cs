using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Tests.Solvers;

// The per-iteration metrics against quantities computed here from their definitions: distances from w and w₀, the
// spectrum and drift from an explicitly formed J·Jᵀ, the alignment from a hand-picked teacher subspace.
public class RunMetricsTests
{
    private static (TrainingResult Result, double[] W0, double[] W, TwoLayerSilu Network, SyntheticDataset Data) Train(int interval, int iterations, double tau0 = 0.5)
    {
        var data = TeacherStudent.Arbel(trainCount: 40, inputDimension: 4, testCount: 10, seed: 3);
        var network = new TwoLayerSilu(4, 60);
        double[] w = TeacherStudent.InitialParameters(network, tau0, seed: 4);
        double[] w0 = (double[])w.Clone();
        var result = Trainer.Train(network, data, w, new TrainingOptions
        {
            GaussNewtonStep = GaussNewtonStepRule.Fixed, MaxIterations = iterations, RelativeTolerance = 0,
            KernelMetricsInterval = interval, TeacherHiddenWeights = data.TeacherHiddenWeights,
        });
        return (result, w0, w, network, data);
    }

    [Fact]
    public void Distances_are_those_of_w_from_w0_per_layer()
    {
        var (result, w0, w, network, data) = Train(interval: 0, iterations: 7);
        using (data)
        {
            var last = result.Final;
            double hidden = Norm(w.Zip(w0, (a, b) => a - b).Take(network.OutputWeightsOffset));
            double output = Norm(w.Zip(w0, (a, b) => a - b).Skip(network.OutputWeightsOffset));
            Assert.Equal(hidden, last.HiddenDistance, 1e-12);
            Assert.Equal(output, last.OutputDistance, 1e-12);
            Assert.Equal(Math.Sqrt(hidden * hidden + output * output), last.Distance, 1e-12);
            Assert.Equal(0, result.Records[0].Distance);
            Assert.True(double.IsNaN(last.NtkLambdaMax)); // interval 0: no kernel metrics
        }
    }

    [Fact]
    public void The_kernel_metrics_equal_those_of_an_explicit_J_Jt_at_the_same_iterate()
    {
        var (result, w0, w, network, data) = Train(interval: 3, iterations: 8);
        using (data)
        {
            using var a0 = ExplicitKernel(network, data.TrainX, w0);
            using var a = ExplicitKernel(network, data.TrainX, w);
            int n = (int)a.Rows;
            double[] values = new double[n];
            SymmetricEigen.Compute(a, 0, values);
            var last = result.Final;
            Assert.Equal(values[0], last.NtkLambdaMin, 1e-9 * values[^1]);
            Assert.Equal(values[^1], last.NtkLambdaMax, 1e-9 * values[^1]);
            Assert.Equal(values[^1] / values[0], last.NtkCondition, 1e-6 * last.NtkCondition);
            double trace = values.Where(v => v > n * 2.220446049250313e-16 * values[^1]).Sum(v => 1 / v);
            Assert.Equal(trace, last.NtkPseudoInverseTrace, 1e-6 * trace);
            double difference = 0, reference = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) { difference += Math.Pow(a[i, j] - a0[i, j], 2); reference += a0[i, j] * a0[i, j]; }
            Assert.Equal(Math.Sqrt(difference / reference), last.NtkDrift, 1e-9);
            Assert.Equal(0, result.Records[0].NtkDrift);
            // Measured at the start, every 3rd iteration and at the end only.
            Assert.All(result.Records, r => Assert.Equal(r.Iteration % 3 == 0 || r.Iteration == 8, !double.IsNaN(r.NtkLambdaMax)));
        }
    }

    [Fact]
    public void Alignment_is_one_inside_the_teacher_span_zero_outside_and_about_M_star_over_d_at_random()
    {
        using var data = TeacherStudent.Arbel(trainCount: 10, inputDimension: 4, testCount: 0, seed: 1);
        var network = new TwoLayerSilu(4, 3);
        double[] teacher = [1, 0, 0, 0, 0, 2, 0, 0, 3, 3, 0, 0]; // spans e₁, e₂ (the third row is dependent)
        double Alignment(double[] w) => Trainer.Train(network, data, w, new TrainingOptions
        {
            Method = TrainingMethod.GradientDescent, MaxIterations = 0, TeacherHiddenWeights = teacher,
        }).Records[0].TeacherAlignment;
        Assert.Equal(1, Alignment([1, 2, 0, 0, 0, -1, 0, 0, 5, 0, 0, 0, 0.1, 0.1, 0.1]), 1e-14);
        Assert.Equal(0, Alignment([0, 0, 1, 2, 0, 0, 0, -1, 0, 0, 3, 0, 0.1, 0.1, 0.1]), 1e-14);
        Assert.Equal(0.5, Alignment([1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0.1, 0.1, 0.1]), 1e-14);
    }

    [Fact]
    public void Teacher_weights_of_the_wrong_shape_are_refused_by_name()
    {
        using var data = TeacherStudent.Arbel(trainCount: 10, inputDimension: 4, testCount: 0, seed: 1);
        var network = new TwoLayerSilu(4, 3);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(network, data, new double[network.ParameterCount],
            new TrainingOptions { TeacherHiddenWeights = [1, 2, 3] }));
        Assert.Contains("TeacherHiddenWeights", e.Message);
        Assert.Contains("d = 4", e.Message);
    }

    private static DenseMatrix<double> ExplicitKernel(TwoLayerSilu network, DenseMatrix<double> x, double[] w)
    {
        using var linearization = network.CreateLinearization((int)x.Rows);
        linearization.Evaluate(x, w);
        using var j = new DenseMatrix<double>(x.Rows, network.ParameterCount);
        linearization.JacobianRows(0, j);
        var a = new DenseMatrix<double>(x.Rows, x.Rows);
        for (int r = 0; r < x.Rows; r++)
            for (int s = 0; s < x.Rows; s++)
            {
                double sum = 0;
                for (int p = 0; p < network.ParameterCount; p++) sum += j[r, p] * j[s, p];
                a[r, s] = sum;
            }
        return a;
    }

    private static double Norm(IEnumerable<double> v) => Math.Sqrt(v.Sum(x => x * x));
}
