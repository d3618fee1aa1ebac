namespace GnKernels.Solvers;

/// <summary>
/// Levenberg-Marquardt damping by Nielsen's rule on the gain ratio ρ = actual / predicted reduction:
/// accept when ρ &gt; 0 and shrink μ by max(1/3, 1 − (2ρ − 1)³); otherwise reject, grow μ by ν and double ν.
/// </summary>
public sealed class NielsenDamping
{
    private double _nu = 2;

    /// <summary>Starts at μ = <paramref name="initial"/> (&gt; 0).</summary>
    public NielsenDamping(double initial)
    {
        if (!(initial > 0) || double.IsInfinity(initial))
            throw new ArgumentOutOfRangeException(nameof(initial), initial, "The initial damping must be finite and > 0.");
        Mu = initial;
    }

    /// <summary>The current damping μ.</summary>
    public double Mu { get; private set; }

    /// <summary>Updates μ from the gain ratio; returns whether the step is accepted. NaN counts as a rejection.</summary>
    public bool Update(double gainRatio)
    {
        if (gainRatio > 0)
        {
            double t = 2 * gainRatio - 1;
            Mu *= Math.Max(1.0 / 3, 1 - t * t * t);
            _nu = 2;
            return true;
        }
        Mu *= _nu;
        _nu *= 2;
        return false;
    }
}
