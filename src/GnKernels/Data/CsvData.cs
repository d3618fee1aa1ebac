using System.Globalization;
using GnKernels.Linalg;
using nietras.SeparatedValues;

namespace GnKernels.Data;

/// <summary>
/// Reads a regression table from a CSV file with a header row (separator detected: comma, semicolon, tab, …), parsed
/// by Sep. Every column but the target is a feature; every cell must be a finite number in invariant culture.
/// </summary>
public static class CsvData
{
    /// <summary>
    /// Reads <paramref name="path"/>; the target column is <paramref name="target"/> by name, or the last column.
    /// With <paramref name="featureNames"/>, exactly those columns are the features, in that order (a saved model's
    /// columns); the target column is then optional and ignored if absent.
    /// </summary>
    /// <exception cref="DataFormatException">A ragged row, a cell that is not a finite number, an unknown column: the message names file, line and column.</exception>
    public static RegressionData Read(string path, string? target = null, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file. Check the path.", path);
        using var reader = Sep.Reader(o => o with { HasHeader = true, DisableColCountCheck = true, CultureInfo = CultureInfo.InvariantCulture }).FromFile(path);
        IReadOnlyList<string> columns = reader.Header.ColNames;
        if (columns.Count < 1 || columns.Count == 1 && featureNames is null)
            throw new DataFormatException(path, $"the header has {columns.Count} column(s); a regression table needs at least one feature and a target, separated by commas.");

        int targetIndex = TargetIndex(path, columns, target, required: featureNames is null);
        int[] featureIndex = featureNames is null
            ? Enumerable.Range(0, columns.Count).Where(c => c != targetIndex).ToArray()
            : featureNames.Select(name => IndexOf(columns, name) is var c and >= 0 ? c
                : throw new DataFormatException(path, $"the model needs column '{name}', which the header lacks (it has: {string.Join(", ", columns)}).")).ToArray();

        var rows = new List<double>();
        var targets = new List<double>();
        foreach (var row in reader)
        {
            int line = row.LineNumberFrom;
            if (row.ColCount != columns.Count)
                throw new DataFormatException(path, $"line {line} has {row.ColCount} column(s) but the header has {columns.Count}; every row needs one value per header column.");
            foreach (int c in featureIndex) rows.Add(Cell(path, row[c].Span, line, columns[c]));
            if (targetIndex >= 0) targets.Add(Cell(path, row[targetIndex].Span, line, columns[targetIndex]));
        }
        int n = featureIndex.Length == 0 ? 0 : rows.Count / featureIndex.Length;
        if (n == 0) throw new DataFormatException(path, "the file has a header but no rows.");
        var x = DenseMatrix<double>.FromRowMajor(n, featureIndex.Length, rows.ToArray());
        return new RegressionData(x, targetIndex >= 0 ? targets.ToArray() : new double[n], featureIndex.Select(c => columns[c]).ToArray(),
            targetIndex >= 0 ? columns[targetIndex] : "", path);
    }

    private static int TargetIndex(string path, IReadOnlyList<string> columns, string? target, bool required)
    {
        if (target is null) return required ? columns.Count - 1 : -1;
        int index = IndexOf(columns, target);
        if (index < 0 && required)
            throw new DataFormatException(path, $"there is no target column '{target}'; the header has: {string.Join(", ", columns)}.");
        return index;
    }

    private static int IndexOf(IReadOnlyList<string> columns, string name)
    {
        for (int c = 0; c < columns.Count; c++)
            if (columns[c] == name) return c;
        return -1;
    }

    private static double Cell(string path, ReadOnlySpan<char> text, int line, string column)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new DataFormatException(path, $"line {line}, column '{column}': '{text.ToString()}' is not a number.");
        if (!double.IsFinite(value))
            throw new DataFormatException(path, $"line {line}, column '{column}': {text.ToString()} is not finite; remove or impute the row.");
        return value;
    }
}
