using GnKernels.Native;

namespace GnKernels.Linalg;

/// <summary>
/// OpenBLAS's thread count. It is process-global: a change affects every BLAS call in the process, from
/// every thread, so set it once at start-up or use <see cref="SingleThreaded"/> around code that is already parallel.
/// </summary>
public static class BlasThreads
{
    /// <summary>The number of threads OpenBLAS uses (process-global).</summary>
    public static int Count
    {
        get => OpenBlasLibrary.GetNumThreads();
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            OpenBlasLibrary.SetNumThreads(value);
        }
    }

    /// <summary>Runs BLAS on one thread until the returned scope is disposed, then restores the previous count.
    /// Scopes nest, but because the setting is process-global, concurrent scopes on different threads race.</summary>
    public static Scope SingleThreaded() => new(1);

    /// <summary>Runs BLAS on <paramref name="threads"/> threads until disposed.</summary>
    public static Scope WithCount(int threads) => new(threads);

    /// <summary>Restores the previous thread count on dispose.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly int _previous;

        internal Scope(int threads)
        {
            _previous = Count;
            Count = threads;
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            if (_previous > 0) Count = _previous;
        }
    }
}
