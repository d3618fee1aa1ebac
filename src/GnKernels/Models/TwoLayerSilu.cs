using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>
/// The two-layer SiLU network f(x) = s·Σᵢ vᵢ·silu(uᵢ·x + bᵢ) with M hidden units, inputs of dimension d, an
/// optional bias b and s from <see cref="OutputScaling"/>. This type is only the shape; the state of one
/// evaluation (activations, Jacobian products, NTK) lives in <see cref="TwoLayerSiluLinearization"/>.
/// </summary>
/// <remarks>
/// <para><b>Parameter ordering</b>, used by every method that takes or returns a parameter vector w (and by the
/// columns of the Jacobian): w = [U, b, v], with U the M×d hidden weights row-major (uᵢ is w[i·d .. i·d + d)),
/// then b (M entries, only with a bias), then v (M entries). <see cref="ParameterCount"/> is M(d+1) without bias,
/// M(d+2) with.</para>
/// <para>Arbel et al.'s equation has no bias while their released code has one, hence the option.</para>
/// </remarks>
public sealed class TwoLayerSilu
{
    /// <summary>Describes a network; no memory is allocated.</summary>
    public TwoLayerSilu(int inputDimension, int width, bool hasBias = false, OutputScaling scaling = OutputScaling.MeanField)
    {
        if (inputDimension < 1)
            throw new ArgumentOutOfRangeException(nameof(inputDimension), inputDimension, "The input dimension d must be at least 1.");
        if (width < 1)
            throw new ArgumentOutOfRangeException(nameof(width), width, "The width M (hidden units) must be at least 1.");
        long parameters = (long)width * (inputDimension + (hasBias ? 2 : 1));
        if (parameters > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width),
                $"M = {width}, d = {inputDimension} gives {parameters:N0} parameters; a parameter span holds at most {Array.MaxLength:N0}.");
        InputDimension = inputDimension;
        Width = width;
        HasBias = hasBias;
        Scaling = scaling;
        Scale = scaling == OutputScaling.MeanField ? 1.0 / width : 1.0 / Math.Sqrt(width);
        ParameterCount = (int)parameters;
    }

    /// <summary>d, the input dimension.</summary>
    public int InputDimension { get; }

    /// <summary>M, the number of hidden units.</summary>
    public int Width { get; }

    /// <summary>Whether the hidden units have a bias b.</summary>
    public bool HasBias { get; }

    /// <summary>How the output is scaled.</summary>
    public OutputScaling Scaling { get; }

    /// <summary>The output factor s (1/M or 1/√M).</summary>
    public double Scale { get; }

    /// <summary>P, the length of a parameter vector: M(d+1), or M(d+2) with a bias.</summary>
    public int ParameterCount { get; }

    /// <summary>Where b starts in w (only meaningful with a bias).</summary>
    public int BiasOffset => Width * InputDimension;

    /// <summary>Where v starts in w.</summary>
    public int OutputWeightsOffset => Width * InputDimension + (HasBias ? Width : 0);

    /// <summary>The hidden weights U (M×d, row-major) inside w.</summary>
    public Span<double> HiddenWeights(Span<double> w) => CheckParameters(w)[..BiasOffset];

    /// <summary>The bias b inside w (empty without a bias).</summary>
    public Span<double> Bias(Span<double> w) => CheckParameters(w)[BiasOffset..OutputWeightsOffset];

    /// <summary>The output weights v inside w.</summary>
    public Span<double> OutputWeights(Span<double> w) => CheckParameters(w)[OutputWeightsOffset..];

    /// <summary>
    /// Allocates the buffers for evaluating this network on <paramref name="sampleCount"/> inputs: two N×M
    /// matrices (activations and derivatives) plus O(N·<paramref name="blockSize"/>) scratch; the NTK adds one
    /// N×N scratch the first time the hidden-layer term is needed.
    /// </summary>
    public TwoLayerSiluLinearization CreateLinearization(int sampleCount, int blockSize = TwoLayerSiluLinearization.DefaultBlockSize) =>
        new(this, sampleCount, blockSize);

    /// <summary>f = network(X) for any number of rows, in row blocks (memory O(rows per block · M)).</summary>
    public void Predict(DenseMatrix<double> x, ReadOnlySpan<double> w, Span<double> f)
    {
        using var predictor = new TwoLayerSiluPredictor(this);
        predictor.Predict(x, w, f);
    }

    /// <summary>A short description for logs, e.g. "M = 5000, d = 10, no bias, s = 1/M".</summary>
    public override string ToString() =>
        $"M = {Width}, d = {InputDimension}, {(HasBias ? "bias" : "no bias")}, s = {(Scaling == OutputScaling.MeanField ? "1/M" : "1/√M")}";

    internal Span<double> CheckParameters(Span<double> w)
    {
        CheckParameterLength(w, nameof(w));
        return w;
    }

    internal void CheckParameterLength(ReadOnlySpan<double> w, string name) =>
        Guard.Length(w.Length, ParameterCount, name, $"the parameter count P of the network ({this})");

    internal void CheckInputs(DenseMatrix<double> x, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.Cols != InputDimension)
            Guard.ThrowArgument(name, $"{name} is {x.Shape} but the network takes inputs of dimension d = {InputDimension}; {name} must be N×{InputDimension}.");
    }
}
