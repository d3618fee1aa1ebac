using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GnKernels.Native;

/// <summary>
/// 64-byte-aligned storage of <typeparamref name="T"/>; the one owner of matrix storage. Up to
/// <see cref="Array.MaxLength"/> elements it lives in a pinned array on the GC's pinned object heap: it never moves
/// (BLAS gets a stable pointer) and a span into it keeps it alive, so a span held past <see cref="Dispose"/> or past
/// the last use of its matrix never dangles; <see cref="Dispose"/> drops the array for the next collection. Larger
/// buffers are native memory, freed by <see cref="Dispose"/> or the finalizer: keep their matrix alive while a span
/// into it is in use. Indexing is unchecked: the Linalg layer validates shapes before it asks for a reference.
/// </summary>
internal sealed unsafe class AlignedBuffer<T> : IDisposable where T : unmanaged
{
    public const int Alignment = 64;
    public static int ElementSize => sizeof(T);
    private static readonly nint s_padding = Alignment / sizeof(T);

    private T[]? _array;
    private nint _offset;
    private T* _native;
    private readonly long _bytes;

    public AlignedBuffer(nint length, bool clear)
    {
        Length = length;
        _bytes = checked((long)length * sizeof(T));
        if (length == 0)
        {
            _array = new T[1]; // the origin of an empty matrix: a reference BLAS is given but never reads
            return;
        }
        try
        {
            if (length + s_padding <= Array.MaxLength) AllocateManaged(length, clear);
            else AllocateNative(clear);
        }
        catch (OutOfMemoryException e)
        {
            throw new InsufficientMemoryException(
                $"Could not allocate {_bytes:N0} bytes ({length:N0} elements of {typeof(T).Name}) of aligned memory.", e);
        }
        NativeMemoryCounter.Add(_bytes);
    }

    public nint Length { get; }

    public bool IsDisposed => _array is null && _native is null;

    public ref T this[nint index] => ref _native is not null ? ref _native[index] : ref Unsafe.Add(ref _array![_offset], index);

    public Span<T> GetSpan(nint start, int length) =>
        _native is not null ? new Span<T>(_native + start, length) : _array.AsSpan((int)(_offset + start), length);

    public void Dispose()
    {
        if (Length == 0 || IsDisposed) return;
        _array = null;
        FreeNative();
        GC.SuppressFinalize(this);
        NativeMemoryCounter.Add(-_bytes);
    }

    ~AlignedBuffer() => FreeNative();

    private void AllocateManaged(nint length, bool clear)
    {
        int elements = (int)(length + s_padding);
        _array = clear ? GC.AllocateArray<T>(elements, pinned: true) : GC.AllocateUninitializedArray<T>(elements, pinned: true);
        nuint address = (nuint)Unsafe.AsPointer(ref _array[0]);
        _offset = (nint)((Alignment - address % Alignment) % Alignment / (nuint)sizeof(T));
        GC.SuppressFinalize(this);
    }

    private void AllocateNative(bool clear)
    {
        _native = (T*)NativeMemory.AlignedAlloc((nuint)_bytes, Alignment);
        if (_native is null) throw new OutOfMemoryException();
        if (clear) NativeMemory.Clear(_native, (nuint)_bytes);
        GC.AddMemoryPressure(_bytes);
    }

    private void FreeNative()
    {
        T* p = _native;
        _native = null;
        if (p is null) return;
        NativeMemory.AlignedFree(p);
        GC.RemoveMemoryPressure(_bytes);
    }
}
