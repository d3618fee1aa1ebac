namespace GnKernels.Cli.Output;

/// <summary>
/// An output folder held by one run: created if needed, and locked (<c>.gnk.lock</c>, an exclusive file lock that the
/// operating system releases when the process ends, however it ends), so a second run writing into the same folder is
/// refused instead of interleaving its files with the first.
/// </summary>
internal sealed class OutputFolder : IDisposable
{
    private readonly FileStream _lock;

    private OutputFolder(string path, FileStream lockFile) => (Path, _lock) = (path, lockFile);

    public string Path { get; }

    /// <summary>Takes the folder, or returns the one-line reason it cannot.</summary>
    public static OutputFolder? TryTake(string path, out string? problem)
    {
        problem = null;
        try
        {
            Directory.CreateDirectory(path);
            var lockFile = new FileStream(System.IO.Path.Combine(path, ".gnk.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return new OutputFolder(path, lockFile);
        }
        catch (IOException) when (System.IO.File.Exists(System.IO.Path.Combine(path, ".gnk.lock")))
        {
            problem = $"another gnk run is writing into '{path}'; wait for it or choose another folder with --out.";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            problem = $"cannot write to the output folder '{path}': {e.Message} Choose another with --out.";
        }
        return null;
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => _lock.Dispose();
}
