using System.Runtime.InteropServices;

namespace GnKernels.Cli.Output;

/// <summary>
/// Turns SIGINT (Ctrl+C) and SIGTERM into a request the training callback sees, so a run ends at the next iteration
/// boundary and still writes its files, instead of the process dying with nothing written.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly PosixSignalRegistration _interrupt, _terminate;
    private volatile int _signal;

    public Interruption()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    /// <summary>Whether a signal has arrived.</summary>
    public bool Requested => _signal != 0;

    /// <summary>The exit code a signalled run ends with: 128 + the signal number (130 for SIGINT, 143 for SIGTERM).</summary>
    public int ExitCode => _signal == 0 ? 0 : 128 + _signal;

    public string SignalName => _signal == 15 ? "SIGTERM" : "SIGINT";

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true; // keep the process: the run stops at the next iteration and writes its files
        _signal = context.Signal == PosixSignal.SIGTERM ? 15 : 2;
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
    }
}
