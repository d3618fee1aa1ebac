using System.Diagnostics;

namespace GnKernels.Solvers;

/// <summary>
/// When a held Cholesky factor of an earlier step's matrix should be replaced by a fresh one. The factor ages as w
/// moves, so CG's solves grow dearer step by step; the matrix is assembled again once a step cost more than the average
/// step of its cycle (the assembly that began it and this step included) — when the costs grow steadily, the cycle
/// length with the least long-run cost per step — or, with a cap, once a solve needed more CG iterations than that
/// (repeatable bit for bit, where the cost rule depends on the clock), or when CG failed. Under the cost rule a solve
/// is also given up once it has taken as long as the step that assembled (<see cref="Deadline"/>): falling back to
/// the exact step then costs at most twice what it would have.
/// </summary>
internal sealed class FactorRefresh(int? iterationCap)
{
    private double _cycleSeconds, _assemblySeconds;
    private int _cycleSteps;

    /// <summary>True when the next step should assemble and factor (also before the first).</summary>
    public bool Due { get; private set; } = true;

    /// <summary>A step assembled and factored its matrix, costing <paramref name="seconds"/> in all: a new cycle.</summary>
    public void Assembled(double seconds) => (_cycleSeconds, _assemblySeconds, _cycleSteps, Due) = (seconds, seconds, 1, false);

    /// <summary>When a CG solve starting now should give up (a <see cref="Stopwatch"/> timestamp; none with an iteration cap).</summary>
    public long Deadline() => iterationCap is null
        ? Stopwatch.GetTimestamp() + (long)(_assemblySeconds * Stopwatch.Frequency)
        : long.MaxValue;

    /// <summary>A step solved by CG with the held factor in <paramref name="seconds"/> and <paramref name="iterations"/> iterations.</summary>
    public void Iterated(double seconds, int iterations)
    {
        (_cycleSeconds, _cycleSteps) = (_cycleSeconds + seconds, _cycleSteps + 1);
        Due = iterationCap is { } cap ? iterations > cap : RefreshAfter(seconds, _cycleSeconds, _cycleSteps);
    }

    /// <summary>The cost rule: this step cost more than the cycle's average step so far.</summary>
    internal static bool RefreshAfter(double stepSeconds, double cycleSeconds, int cycleSteps) => stepSeconds > cycleSeconds / cycleSteps;
}
