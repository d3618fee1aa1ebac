using System.Runtime.InteropServices;

namespace GnKernels.Native;

/// <summary>
/// 64-byte-aligned native memory of <typeparamref name="T"/>; the one owner of matrix storage.
/// Indexing is unchecked: the Linalg layer validates shapes before it asks for a reference.
/// </summary>
internal sealed unsafe class AlignedBuffer<T> : IDisposable where T : unmanaged
{
    public const int Alignment = 64;
    public static int ElementSize => sizeof(T);
    private T* _pointer;
    private readonly long _bytes;

    public AlignedBuffer(nint length, bool clear)
    {
        Length = length;
        _bytes = checked((long)length * sizeof(T));
        if (length == 0) return;
        _pointer = (T*)NativeMemory.AlignedAlloc((nuint)_bytes, Alignment);
        if (_pointer is null)
            throw new InsufficientMemoryException(
                $"Could not allocate {_bytes:N0} bytes ({length:N0} elements of {typeof(T).Name}) of aligned native memory.");
        if (clear) NativeMemory.Clear(_pointer, (nuint)_bytes);
        GC.AddMemoryPressure(_bytes);
        NativeMemoryCounter.Add(_bytes);
    }

    public nint Length { get; }

    public bool IsDisposed => _pointer is null && Length != 0;

    public ref T this[nint index] => ref _pointer[index];

    public Span<T> GetSpan(nint start, int length) => new(_pointer + start, length);

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~AlignedBuffer() => Free();

    private void Free()
    {
        T* p = _pointer;
        _pointer = null;
        if (p is null) return;
        NativeMemory.AlignedFree(p);
        GC.RemoveMemoryPressure(_bytes);
        NativeMemoryCounter.Add(-_bytes);
    }
}
