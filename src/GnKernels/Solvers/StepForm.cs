namespace GnKernels.Solvers;

/// <summary>Which of the two equivalent linear systems a Gauss-Newton step solves.</summary>
public enum StepForm
{
    /// <summary>The smaller one: kernel form when N ≤ P, parameter form otherwise.</summary>
    Automatic,

    /// <summary>(J·M⁻¹·Jᵀ + εI)·z = r, then δw = −M⁻¹·Jᵀz: an N×N system (over-parameterized regime).</summary>
    Kernel,

    /// <summary>(JᵀJ + εI)·δ = Jᵀr, then δw = −δ: a P×P system (under-parameterized regime, Cayci et al.).</summary>
    Parameter,
}
