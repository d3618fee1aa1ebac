using GnKernels.Linalg;

namespace GnKernels.Tests.Linalg;

public class DenseMatrixTests
{
    [Fact]
    public void Storage_is_row_major_and_64_byte_aligned()
    {
        using var m = DenseMatrix<double>.FromRowMajor(2, 3, [1, 2, 3, 4, 5, 6]);
        Assert.Equal(6.0, m[1, 2]);
        Assert.Equal([4.0, 5, 6], m.Row(1).ToArray());
        Assert.Equal(0, AlignmentOf(m));
    }

    [Fact]
    public void New_matrices_are_zeroed_and_bounds_are_checked()
    {
        using var m = new DenseMatrix<float>(7, 5);
        Assert.All(m.AsSpan().ToArray(), v => Assert.Equal(0f, v));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m[7, 0]);
        Assert.Contains("7×5", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Row(-1));
    }

    [Fact]
    public void More_than_int_MaxValue_elements_index_without_overflow()
    {
        // 46,341² > int.MaxValue. Uninitialized memory is committed lazily, so only touched pages cost RAM.
        const int n = 46_341;
        using var m = DenseMatrix<float>.CreateUninitialized(n, n);
        Assert.True(m.Length > int.MaxValue);
        m.Row(n - 1)[n - 1] = 42f;
        m[n - 1, n - 2] = 41f;
        m[0, 0] = 1f;
        Assert.Equal(42f, m[n - 1, n - 1]);
        Assert.Equal(41f, m.Row(n - 1)[n - 2]);
        Assert.Equal(1f, m.Row(0)[0]);
        var e = Assert.Throws<InvalidOperationException>(() => m.AsSpan());
        Assert.Contains("Row(i)", e.Message);
    }

    [Fact]
    public void Sizes_the_machine_cannot_hold_are_refused_clearly()
    {
        var e = Assert.Throws<InsufficientMemoryException>(() => new DenseMatrix<double>(2_000_000, 2_000_000));
        Assert.Contains("2000000×2000000", e.Message);
        Assert.Contains("GiB", e.Message);

        var r = Assert.Throws<ArgumentOutOfRangeException>(() => new DenseMatrix<double>(TooBig, 1));
        Assert.Contains("LP64", r.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DenseMatrix<double>(-1, 3));
    }

    [Fact]
    public void FromRowMajor_checks_the_length()
    {
        var e = Assert.Throws<ArgumentException>(() => DenseMatrix<double>.FromRowMajor(2, 2, [1, 2, 3]));
        Assert.Contains("2×2", e.Message);
    }

    [Fact]
    public void Use_after_dispose_is_refused()
    {
        var m = new DenseMatrix<double>(2, 2);
        m.Dispose();
        Assert.Throws<ObjectDisposedException>(() => m.Row(0));
        m.Dispose();
    }

    // A span outlives its matrix's last use (and even Dispose): the storage must stay valid for the span, whatever
    // the collector does meanwhile.
    [Fact]
    public void A_span_keeps_its_storage_alive_past_dispose_and_collection()
    {
        Span<double> row = RowOfAnUnreachableMatrix();
        for (int round = 0; round < 3; round++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var others = Enumerable.Range(0, 8).Select(_ => new DenseMatrix<double>(256, 256)).ToList(); // reuse freed memory if any
            others.ForEach(m => { m.Fill(-1); m.Dispose(); });
        }
        for (int j = 0; j < row.Length; j++) Assert.Equal(j + 0.5, row[j]);
    }

    private static Span<double> RowOfAnUnreachableMatrix()
    {
        var m = new DenseMatrix<double>(256, 256);
        Span<double> row = m.Row(7);
        for (int j = 0; j < row.Length; j++) row[j] = j + 0.5;
        m.Dispose();
        return row;
    }

    [Fact]
    public void Mirror_makes_the_matrix_symmetric()
    {
        const int n = 150; // spans several 64-wide tiles
        using var m = new DenseMatrix<double>(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) m[i, j] = i * 1000 + j;
        SymmetricStorage.MirrorLowerToUpper(m);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) Assert.Equal(Math.Max(i, j) * 1000 + Math.Min(i, j), m[i, j]);
    }

    private static readonly nint TooBig = checked((nint)(long.Parse("2147483648")));

    private static unsafe long AlignmentOf(DenseMatrix<double> m)
    {
        fixed (double* p = m.Row(0)) return (long)p % 64;
    }
}
