using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// Trains any <see cref="ITrainableModel"/> on the squared loss L = ‖f(w) − y‖²/(2N) with one of the
/// <see cref="TrainingMethod"/>s, recording every iteration. Buffers are allocated once per run.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/>, updating <paramref name="w"/> in place; <paramref name="test"/> (the same
    /// model on held-out data, optional) gives the test loss.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range, or the initial loss is not finite.</exception>
    public static TrainingResult Train(ITrainableModel model, Span<double> w, TrainingOptions? options = null, ITrainableModel? test = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Guard.Length(w.Length, model.ParameterCount, nameof(w), $"the model's P = {model.ParameterCount} parameters");
        Guard.Finite<double>(w, nameof(w));
        if (test is not null && test.ParameterCount != model.ParameterCount)
            Guard.ThrowArgument(nameof(test), $"the test model has {test.ParameterCount} parameters but the model has {model.ParameterCount}; it must be the same network on other data.");
        options ??= new TrainingOptions();
        Validate(options);

        double[] parameters = w.ToArray();
        using var driver = new TrainingDriver(model, test, parameters, options);
        TrainingResult result = driver.Execute();
        parameters.CopyTo(w);
        return result;
    }

    /// <summary>Trains the network on <paramref name="data"/> (its test set, if any, gives the test loss), updating <paramref name="w"/> in place.</summary>
    public static TrainingResult Train(TwoLayerSilu network, SyntheticDataset data, Span<double> w, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Train(network, data.TrainX, data.TrainY, data.TestX.Rows > 0 ? data.TestX : null, data.TestY, w, options);
    }

    /// <summary>Trains the network on (x, y), with an optional test set, updating <paramref name="w"/> in place.</summary>
    public static TrainingResult Train(TwoLayerSilu network, DenseMatrix<double> x, ReadOnlySpan<double> y,
        DenseMatrix<double>? testX, ReadOnlySpan<double> testY, Span<double> w, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.CheckParameterLength(w, nameof(w));
        using var model = new TwoLayerSiluRegression(network, x, y);
        if (testX is null) return Train(model, w, options);
        network.CheckInputs(testX, nameof(testX));
        Guard.Length(testY.Length, testX.Rows, nameof(testY), $"one target per row of testX, which is {testX.Shape}");
        Guard.Finite(testY, nameof(testY));
        Guard.Finite(testX, nameof(testX));
        using var test = new TwoLayerSiluRegression(network, testX, testY);
        return Train(model, w, options, test);
    }

    private static void Validate(TrainingOptions o)
    {
        if (!Enum.IsDefined(o.Method))
            throw new ArgumentOutOfRangeException(nameof(o.Method), o.Method, "Unknown training method.");
        if (!Enum.IsDefined(o.GaussNewtonStep))
            throw new ArgumentOutOfRangeException(nameof(o.GaussNewtonStep), o.GaussNewtonStep, $"Use {nameof(GaussNewtonStepRule.Backtracking)} or {nameof(GaussNewtonStepRule.Fixed)}.");
        if (!Enum.IsDefined(o.LinearSolver))
            throw new ArgumentOutOfRangeException(nameof(o.LinearSolver), o.LinearSolver, "Use GaussNewtonSolver.Exact, .Pcg, .Mixed, .Nystrom or .Cg.");
        if (o.LinearSolver != GaussNewtonSolver.Exact && o.Form == StepForm.Parameter)
            throw new ArgumentOutOfRangeException(nameof(o.Form), o.Form, $"{o.LinearSolver} solves the kernel form; use StepForm.Automatic or .Kernel with it.");
        if (o.Method is TrainingMethod.LevenbergMarquardt or TrainingMethod.GgnScore && o.LinearSolver is not (GaussNewtonSolver.Exact or GaussNewtonSolver.Pcg))
            throw new ArgumentOutOfRangeException(nameof(o.LinearSolver), o.LinearSolver, $"{o.Method} solves its damped systems exactly or by pcg; use GaussNewtonSolver.Exact or .Pcg with it.");
        ArgumentOutOfRangeException.ThrowIfNegative(o.NystromRank, nameof(o.NystromRank));
        if (o.MaxLinearIterations is { } cgLimit) ArgumentOutOfRangeException.ThrowIfLessThan(cgLimit, 1, nameof(o.MaxLinearIterations));
        if (o.PreconditionerRefreshIterations is { } cap) ArgumentOutOfRangeException.ThrowIfLessThan(cap, 0, nameof(o.PreconditionerRefreshIterations));
        if (o.LinearTolerance is { } cgTolerance && !(cgTolerance > 0 && cgTolerance < 1))
            throw new ArgumentOutOfRangeException(nameof(o.LinearTolerance), o.LinearTolerance, "The CG tolerance must lie in (0, 1).");
        if (!Enum.IsDefined(o.GradientDescentStep))
            throw new ArgumentOutOfRangeException(nameof(o.GradientDescentStep), o.GradientDescentStep,
                $"Unknown gradient step rule; use {nameof(GradientStepRule.Normalized)} or {nameof(GradientStepRule.Literal)}.");
        if (!Enum.IsDefined(o.SmallestEigenvalue))
            throw new ArgumentOutOfRangeException(nameof(o.SmallestEigenvalue), o.SmallestEigenvalue, "Use SmallestEigenvalueMethod.Lanczos or .Exact.");
        if (!Enum.IsDefined(o.Form))
            throw new ArgumentOutOfRangeException(nameof(o.Form), o.Form, "Use StepForm.Automatic, .Kernel or .Parameter.");
        ArgumentOutOfRangeException.ThrowIfLessThan(o.MaxIterations, 0, nameof(o.MaxIterations));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.TestInterval, 0, nameof(o.TestInterval));
        Fraction(o.TestTimeShare, nameof(o.TestTimeShare));
        if (o.MaxTime <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(o.MaxTime), o.MaxTime, "The time limit must be positive (TimeSpan.MaxValue for none).");
        if (o.LearningRate is { } lr && !(lr > 0 && double.IsFinite(lr)))
            throw new ArgumentOutOfRangeException(nameof(o.LearningRate), lr, "The learning rate λ must be finite and > 0 (or null for the method's default).");
        if (o.FixedDamping is not null && o.DampingSchedule is not null)
            throw new ArgumentException("FixedDamping and DampingSchedule both set the damping; give one.", nameof(o.DampingSchedule));
        if (o.FixedDamping is { } eps && !(eps >= 0 && double.IsFinite(eps)))
            throw new ArgumentOutOfRangeException(nameof(o.FixedDamping), eps, "A fixed damping ε must be finite and ≥ 0 (or null for Arbel's rule).");
        Positive(o.DampingFloor, nameof(o.DampingFloor));
        Positive(o.InitialDampingScale, nameof(o.InitialDampingScale));
        Positive(o.GgnTau, nameof(o.GgnTau));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.KernelMetricsInterval, 0, nameof(o.KernelMetricsInterval));
        if (o.GgnMu is { } mu) Positive(mu, nameof(o.GgnMu));
        if (o.GgnLipschitz is { } lipschitz) Positive(lipschitz, nameof(o.GgnLipschitz));
        if (!(o.DivergenceRatio > 1) || double.IsNaN(o.DivergenceRatio))
            throw new ArgumentOutOfRangeException(nameof(o.DivergenceRatio), o.DivergenceRatio, "The divergence ratio must be > 1 (∞ turns the test off).");
        Fraction(o.RelativeTolerance, nameof(o.RelativeTolerance));
        Fraction(o.FunctionTolerance, nameof(o.FunctionTolerance));
        if (!(o.SmallestEigenvalueTolerance > 0 && o.SmallestEigenvalueTolerance < 1))
            throw new ArgumentOutOfRangeException(nameof(o.SmallestEigenvalueTolerance), o.SmallestEigenvalueTolerance, "The Lanczos tolerance must lie in (0, 1).");
        NonNegative(o.GradientTolerance, nameof(o.GradientTolerance));
        NonNegative(o.StepTolerance, nameof(o.StepTolerance));

        static void Positive(double value, string name)
        {
            if (!(value > 0 && double.IsFinite(value))) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and > 0.");
        }
        static void NonNegative(double value, string name)
        {
            if (!(value >= 0 && double.IsFinite(value))) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and ≥ 0 (0 turns the test off).");
        }
        static void Fraction(double value, string name)
        {
            if (!(value >= 0 && value < 1)) throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in [0, 1) (0 turns the test off).");
        }
    }
}
