using System.Diagnostics;

namespace GnKernels.Solvers;

/// <summary>Seconds between consecutive laps: how the step methods time their phases for <see cref="IterationRecord"/>.</summary>
internal struct PhaseClock
{
    private long _last;

    public static PhaseClock Start() => new() { _last = Stopwatch.GetTimestamp() };

    /// <summary>Seconds since the last lap (or the start), and starts the next lap.</summary>
    public double Lap()
    {
        long now = Stopwatch.GetTimestamp();
        double seconds = Stopwatch.GetElapsedTime(_last, now).TotalSeconds;
        _last = now;
        return seconds;
    }
}
