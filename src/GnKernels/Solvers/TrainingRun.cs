using System.Diagnostics;
using System.Numerics.Tensors;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>The state of one <see cref="Trainer"/> call: buffers, the iteration loop and one step per method.</summary>
internal sealed class TrainingRun : IDisposable
{
    private const int MaxRejectionsPerIteration = 30;
    private const double RandomFeaturesCutoff = 1e-12;

    private readonly TwoLayerSilu _model;
    private readonly DenseMatrix<double> _x;
    private readonly DenseMatrix<double>? _testX;
    private readonly double[] _y, _testY, _w, _previous, _step, _residual, _scaled, _gradient, _fTrial, _fTest, _pScratch, _pScratch2;
    private readonly TrainingOptions _options;
    private readonly TwoLayerSiluLinearization _lin;
    private readonly TwoLayerSiluPredictor _predictor;
    private readonly int _n;
    private GaussNewtonSystem? _system;
    private SmallestEigenvalue? _eigen;
    private NielsenDamping? _nielsen;
    private double _gdStep = double.NaN;
    private long _start;

    public TrainingRun(TwoLayerSilu model, DenseMatrix<double> x, double[] y, DenseMatrix<double>? testX, double[] testY, double[] w, TrainingOptions options)
    {
        (_model, _x, _y, _testX, _testY, _w, _options) = (model, x, y, testX, testY, w, options);
        _n = (int)x.Rows;
        int p = model.ParameterCount;
        _previous = new double[p];
        _step = new double[p];
        _pScratch = new double[p];
        _pScratch2 = new double[p];
        _gradient = new double[p];
        _residual = new double[_n];
        _scaled = new double[_n];
        _fTrial = new double[_n];
        _fTest = new double[testY.Length];
        _lin = model.CreateLinearization(_n);
        _predictor = new TwoLayerSiluPredictor(model);
    }

    public ReadOnlySpan<double> Parameters => _w;

    public TrainingResult Execute()
    {
        _start = Stopwatch.GetTimestamp();
        var records = new List<IterationRecord>();
        long t = Stopwatch.GetTimestamp();
        double loss = EvaluateTrain();
        records.Add(new IterationRecord { Iteration = 0, TrainLoss = loss, TestLoss = TestLoss(), ForwardSeconds = Seconds(t), ElapsedSeconds = Seconds(_start) });
        double target = _options.RelativeTolerance * loss;

        for (int k = 1; ; k++)
        {
            if (loss <= target) return Finish(records, TrainingStatus.Converged, $"loss ≤ {_options.RelativeTolerance:G3} × initial loss.");
            if (k > _options.MaxIterations) return Finish(records, TrainingStatus.MaxIterations, $"iteration limit {_options.MaxIterations} reached.");
            if (Stopwatch.GetElapsedTime(_start) > _options.MaxTime) return Finish(records, TrainingStatus.MaxTime, $"time limit {_options.MaxTime} reached.");
            if (_options.Method == TrainingMethod.RandomFeatures && k > 2)
                return Finish(records, TrainingStatus.MaxIterations, "random features: the minimum-norm solution and one refinement are done; the features cannot fit the data further.");

            _w.CopyTo(_previous, 0);
            IterationRecord? record;
            try
            {
                record = _options.Method switch
                {
                    TrainingMethod.GaussNewton => GaussNewtonStep(k, loss),
                    TrainingMethod.LevenbergMarquardt => LevenbergMarquardtStep(k, loss),
                    TrainingMethod.GradientDescent => GradientDescentStep(k),
                    TrainingMethod.RandomFeatures => RandomFeaturesStep(k),
                    TrainingMethod.GgnScore => GgnScoreStep(k, loss),
                    _ => throw new ArgumentOutOfRangeException(nameof(_options.Method), _options.Method, "Unknown training method."),
                };
            }
            catch (NotSolvableException e)
            {
                _previous.CopyTo(_w, 0);
                return Finish(records, TrainingStatus.NotSolvable, e.Message, failed: k);
            }

            long tf = Stopwatch.GetTimestamp();
            loss = EvaluateTrain();
            if (!double.IsFinite(loss))
            {
                _previous.CopyTo(_w, 0);
                EvaluateTrain();
                return Finish(records, TrainingStatus.Diverged,
                    $"the training loss became {loss} at iteration {k}; the weights are those before it. Try a smaller learning rate.", failed: k);
            }
            bool testNow = k % _options.TestInterval == 0;
            record = record with
            {
                TrainLoss = loss,
                TestLoss = testNow ? TestLoss() : double.NaN,
                ForwardSeconds = record.ForwardSeconds + Seconds(tf),
                ElapsedSeconds = Seconds(_start),
            };
            records.Add(record);
            if (_options.OnIteration is { } callback && !callback(record))
                return Finish(records, TrainingStatus.Stopped, "stopped by the iteration callback.");
        }
    }

    public void Dispose()
    {
        _lin.Dispose();
        _predictor.Dispose();
        _system?.Dispose();
    }

    // GN (Arbel): w ← w − λ·Jᵀ(A + εI)⁻¹·(f − y)/N with ε = max(ε₀, λ_min(A)) unless fixed.
    private IterationRecord GaussNewtonStep(int k, double loss)
    {
        var system = System();
        long t = Stopwatch.GetTimestamp();
        system.Assemble(_lin);
        double gradientNorm = GradientNorm(system);
        double ntk = Seconds(t);

        t = Stopwatch.GetTimestamp();
        double lambdaMin = double.NaN, epsilon;
        if (_options.FixedDamping is { } fixedDamping) epsilon = fixedDamping;
        else
        {
            if (system.Factorization.TryFactor(_options.DampingFloor, out _))
                lambdaMin = (_eigen ??= new SmallestEigenvalue((int)system.Matrix.Rows)).Estimate(system.Factorization, enoughBelow: _options.DampingFloor);
            epsilon = double.IsNaN(lambdaMin) ? _options.DampingFloor : ArbelDamping.Choose(lambdaMin, _options.DampingFloor);
        }
        double factor = Seconds(t);

        t = Stopwatch.GetTimestamp();
        TensorPrimitives.Divide(_residual, _n, _scaled);
        var diagnostics = Solve(system, epsilon, _scaled, k);
        double rcond = _options.EstimateCondition ? system.ReciprocalCondition() : double.NaN;
        double solve = Seconds(t);

        double lambda = _options.LearningRate ?? 10;
        t = Stopwatch.GetTimestamp();
        TensorPrimitives.MultiplyAdd(_step, lambda, _w, _w);
        return new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, StepNorm = lambda * TensorPrimitives.Norm<double>(_step),
            Damping = diagnostics.Damping, LambdaMin = lambdaMin, ReciprocalCondition = rcond, StepSize = lambda,
            Retries = diagnostics.Retries, NtkSeconds = ntk, FactorSeconds = factor, SolveSeconds = solve, UpdateSeconds = Seconds(t),
        };
    }

    // LM (Nielsen) on the raw residual: ρ = actual / predicted reduction of ½‖r‖²; rejected trials do not move w and
    // re-solve with the same assembled matrix.
    private IterationRecord LevenbergMarquardtStep(int k, double loss)
    {
        var system = System();
        long t = Stopwatch.GetTimestamp();
        system.Assemble(_lin);
        double ntk = Seconds(t);
        _nielsen ??= new NielsenDamping(_options.InitialDampingScale * Math.Max(system.MaxDiagonal(), 1e-300));

        double factorSolve = 0, forward = 0, gradientNorm = GradientNorm(system);
        int retries = 0;
        for (int attempt = 0; ; attempt++)
        {
            t = Stopwatch.GetTimestamp();
            var diagnostics = Solve(system, _nielsen.Mu, _residual, k);
            factorSolve += Seconds(t);
            retries += diagnostics.Retries;

            t = Stopwatch.GetTimestamp();
            TensorPrimitives.Add(_w, _step, _pScratch);
            double trial = Loss(_x, _pScratch, _y, _fTrial);
            forward += Seconds(t);
            double rho = _n * (loss - trial) / diagnostics.PredictedReduction;
            double mu = diagnostics.Damping;
            if (_nielsen.Update(rho))
            {
                _pScratch.CopyTo(_w, 0);
                return new IterationRecord
                {
                    Iteration = k, GradientNorm = gradientNorm, StepNorm = TensorPrimitives.Norm<double>(_step), Damping = mu,
                    Retries = retries, StepSize = 1, NtkSeconds = ntk, SolveSeconds = factorSolve, ForwardSeconds = forward,
                };
            }
            retries++;
            if (attempt == MaxRejectionsPerIteration)
                return new IterationRecord
                {
                    Iteration = k, GradientNorm = gradientNorm, StepNorm = 0, Damping = mu, Accepted = false,
                    Retries = retries, NtkSeconds = ntk, SolveSeconds = factorSolve, ForwardSeconds = forward,
                };
        }
    }

    // GD: w ← w − η·∇L with η = λ/L̂, L̂ = λ_max(JJᵀ)/N at the start (normalized), or η = λ (literal).
    private IterationRecord GradientDescentStep(int k)
    {
        long t = Stopwatch.GetTimestamp();
        if (double.IsNaN(_gdStep))
            _gdStep = _options.GradientDescentStep == GradientStepRule.Literal
                ? _options.LearningRate ?? 10
                : (_options.LearningRate ?? 1) * _n / LargestNtkEigenvalue();
        double gradientNorm = GradientNorm();
        TensorPrimitives.MultiplyAdd(_gradient, -_gdStep, _w, _w);
        return new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, StepNorm = _gdStep * gradientNorm, StepSize = _gdStep, SolveSeconds = Seconds(t),
        };
    }

    // RF: hidden layer frozen; Δv = −J_vᵀ·K⁺·r with K = J_v·J_vᵀ = s²ΦΦᵀ, pseudo-inverse by eigenvalues above a
    // relative cutoff: the minimum-norm correction of the output layer.
    private IterationRecord RandomFeaturesStep(int k)
    {
        long t = Stopwatch.GetTimestamp();
        double s = _model.Scale;
        using var kernel = new DenseMatrix<double>(_n, _n);
        Blas.SyrkLower(s * s, _lin.Activations, Transpose.None, 0.0, kernel);
        double ntk = Seconds(t);

        t = Stopwatch.GetTimestamp();
        var values = new double[_n];
        using var vectors = new DenseMatrix<double>(_n, _n);
        SymmetricEigen.Compute(kernel, 0, values, vectors);
        double cutoff = RandomFeaturesCutoff * values[^1];
        double factor = Seconds(t);

        t = Stopwatch.GetTimestamp();
        // K⁺r = Σ_{λ > cutoff} q·(qᵀr)/λ with the eigenvectors as rows of `vectors`.
        Array.Clear(_scaled);
        int rank = 0;
        for (int i = 0; i < _n; i++)
        {
            if (values[i] <= cutoff) continue;
            rank++;
            ReadOnlySpan<double> q = vectors.Row(i);
            TensorPrimitives.MultiplyAdd(q, TensorPrimitives.Dot(q, _residual) / values[i], _scaled, _scaled);
        }
        Span<double> v = _model.OutputWeights(_w);
        Blas.Gemv(-s, _lin.Activations, Transpose.Transposed, _scaled, 1.0, v);
        return new IterationRecord { Iteration = k, NtkSeconds = ntk, FactorSeconds = factor, SolveSeconds = Seconds(t), Damping = cutoff, LambdaMin = values[0], StepSize = rank };
    }

    // GGN-SCORE (Adeoye et al.) with the pseudo-Huber h(t) = √(μ² + t²) − μ.
    private IterationRecord GgnScoreStep(int k, double loss)
    {
        var system = System(StepForm.Kernel);
        double tau = _options.GgnTau, mu = _options.GgnMu ?? Math.Sqrt(_model.Width);
        long t = Stopwatch.GetTimestamp();
        Span<double> hInverse = _pScratch, dh = _pScratch2;
        double etaSquared = 0;
        for (int i = 0; i < _w.Length; i++)
        {
            double r2 = mu * mu + _w[i] * _w[i], root = Math.Sqrt(r2);
            double h1 = _w[i] / root, h2 = mu * mu / (r2 * root);
            dh[i] = h1;
            hInverse[i] = 1 / (_options.GgnTextbookMetric ? tau * h2 : h2);
            etaSquared += h1 * h1 / h2;
        }
        system.Assemble(_lin, hInverse);
        double ntk = Seconds(t);

        t = Stopwatch.GetTimestamp();
        // b = K⁻¹[(f − y) − τ·J·H⁻¹·∇h], K = J·H⁻¹·Jᵀ + N·I; d = −H⁻¹(Jᵀb + τ∇h).
        TensorPrimitives.Multiply(hInverse, dh, _gradient);          // q = H⁻¹∇h (gradient buffer as scratch)
        _lin.Multiply(_gradient, _scaled);                            // J·q
        TensorPrimitives.MultiplyAdd(_scaled, -tau, _residual, _scaled);
        var diagnostics = Solve(system, _n, _scaled, k);              // _step = −H⁻¹Jᵀb
        TensorPrimitives.MultiplyAdd(_gradient, -tau, _step, _step);
        double solve = Seconds(t);

        double eta = tau * Math.Sqrt(etaSquared);
        double mg = 2 * Math.Pow(_w.Length, 0.2) * Math.Pow(mu, -0.7);
        double alpha = Math.Min(1, Math.Min(1 / loss, 1) / (1 + mg * eta));
        double gradientNorm = GradientNorm();
        t = Stopwatch.GetTimestamp();
        TensorPrimitives.MultiplyAdd(_step, alpha, _w, _w);
        return new IterationRecord
        {
            Iteration = k, GradientNorm = gradientNorm, StepNorm = alpha * TensorPrimitives.Norm<double>(_step), Damping = diagnostics.Damping,
            StepSize = alpha, Retries = diagnostics.Retries, NtkSeconds = ntk, SolveSeconds = solve, UpdateSeconds = Seconds(t),
        };
    }

    private GaussNewtonSystem System(StepForm? form = null) =>
        _system ??= new GaussNewtonSystem(_n, _model.ParameterCount, form ?? _options.Form, _options.EstimateCondition);

    private StepDiagnostics Solve(GaussNewtonSystem system, double damping, ReadOnlySpan<double> rhs, int k)
    {
        if (!system.TrySolve(damping, rhs, _step, out var diagnostics))
            throw new NotSolvableException(
                $"iteration {k}: the {system.Form} system stayed indefinite after {diagnostics.Retries} damping increases (last ε = {diagnostics.Damping:G3}).");
        return diagnostics;
    }

    /// <summary>Forward pass at w on the training set; residual r = f − y; returns L.</summary>
    private double EvaluateTrain()
    {
        if (!TensorPrimitives.IsFiniteAll<double>(_w)) return double.NaN;
        _lin.Evaluate(_x, _w);
        TensorPrimitives.Subtract(_lin.Output, _y, _residual);
        return 0.5 * TensorPrimitives.Dot<double>(_residual, _residual) / _n;
    }

    private double TestLoss() => _testX is null ? double.NaN : Loss(_testX, _w, _testY, _fTest);

    private double Loss(DenseMatrix<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> y, Span<double> f)
    {
        if (!TensorPrimitives.IsFiniteAll(w)) return double.NaN;
        _predictor.Predict(x, w, f);
        TensorPrimitives.Subtract(f, y, f);
        return 0.5 * TensorPrimitives.Dot(f, f) / y.Length;
    }

    /// <summary>‖∇L‖ with ∇L = Jᵀr/N left in the gradient buffer.</summary>
    private double GradientNorm()
    {
        _lin.MultiplyTransposed(_residual, _gradient);
        TensorPrimitives.Divide(_gradient, _n, _gradient);
        return TensorPrimitives.Norm<double>(_gradient);
    }

    /// <summary>
    /// ‖∇L‖ = ‖Jᵀr‖/N from the just-assembled kernel-form matrix A = JJᵀ as √(rᵀAr)/N: O(N²) instead of another
    /// pass over the N×M Jacobian blocks (rounding is relative to λ_max/λ_min·Nε, ample for a diagnostic).
    /// </summary>
    private double GradientNorm(GaussNewtonSystem system)
    {
        if (system.Form != StepForm.Kernel) return GradientNorm();
        Blas.SymvLower(1.0, system.Matrix, _residual, 0.0, _fTrial);
        return Math.Sqrt(Math.Max(TensorPrimitives.Dot<double>(_residual, _fTrial), 0)) / _n;
    }

    /// <summary>λ_max(JJᵀ) by power iteration on JᵀJ with matrix-free products (30 steps suffice for a step size).</summary>
    private double LargestNtkEigenvalue()
    {
        var rng = new Random(7);
        Span<double> v = _pScratch;
        for (int i = 0; i < v.Length; i++) v[i] = rng.NextDouble() - 0.5;
        double lambda = 0;
        for (int it = 0; it < 30; it++)
        {
            TensorPrimitives.Divide(v, TensorPrimitives.Norm<double>(v), v);
            _lin.Multiply(v, _scaled);
            _lin.MultiplyTransposed(_scaled, v);
            lambda = TensorPrimitives.Norm<double>(v);
        }
        return Math.Max(lambda, double.Epsilon);
    }

    private TrainingResult Finish(List<IterationRecord> records, TrainingStatus status, string message, int failed = -1)
    {
        if (records.Count > 1 && double.IsNaN(records[^1].TestLoss) && _testX is not null)
            records[^1] = records[^1] with { TestLoss = TestLoss() };
        return new TrainingResult(_options.Method, status, records, failed, message);
    }

    private static double Seconds(long since) => Stopwatch.GetElapsedTime(since).TotalSeconds;
}
