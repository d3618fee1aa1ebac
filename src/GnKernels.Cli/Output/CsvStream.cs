using GnKernels.Solvers;

namespace GnKernels.Cli.Output;

/// <summary>
/// The per-iteration CSV written as the run goes, one flushed line per iteration, so an interrupted or killed run
/// leaves the iterations it finished; <see cref="RunFiles.WriteCsv"/> replaces it with the complete file at the end.
/// </summary>
internal sealed class CsvStream : IDisposable
{
    private readonly StreamWriter _writer;

    public CsvStream(string directory, TrainingMethod method)
    {
        _writer = new StreamWriter(RunFiles.CsvPath(directory, method), append: false) { AutoFlush = true };
        _writer.WriteLine(RunFiles.CsvHeader);
    }

    public void Append(IterationRecord record) => _writer.WriteLine(RunFiles.CsvLine(record));

    public void Dispose() => _writer.Dispose();
}
