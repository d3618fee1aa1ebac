using System.Runtime.InteropServices;

namespace GnKernels.Tests.Support;

/// <summary>
/// A span that ends flush against a PROT_NONE page: any read or write past its end faults immediately.
/// Two anonymous pages (or more) are mapped and the last is protected.
/// </summary>
internal sealed unsafe class GuardedBuffer<T> : IDisposable where T : unmanaged
{
    private const int ProtNone = 0, ProtReadWrite = 3, MapPrivateAnonymous = 0x02 | 0x20;
    private readonly byte* _base;
    private readonly nuint _mapped;
    private readonly int _length;

    public GuardedBuffer(int length)
    {
        nuint page = (nuint)Environment.SystemPageSize;
        nuint bytes = (nuint)(length * sizeof(T));
        nuint dataPages = (bytes + page - 1) / page;
        _mapped = (dataPages + 1) * page;
        _base = (byte*)Libc.Mmap(null, _mapped, ProtReadWrite, MapPrivateAnonymous, -1, 0);
        if (_base == (byte*)-1) throw new InvalidOperationException("mmap failed");
        if (Libc.Mprotect(_base + dataPages * page, page, ProtNone) != 0) throw new InvalidOperationException("mprotect failed");
        _length = length;
        Start = (T*)(_base + dataPages * page - bytes);
    }

    private T* Start { get; }

    public Span<T> Span => new(Start, _length);

    public void Dispose() => Libc.Munmap(_base, _mapped);

}

internal static unsafe partial class Libc
{
    [LibraryImport("libc", EntryPoint = "mmap")] public static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);
    [LibraryImport("libc", EntryPoint = "mprotect")] public static partial int Mprotect(void* addr, nuint length, int prot);
    [LibraryImport("libc", EntryPoint = "munmap")] public static partial int Munmap(void* addr, nuint length);
}
