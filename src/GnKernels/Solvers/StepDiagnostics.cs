namespace GnKernels.Solvers;

/// <summary>What one solve of a Gauss-Newton system produced, computed exactly and cheaply alongside it.</summary>
/// <param name="Damping">The ε the step was solved with (after any retries).</param>
/// <param name="Retries">How many times ε was raised because A + εI was not numerically positive definite.</param>
/// <param name="PredictedReduction">½(‖r‖² − ‖r + J·δw‖²): the decrease of ½‖r‖² the linear model predicts for the
/// full step. In kernel form r + J·δw = ε·z, so this costs O(N).</param>
/// <param name="StepNormSquared">‖δw‖²_M = zᵀ(r − εz) in kernel form (O(N)), ‖δ‖² in parameter form.</param>
public readonly record struct StepDiagnostics(double Damping, int Retries, double PredictedReduction, double StepNormSquared);
