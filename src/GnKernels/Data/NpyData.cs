using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using GnKernels.Linalg;

namespace GnKernels.Data;

/// <summary>
/// Reads a regression table from a NumPy <c>.npy</c> file: a 2-D array of little-endian float64 or float32 in C order,
/// one sample per row, the target in the last column (or in <c>targetColumn</c>).
/// </summary>
public static partial class NpyData
{
    /// <summary>
    /// Reads <paramref name="path"/>. With <paramref name="featureCount"/> set (a saved model's d), an array of
    /// exactly d columns has no target column (the targets read as 0); d + 1 columns have it last.
    /// </summary>
    /// <exception cref="DataFormatException">Not an .npy file, an unsupported dtype or order, a non-finite value.</exception>
    public static RegressionData Read(string path, int? targetColumn = null, int? featureCount = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file. Check the path.", path);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new DataFormatException(path, "not a NumPy .npy file (no \\x93NUMPY magic); save it with numpy.save.");
        int major = bytes[6];
        int headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        int dataStart = major == 1 ? 10 + headerLength : 12 + headerLength;
        if (major is < 1 or > 3 || dataStart > bytes.Length)
            throw new DataFormatException(path, $".npy format version {major} or its header length is not readable.");
        string header = Encoding.Latin1.GetString(bytes, major == 1 ? 10 : 12, headerLength);

        string descr = Field(path, header, DescrPattern(), "descr");
        if (Field(path, header, OrderPattern(), "fortran_order") != "False")
            throw new DataFormatException(path, "the array is in Fortran order; save it in C order (numpy.ascontiguousarray).");
        long[] shape = Field(path, header, ShapePattern(), "shape").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        if (shape.Length != 2)
            throw new DataFormatException(path, $"the array has shape ({string.Join(", ", shape)}); it must be 2-D, one sample per row.");
        int size = descr switch
        {
            "<f8" => 8,
            "<f4" => 4,
            _ => throw new DataFormatException(path, $"dtype '{descr}' is not supported; use float64 ('<f8') or float32 ('<f4')."),
        };
        long rows = shape[0], cols = shape[1];
        if (bytes.Length - dataStart < rows * cols * size)
            throw new DataFormatException(path, $"the file holds {bytes.Length - dataStart} data bytes; shape ({rows}, {cols}) of {descr} needs {rows * cols * size}.");

        bool hasTarget = featureCount is not { } d || cols == d + 1;
        if (featureCount is { } dim && cols != dim && cols != dim + 1)
            throw new DataFormatException(path, $"the array has {cols} columns; the model takes {dim} features (and optionally the target last).");
        int target = hasTarget ? targetColumn ?? (int)cols - 1 : -1;
        if (hasTarget && (target < 0 || target >= cols))
            throw new DataFormatException(path, $"target column {target} is outside the array's {cols} columns.");
        int features = (int)cols - (hasTarget ? 1 : 0);
        if (features < 1) throw new DataFormatException(path, $"the array has {cols} column(s); a regression table needs at least one feature and a target.");

        var x = new DenseMatrix<double>((nint)rows, features);
        var y = new double[rows];
        for (long i = 0; i < rows; i++)
        {
            Span<double> row = x.Row((nint)i);
            for (int c = 0, f = 0; c < cols; c++)
            {
                var cell = bytes.AsSpan(checked((int)(dataStart + (i * cols + c) * size)), size);
                double v = size == 8 ? BinaryPrimitives.ReadDoubleLittleEndian(cell) : BinaryPrimitives.ReadSingleLittleEndian(cell);
                if (!double.IsFinite(v))
                    throw new DataFormatException(path, $"row {i}, column {c}: {v} is not finite; remove or impute the row.");
                if (c == target) y[i] = v;
                else row[f++] = v;
            }
        }
        var names = Enumerable.Range(0, (int)cols).Where(c => c != target).Select(c => $"x{c}").ToArray();
        return new RegressionData(x, y, names, hasTarget ? $"x{target}" : "", path);
    }

    private static string Field(string path, string header, Regex pattern, string name) =>
        pattern.Match(header) is { Success: true } m ? m.Groups[1].Value
            : throw new DataFormatException(path, $"the .npy header has no readable '{name}': {header.Trim()}");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex OrderPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
