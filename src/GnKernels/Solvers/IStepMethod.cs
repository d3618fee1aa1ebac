using System.Numerics.Tensors;
using GnKernels.Models;

namespace GnKernels.Solvers;

/// <summary>
/// One training method's step: from the linearized point in <see cref="StepContext"/> to new parameters, in place.
/// Each method owns its buffers; the driver (<see cref="TrainingDriver"/>) owns the loop, the stopping rules and the
/// forward passes between steps.
/// </summary>
internal interface IStepMethod : IDisposable
{
    /// <summary>Takes one step at the context's point, moving <see cref="StepContext.W"/> unless the outcome says otherwise.</summary>
    StepOutcome Step(StepContext context, int iteration);

    /// <summary>The last step's solve vector (for <see cref="IterationCallback"/>), empty if the method has none.</summary>
    ReadOnlySpan<double> SolveVector { get; }
}

/// <summary>How a step ended.</summary>
internal enum StepEnd
{
    /// <summary>The parameters moved.</summary>
    Moved,

    /// <summary>No acceptable step was found; the parameters did not move.</summary>
    Stalled,

    /// <summary>The method has nothing more to do (random features after its refinement); the parameters did not move.</summary>
    Exhausted,
}

/// <summary>A step's record (times and diagnostics; the driver adds the losses) and how it ended.</summary>
internal readonly record struct StepOutcome(IterationRecord Record, StepEnd End = StepEnd.Moved, string? Message = null);

/// <summary>The point a step starts from, shared by the driver and the methods, with scratch for trial points.</summary>
internal sealed class StepContext(ITrainableModel model, TrainingOptions options, double[] w)
{
    public ITrainableModel Model { get; } = model;
    public TrainingOptions Options { get; } = options;
    public int N { get; } = model.SampleCount;
    public int P { get; } = model.ParameterCount;

    /// <summary>The parameters; a step updates them in place.</summary>
    public double[] W { get; } = w;

    /// <summary>r = f(w) − y at the step's start.</summary>
    public double[] Residual { get; } = new double[model.SampleCount];

    /// <summary>J at the step's start.</summary>
    public IJacobian Jacobian { get; set; } = null!;

    /// <summary>L(w) = ‖r‖²/(2N) at the step's start.</summary>
    public double Loss { get; set; }

    /// <summary>Scratch for a trial point w + δ (P) and its residual (N).</summary>
    public double[] TrialW { get; } = new double[model.ParameterCount];
    public double[] TrialResidual { get; } = new double[model.SampleCount];

    /// <summary>∇L = Jᵀr/N, filled by <see cref="GradientNorm"/>.</summary>
    public double[] Gradient { get; } = new double[model.ParameterCount];

    /// <summary>L at <see cref="TrialW"/> (NaN if it or its residual is not finite), forward pass only.</summary>
    public double TrialLoss()
    {
        if (!TensorPrimitives.IsFiniteAll<double>(TrialW)) return double.NaN;
        Model.Residual(TrialW, TrialResidual);
        return LossOf(TrialResidual);
    }

    /// <summary>‖∇L‖ with ∇L = Jᵀr/N left in <see cref="Gradient"/>.</summary>
    public double GradientNorm()
    {
        Jacobian.MultiplyTransposed(Residual, Gradient);
        TensorPrimitives.Divide(Gradient, N, Gradient);
        return TensorPrimitives.Norm<double>(Gradient);
    }

    public static double LossOf(ReadOnlySpan<double> residual)
    {
        double loss = 0.5 * TensorPrimitives.Dot(residual, residual) / residual.Length;
        return double.IsFinite(loss) ? loss : double.NaN;
    }
}
