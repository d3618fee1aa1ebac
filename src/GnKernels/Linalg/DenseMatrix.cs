using System.Numerics;
using GnKernels.Native;

namespace GnKernels.Linalg;

/// <summary>
/// A dense matrix in 64-byte-aligned native memory, stored row-major with no padding (element (i, j) at
/// i·Cols + j). Dimensions are <see cref="nint"/> so an N×N matrix with N beyond 46,340 (more than
/// <see cref="int.MaxValue"/> elements) indexes without overflow; each dimension is at most
/// <see cref="int.MaxValue"/> because BLAS/LAPACK (LP64) take 32-bit sizes. Not thread-safe; dispose it.
/// </summary>
public sealed class DenseMatrix<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly AlignedBuffer<T> _buffer;

    /// <summary>Allocates a zeroed <paramref name="rows"/>×<paramref name="cols"/> matrix.</summary>
    public DenseMatrix(nint rows, nint cols) : this(rows, cols, clear: true) { }

    private DenseMatrix(nint rows, nint cols, bool clear)
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float)) throw BlasDispatch.Unsupported<T>();
        long elements = ValidateShape(rows, cols);
        Rows = rows;
        Cols = cols;
        _buffer = new AlignedBuffer<T>((nint)elements, clear);
    }

    /// <summary>Allocates without zeroing, for workspaces that are always written before they are read.</summary>
    public static DenseMatrix<T> CreateUninitialized(nint rows, nint cols) => new(rows, cols, clear: false);

    /// <summary>Copies a row-major span into a new matrix.</summary>
    public static DenseMatrix<T> FromRowMajor(nint rows, nint cols, ReadOnlySpan<T> values)
    {
        var m = new DenseMatrix<T>(rows, cols, clear: false);
        if (values.Length != m.Length)
        {
            m.Dispose();
            throw new ArgumentException(
                $"values has {values.Length} elements but a {rows}×{cols} matrix needs {rows * cols}.", nameof(values));
        }
        m.CopyFrom(values);
        return m;
    }

    /// <summary>Number of rows.</summary>
    public nint Rows { get; }

    /// <summary>Number of columns (also the row stride).</summary>
    public nint Cols { get; }

    /// <summary>Rows·Cols.</summary>
    public nint Length => Rows * Cols;

    /// <summary>True for a square matrix.</summary>
    public bool IsSquare => Rows == Cols;

    /// <summary>The shape as "rows×cols", for messages.</summary>
    public string Shape => $"{Rows}×{Cols}";

    /// <summary>Element (i, j), bounds-checked.</summary>
    public ref T this[nint i, nint j]
    {
        get
        {
            if ((nuint)i >= (nuint)Rows || (nuint)j >= (nuint)Cols) ThrowIndex(i, j);
            ThrowIfDisposed();
            return ref _buffer[i * Cols + j];
        }
    }

    /// <summary>Row <paramref name="i"/> as a span of length <see cref="Cols"/>.</summary>
    public Span<T> Row(nint i)
    {
        if ((nuint)i >= (nuint)Rows) ThrowIndex(i, 0);
        ThrowIfDisposed();
        return _buffer.GetSpan(i * Cols, (int)Cols);
    }

    /// <summary>
    /// All elements as one span; only for matrices of at most <see cref="int.MaxValue"/> elements
    /// (use <see cref="Row"/> otherwise).
    /// </summary>
    public Span<T> AsSpan()
    {
        ThrowIfDisposed();
        if (Length > int.MaxValue)
            throw new InvalidOperationException(
                $"A {Shape} matrix has {Length:N0} elements, more than a Span can hold ({int.MaxValue:N0}); access it by Row(i).");
        return _buffer.GetSpan(0, (int)Length);
    }

    /// <summary>Copies row-major values in; the length must equal <see cref="Length"/>.</summary>
    public void CopyFrom(ReadOnlySpan<T> values)
    {
        if (values.Length != Length)
            throw new ArgumentException($"values has {values.Length} elements; this {Shape} matrix has {Length}.", nameof(values));
        values.CopyTo(AsSpan());
    }

    /// <summary>Copies every element of <paramref name="source"/>, which must have the same shape.</summary>
    public void CopyFrom(DenseMatrix<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Guard.SameShape(source, nameof(source), this, "this");
        for (nint i = 0; i < Rows; i++) source.Row(i).CopyTo(Row(i));
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(T value)
    {
        for (nint i = 0; i < Rows; i++) Row(i).Fill(value);
    }

    /// <summary>A new managed copy, for tests and small matrices.</summary>
    public T[,] ToArray()
    {
        var a = new T[Rows, Cols];
        for (nint i = 0; i < Rows; i++)
        {
            Span<T> row = Row(i);
            for (int j = 0; j < row.Length; j++) a[i, j] = row[j];
        }
        return a;
    }

    /// <summary>Reference to element (i, j) without bounds checks: for the layers that already validated.</summary>
    internal ref T At(nint i, nint j) => ref _buffer[i * Cols + j];

    /// <summary>Reference to element (0, 0) for BLAS calls; a dummy for empty matrices.</summary>
    internal ref T Origin
    {
        get
        {
            ThrowIfDisposed();
            return ref _buffer[0];
        }
    }

    /// <summary>Leading dimension for BLAS (at least 1, as BLAS requires).</summary>
    internal int Ld => (int)Math.Max(1, Cols);

    /// <inheritdoc/>
    public void Dispose() => _buffer.Dispose();

    /// <summary>Checks a shape against the LP64 limits and the machine's memory; returns the element count.</summary>
    internal static long ValidateShape(nint rows, nint cols)
    {
        if (rows < 0 || cols < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), $"Matrix shape {rows}×{cols} has a negative dimension.");
        if (rows > int.MaxValue || cols > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(rows),
                $"Matrix shape {rows}×{cols}: each dimension must be at most {int.MaxValue:N0} (the LP64 BLAS/LAPACK limit).");
        long elements = (long)rows * cols; // both < 2^31, so no overflow in 64 bits
        long bytes = checked(elements * AlignedBuffer<T>.ElementSize);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && bytes > available)
            throw new InsufficientMemoryException(
                $"A {rows}×{cols} matrix of {typeof(T).Name} needs {bytes / (1024.0 * 1024 * 1024):F1} GiB; " +
                $"this process can use at most {available / (1024.0 * 1024 * 1024):F1} GiB. Reduce the problem size.");
        return elements;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_buffer.IsDisposed, this);

    private void ThrowIndex(nint i, nint j) =>
        throw new ArgumentOutOfRangeException(nameof(i), $"Index ({i}, {j}) is outside the {Shape} matrix.");
}
