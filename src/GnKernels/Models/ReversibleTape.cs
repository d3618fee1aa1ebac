using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// What a <see cref="ReversibleMlp"/> keeps of a batch of B samples: the halves s₀…s_{2L+1}, each half-layer's
/// activations [act(s·C); 1] and derivatives [act′(s·C); 0] (B×(H+1)), tangents or cotangents per half, and the
/// features, outputs and residual. 2L·B·(2H+2) + (4L+4)·B·h + B·(d + 2k) doubles.
/// </summary>
internal sealed class ReversibleTape : IDisposable
{
    public ReversibleTape(int rows, ReversibleMlp network)
    {
        Rows = rows;
        int halves = network.HalfLayers + 2, width = network.Hidden + 1;
        Halves = Make(halves, rows, network.Half);
        Tangents = Make(halves, rows, network.Half);
        Activations = Make(network.HalfLayers, rows, width);
        Derivatives = Make(network.HalfLayers, rows, width);
        Scratch = new DenseMatrix<double>(rows, width);
        Features = new DenseMatrix<double>(rows, network.Features);
        Outputs = new DenseMatrix<double>(rows, network.Outputs);
        Residual = new DenseMatrix<double>(rows, network.Outputs);
    }

    public int Rows { get; }
    public DenseMatrix<double>[] Halves { get; }
    public DenseMatrix<double>[] Tangents { get; }
    public DenseMatrix<double>[] Activations { get; }
    public DenseMatrix<double>[] Derivatives { get; }
    public DenseMatrix<double> Scratch { get; }
    public DenseMatrix<double> Features { get; }
    public DenseMatrix<double> Outputs { get; }
    public DenseMatrix<double> Residual { get; }

    private static DenseMatrix<double>[] Make(int count, int rows, int cols)
    {
        var m = new DenseMatrix<double>[count];
        for (int i = 0; i < count; i++) m[i] = new DenseMatrix<double>(rows, cols);
        return m;
    }

    public void Dispose()
    {
        foreach (var group in new[] { Halves, Tangents, Activations, Derivatives })
            foreach (var m in group) m.Dispose();
        Scratch.Dispose();
        Features.Dispose();
        Outputs.Dispose();
        Residual.Dispose();
    }
}
