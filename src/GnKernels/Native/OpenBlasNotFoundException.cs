namespace GnKernels.Native;

/// <summary>
/// OpenBLAS could not be loaded. <see cref="Exception.Message"/> lists every candidate that was tried,
/// why each failed, and the fix.
/// </summary>
public sealed class OpenBlasNotFoundException : DllNotFoundException
{
    /// <summary>Creates the exception from the probe's attempts.</summary>
    public OpenBlasNotFoundException(string message, IReadOnlyList<OpenBlasLoadAttempt> attempts)
        : base(message) => Attempts = attempts;

    /// <summary>Every candidate tried, in order, with the loader's error.</summary>
    public IReadOnlyList<OpenBlasLoadAttempt> Attempts { get; }
}

/// <summary>One candidate the loader tried and, if it failed, the dynamic loader's error text.</summary>
public sealed record OpenBlasLoadAttempt(string Candidate, string? Error)
{
    /// <summary>True when this candidate loaded.</summary>
    public bool Succeeded => Error is null;
}
