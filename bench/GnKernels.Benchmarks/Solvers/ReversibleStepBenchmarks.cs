using BenchmarkDotNet.Attributes;
using GnKernels.Benchmarks.Support;
using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Benchmarks.Solvers;

/// <summary>
/// One update of the reversible MLP that <c>gnk reversible</c> trains on the digits (d = 64, L = 2 blocks, H = 600,
/// k = 10 outputs, P = 76,928), at its mini-batch size B = 100 and its full-batch size B = 500: the exact block-wise
/// Gauss-Newton direction, an Adam step (gradient and update), and at B = 100 the explicit minimum-norm step
/// −J⁺·r (J formed row by row, (B·k)×P = 615 MB, then J·Jᵀ by DSYRK, its pseudo-inverse by dsyevr and Jᵀz):
/// what the block structure saves.
/// </summary>
[Config(typeof(BenchConfig))]
public class ReversibleStepBenchmarks
{
    private const int Features = 64, Blocks = 2, Hidden = 600, Outputs = 10;
    private ReversibleMlp _net = null!;
    private ReversibleGaussNewton _gn = null!;
    private Adam _adam = null!;
    private DenseMatrix<double> _x100 = null!, _y100 = null!, _x500 = null!, _y500 = null!, _jacobian = null!, _kernel = null!, _row = null!, _cotangent = null!, _outputs = null!;
    private double[] _w = null!, _adamW = null!, _update = null!, _residual = null!, _z = null!;

    [Params(2)] public int Threads;

    [GlobalSetup]
    public void Setup()
    {
        BlasThreads.Count = Threads;
        _net = new ReversibleMlp(Features, Blocks, Hidden, Outputs, HiddenActivation.Silu, seed: 0);
        _w = new double[_net.ParameterCount];
        _net.InitializeParameters(_w, 0);
        _adamW = (double[])_w.Clone();
        _update = new double[_net.ParameterCount];
        (_x100, _y100) = (Seeded.Uniform(100, Features, 1), Seeded.Uniform(100, Outputs, 2));
        (_x500, _y500) = (Seeded.Uniform(500, Features, 3), Seeded.Uniform(500, Outputs, 4));
        _gn = new ReversibleGaussNewton(_net);
        _adam = new Adam(_net.ParameterCount);
        _jacobian = new DenseMatrix<double>(100 * Outputs, _net.ParameterCount);
        _kernel = new DenseMatrix<double>(100 * Outputs, 100 * Outputs);
        (_row, _cotangent, _outputs) = (new DenseMatrix<double>(1, Features), new DenseMatrix<double>(1, Outputs), new DenseMatrix<double>(100, Outputs));
        (_residual, _z) = (new double[100 * Outputs], new double[100 * Outputs]);
    }

    [Benchmark(Baseline = true, Description = "exact GN direction, B = 100")]
    public double GaussNewton100() => _gn.Direction(_x100, _y100, _w, _update).Loss;

    [Benchmark(Description = "Adam step, B = 100")]
    public double Adam100() => AdamStep(_x100, _y100);

    [Benchmark(Description = "explicit −J⁺r step, B = 100")]
    public double Explicit100()
    {
        _net.Predict(_x100, _w, _outputs);
        System.Numerics.Tensors.TensorPrimitives.Subtract(_outputs.AsSpan(), _y100.AsSpan(), _residual);
        for (int b = 0; b < 100; b++)
        {
            _x100.Row(b).CopyTo(_row.Row(0));
            for (int o = 0; o < Outputs; o++)
            {
                _cotangent.Fill(0);
                _cotangent[0, o] = 1;
                _net.TransposedJacobianProduct(_row, _w, _cotangent, _jacobian.Row(b * Outputs + o));
            }
        }
        Blas.SyrkLower(1.0, _jacobian, Transpose.None, 0.0, _kernel);
        SymmetricPseudoInverse.Solve(_kernel, _residual, _z);
        Blas.Gemv(-1.0, _jacobian, Transpose.Transposed, _z, 0.0, _update);
        return _update[0];
    }

    [Benchmark(Description = "exact GN direction, B = 500")]
    public double GaussNewton500() => _gn.Direction(_x500, _y500, _w, _update).Loss;

    [Benchmark(Description = "Adam step, B = 500")]
    public double Adam500() => AdamStep(_x500, _y500);

    private double AdamStep(DenseMatrix<double> x, DenseMatrix<double> y)
    {
        _w.CopyTo(_adamW, 0); // every step from the same point: the benchmark must not train
        _adam.Reset();
        double loss = _net.Gradient(x, y, _adamW, _update);
        _adam.Step(_adamW, _update);
        return loss;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gn.Dispose();
        _net.Dispose();
        foreach (var m in new[] { _x100, _y100, _x500, _y500, _jacobian, _kernel, _row, _cotangent, _outputs }) m.Dispose();
    }
}
