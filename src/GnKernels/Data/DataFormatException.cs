namespace GnKernels.Data;

/// <summary>A data or model file that cannot be read as it is: the message names the file, and the line and column where known.</summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="path"/> with a message that says what is wrong and how to fix it.</summary>
    public DataFormatException(string path, string message, Exception? inner = null) : base($"{path}: {message}", inner) => Path = path;

    /// <summary>The file that could not be read.</summary>
    public string Path { get; }
}
