using GnKernels.Models;

namespace GnKernels.Tests.Models;

/// <summary>
/// The two-layer network written out in plain loops with Math.Exp, independent of the library's SiLU kernels and
/// BLAS: the reference the Models tests check against.
/// </summary>
internal sealed class NetworkReference(TwoLayerSilu model, double[,] x, double[] w)
{
    private int N => x.GetLength(0);
    private int M => model.Width;
    private int D => model.InputDimension;

    public static double Silu(double z) => z / (1 + Math.Exp(-z));

    public static double SiluDerivative(double z)
    {
        double sigma = 1 / (1 + Math.Exp(-z));
        return sigma * (1 + z * (1 - sigma));
    }

    public double PreActivation(double[] w, int n, int i)
    {
        double z = model.HasBias ? w[model.BiasOffset + i] : 0;
        for (int j = 0; j < D; j++) z += w[i * D + j] * x[n, j];
        return z;
    }

    public double[] Output(double[] parameters)
    {
        var f = new double[N];
        for (int n = 0; n < N; n++)
            for (int i = 0; i < M; i++) f[n] += model.Scale * parameters[model.OutputWeightsOffset + i] * Silu(PreActivation(parameters, n, i));
        return f;
    }

    /// <summary>J (N×P) from the closed-form partial derivatives.</summary>
    public double[,] Jacobian()
    {
        var j = new double[N, model.ParameterCount];
        double s = model.Scale;
        for (int n = 0; n < N; n++)
            for (int i = 0; i < M; i++)
            {
                double z = PreActivation(w, n, i), v = w[model.OutputWeightsOffset + i];
                for (int k = 0; k < D; k++) j[n, i * D + k] = s * v * SiluDerivative(z) * x[n, k];
                if (model.HasBias) j[n, model.BiasOffset + i] = s * v * SiluDerivative(z);
                j[n, model.OutputWeightsOffset + i] = s * Silu(z);
            }
        return j;
    }

    /// <summary>J by central differences of <see cref="Output"/>.</summary>
    public double[,] FiniteDifferenceJacobian()
    {
        var j = new double[N, model.ParameterCount];
        for (int p = 0; p < model.ParameterCount; p++)
        {
            double h = 1e-5 * Math.Max(1, Math.Abs(w[p]));
            var plus = (double[])w.Clone();
            var minus = (double[])w.Clone();
            plus[p] += h;
            minus[p] -= h;
            double[] fp = Output(plus), fm = Output(minus);
            for (int n = 0; n < N; n++) j[n, p] = (fp[n] - fm[n]) / (2 * h);
        }
        return j;
    }
}
