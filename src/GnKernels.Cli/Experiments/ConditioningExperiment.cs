using GnKernels.Linalg;
using GnKernels.Models;
using GnKernels.Solvers;
using MathNet.Numerics.Distributions;

namespace GnKernels.Cli.Experiments;

/// <summary>One problem of the family: its Gram matrix's condition number at the start and each method's run.</summary>
internal sealed record ConditioningRun(double Spread, int Seed, double Kappa, TrainingMethod Method, TrainingStatus Status, int Iterations, double Seconds);

/// <summary>
/// Cayci's claim, tested: in the under-parameterized regime (P &lt; N) the Gauss-Newton flow converges at a rate
/// independent of the conditioning of the Gram matrix JᵀJ, while gradient descent's rate degrades with it. A family of
/// realizable problems with controlled conditioning: inputs x ~ N(0, diag(σⱼ²)) with σⱼ = spread^(−j/(d−1)), so that
/// the input covariance — and with it JᵀJ — grows more ill-conditioned with the spread; targets from a teacher of the
/// student's own architecture (the in-class optimum has zero loss) whose hidden vectors are orthonormal and output
/// weights ±1 (times M, cancelling s = 1/M), so that at spread 1 nothing but the network itself conditions JᵀJ; the
/// student starts at the teacher perturbed by N(0, perturbation²) per parameter. GN takes the discretized flow's step
/// w ← w − h·(JᵀJ + εI)⁻¹Jᵀr (parameter form) with ε = 10⁻³·λ_min(JᵀJ) at the start, so that damping changes no
/// direction's rate by more than 0.1%; GD the step 1/L̂ with L̂ = λ_max(JᵀJ)/N at the start. Both run to the same
/// relative loss.
/// Over-parameterized (P &gt; N): the same family, κ of the NTK A = JJᵀ (N×N), and GN in the kernel form as
/// Levenberg-Marquardt dynamics with the damping schedule ρₖ = max(λ_max(A₀)·2^(1−k), 10⁻³·λ_min(A₀)): gradient-like
/// steps first, the GN flow once ρ is negligible, so its count grows with log κ only.
/// </summary>
internal sealed record ConditioningExperiment
{
    public bool Overparameterized { get; init; }
    public required IReadOnlyList<double> Spreads { get; init; }
    public required int N { get; init; }
    public required int M { get; init; }
    public required int D { get; init; }
    public required int Seeds { get; init; }
    public required double Perturbation { get; init; }
    public required double GaussNewtonStep { get; init; }
    public required double Tolerance { get; init; }
    public required int MaxIterations { get; init; }
    public required double MaxSeconds { get; init; }

    public int ParameterCount => M * D + M;

    // The teacher's hidden vectors have this norm. JᵀJ is nearly singular at both ends: near 0 SiLU is almost linear
    // (every unit's columns nearly alike), far out almost homogeneous (scaling uᵢ up and vᵢ down barely changes f);
    // unit norm is near the best conditioned (κ ≈ 10⁴ at spread 1 here, against 3·10⁶ at norm 3).
    private const double HiddenNorm = 1;

    public string? Validate()
    {
        if (Spreads.Count == 0 || Spreads.Any(s => !(s >= 1 && s <= 1e6))) return "--spreads takes values in [1, 1e6] (1: isotropic inputs).";
        if (D < 2) return $"--d must be at least 2 (the spread scales d coordinates); got {D}.";
        if (M < 1) return $"--m must be at least 1; got {M}.";
        if (!Overparameterized && ParameterCount >= N) return $"the under-parameterized regime needs P = M·(d + 1) = {ParameterCount} below N = {N}; lower --m or raise --n.";
        if (Overparameterized && ParameterCount <= N) return $"the over-parameterized regime needs P = M·(d + 1) = {ParameterCount} above N = {N}; raise --m or lower --n.";
        if (Seeds < 1 || Seeds > 1000) return $"--seeds must lie in 1…1000; got {Seeds}.";
        if (!(Perturbation > 0 && Perturbation <= 10)) return $"--perturbation must lie in (0, 10]; got {Perturbation}.";
        if (!(GaussNewtonStep > 0 && GaussNewtonStep <= 1)) return $"--gn-step must lie in (0, 1] (1: the full GN step); got {GaussNewtonStep}.";
        if (!(Tolerance > 0 && Tolerance < 1)) return $"--tol must lie in (0, 1); got {Tolerance}.";
        if (MaxIterations < 1) return $"--max-iter must be at least 1; got {MaxIterations}.";
        if (!(MaxSeconds > 0 && MaxSeconds <= 86_400)) return $"--max-time must lie in (0, 86400] seconds; got {MaxSeconds}.";
        return null;
    }

    /// <summary>GN and GD on one problem of the family.</summary>
    public IEnumerable<ConditioningRun> Run(double spread, int seed, Func<bool> stop)
    {
        var network = new TwoLayerSilu(D, M);
        var rng = new Random(seed);
        double[] teacher = Teacher(network, rng);
        using var x = new DenseMatrix<double>(N, D);
        double[] scales = Enumerable.Range(0, D).Select(j => Math.Pow(spread, -(double)j / (D - 1))).ToArray();
        var normal = Normal.Samples(rng, 0, 1).GetEnumerator();
        for (int i = 0; i < N; i++)
            for (int j = 0; j < D; j++) { normal.MoveNext(); x[i, j] = scales[j] * normal.Current; }
        double[] y = new double[N];
        network.Predict(x, teacher, y);
        double[] start = teacher.Zip(Normal.Samples(rng, 0, Perturbation), (t, e) => t + e).ToArray();

        using var model = new TwoLayerSiluRegression(network, x, y);
        var (lambdaMin, lambdaMax) = Extremes(model, start);
        double kappa = lambdaMin > 0 ? lambdaMax / lambdaMin : double.PositiveInfinity;
        foreach (var method in new[] { TrainingMethod.GaussNewton, TrainingMethod.GradientDescent })
        {
            if (stop()) yield break;
            double[] w = (double[])start.Clone();
            var result = Trainer.Train(model, w, new TrainingOptions
            {
                Method = method, Form = Overparameterized ? StepForm.Kernel : StepForm.Parameter, GaussNewtonStep = GaussNewtonStepRule.Fixed,
                DampingSchedule = Overparameterized
                    ? k => Math.Max(lambdaMax * Math.Pow(2, 1 - k), 1e-3 * lambdaMin)
                    : _ => 1e-3 * lambdaMin,
                LearningRate = method == TrainingMethod.GaussNewton ? GaussNewtonStep * N : 1,
                GradientDescentStep = GradientStepRule.Normalized, RelativeTolerance = Tolerance,
                MaxIterations = MaxIterations, MaxTime = TimeSpan.FromSeconds(MaxSeconds),
                FunctionTolerance = 0, StepTolerance = 0, GradientTolerance = 0,
                OnIteration = (_, _, _) => stop() ? IterationDecision.Stop : IterationDecision.Continue,
            });
            yield return new ConditioningRun(spread, seed, kappa, method, result.Status, result.Iterations, result.Final.ElapsedSeconds);
        }
    }

    /// <summary>Orthonormal hidden vectors (Gram-Schmidt of Gaussians; M ≤ d of them, else Gaussian of norm 1) and ±M outputs.</summary>
    private double[] Teacher(TwoLayerSilu network, Random rng)
    {
        double[] w = new double[ParameterCount];
        var normal = Normal.Samples(rng, 0, 1).GetEnumerator();
        for (int i = 0; i < M; i++)
        {
            var u = w.AsSpan(i * D, D);
            for (int j = 0; j < D; j++) { normal.MoveNext(); u[j] = normal.Current; }
            for (int k = 0; k < Math.Min(i, D - 1); k++)
            {
                var previous = w.AsSpan(k * D, D);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(previous, -System.Numerics.Tensors.TensorPrimitives.Dot<double>(u, previous), u, u);
            }
            System.Numerics.Tensors.TensorPrimitives.Multiply(u, HiddenNorm / System.Numerics.Tensors.TensorPrimitives.Norm<double>(u), u);
            w[network.OutputWeightsOffset + i] = M * (rng.Next(2) == 0 ? -1.0 : 1.0);
        }
        return w;
    }

    /// <summary>λ_min and λ_max at w of JᵀJ (P×P), or of the NTK JJᵀ (N×N) when over-parameterized.</summary>
    private (double Min, double Max) Extremes(TwoLayerSiluRegression model, double[] w)
    {
        double[] residual = new double[N];
        var jacobian = model.Linearize(w, residual);
        int size = Overparameterized ? N : ParameterCount;
        using var gram = new DenseMatrix<double>(size, size);
        if (Overparameterized) jacobian.Ntk(gram); else jacobian.ParameterGram(gram);
        double[] values = new double[size];
        SymmetricEigen.Compute(gram, 0, values);
        return (values[0], values[^1]);
    }
}
