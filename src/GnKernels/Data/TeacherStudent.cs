using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Data;

/// <summary>
/// Seeded teacher-student data and student initializations from the papers. Every number depends only on the
/// arguments and the seed (System.Random with a seed is a fixed algorithm), never on threads or timing.
/// </summary>
public static class TeacherStudent
{
    /// <summary>
    /// Arbel et al. (2023): x ~ N(0, I_d); teacher f*(x) = (1/M*)·Σ v*ᵢ·silu(u*ᵢ·x) with M* units and all
    /// parameters ~ N(0, 1); <paramref name="testCount"/> test points from the same distribution.
    /// </summary>
    public static SyntheticDataset Arbel(int trainCount, int inputDimension = 10, int teacherWidth = 5, int testCount = 10_000, int seed = 0)
    {
        CheckCounts(trainCount, testCount, inputDimension, teacherWidth);
        var rng = new Random(seed);
        var teacher = new TwoLayerSilu(inputDimension, teacherWidth);
        double[] wStar = Gaussian(rng, teacher.ParameterCount, 1.0);
        return Make(teacher, wStar, trainCount, testCount, inputDimension, rng, sphere: false,
            $"Arbel teacher-student: x ~ N(0, I_{inputDimension}), teacher M* = {teacherWidth} with N(0,1) weights and 1/M*, seed {seed}");
    }

    /// <summary>
    /// The GGN-SCORE authors' variant: inputs uniform on the unit sphere of dimension n₀; a teacher with
    /// <paramref name="teacherWidth"/> unit-norm hidden vectors and ±1 output weights, without 1/M*.
    /// </summary>
    public static SyntheticDataset Sphere(int trainCount, int inputDimension = 5, int teacherWidth = 5, int testCount = 1000, int seed = 0)
    {
        CheckCounts(trainCount, testCount, inputDimension, teacherWidth);
        var rng = new Random(seed);
        var teacher = new TwoLayerSilu(inputDimension, teacherWidth);
        double[] wStar = new double[teacher.ParameterCount];
        for (int i = 0; i < teacherWidth; i++)
        {
            Span<double> u = wStar.AsSpan(i * inputDimension, inputDimension);
            Gaussian(rng, u, 1.0);
            Normalize(u);
            wStar[teacher.OutputWeightsOffset + i] = teacherWidth * (rng.Next(2) == 0 ? -1.0 : 1.0); // cancels s = 1/M*
        }
        return Make(teacher, wStar, trainCount, testCount, inputDimension, rng, sphere: true,
            $"sphere teacher-student: x uniform on S^{inputDimension - 1}, teacher M* = {teacherWidth} unit vectors, ±1 outputs, seed {seed}");
    }

    /// <summary>
    /// A student's initial parameters: hidden weights (and bias) ~ N(0, τ₀²), output weights ~ N(0, σ_v²)
    /// (σ_v = 0, the papers' choice, gives v = 0).
    /// </summary>
    public static double[] InitialParameters(TwoLayerSilu student, double tau0, int seed, double outputStd = 0)
    {
        ArgumentNullException.ThrowIfNull(student);
        if (!(tau0 > 0) || double.IsInfinity(tau0)) throw new ArgumentOutOfRangeException(nameof(tau0), tau0, "τ₀ must be finite and > 0.");
        if (!(outputStd >= 0)) throw new ArgumentOutOfRangeException(nameof(outputStd), outputStd, "The output weights' std must be ≥ 0.");
        var rng = new Random(seed);
        double[] w = new double[student.ParameterCount];
        Gaussian(rng, w.AsSpan(0, student.OutputWeightsOffset), tau0);
        Gaussian(rng, student.OutputWeights(w), outputStd);
        return w;
    }

    private static SyntheticDataset Make(TwoLayerSilu teacher, double[] wStar, int trainCount, int testCount, int d, Random rng, bool sphere, string description)
    {
        var trainX = Inputs(trainCount, d, rng, sphere);
        var testX = Inputs(testCount, d, rng, sphere);
        double[] trainY = new double[trainCount], testY = new double[testCount];
        teacher.Predict(trainX, wStar, trainY);
        if (testCount > 0) teacher.Predict(testX, wStar, testY);
        return new SyntheticDataset(trainX, trainY, testX, testY, description) { TeacherHiddenWeights = wStar[..teacher.BiasOffset] };
    }

    private static DenseMatrix<double> Inputs(int count, int d, Random rng, bool sphere)
    {
        var x = new DenseMatrix<double>(count, d);
        for (int n = 0; n < count; n++)
        {
            Gaussian(rng, x.Row(n), 1.0);
            if (sphere) Normalize(x.Row(n));
        }
        return x;
    }

    private static double[] Gaussian(Random rng, int count, double std)
    {
        var a = new double[count];
        Gaussian(rng, a, std);
        return a;
    }

    private static void Gaussian(Random rng, Span<double> destination, double std) => GnKernels.Gaussian.Fill(rng, destination, std);

    private static void Normalize(Span<double> v)
    {
        double norm = System.Numerics.Tensors.TensorPrimitives.Norm<double>(v);
        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
    }

    private static void CheckCounts(int trainCount, int testCount, int d, int teacherWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(testCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(d, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(teacherWidth, 1);
    }
}
