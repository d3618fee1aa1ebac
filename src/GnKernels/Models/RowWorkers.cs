using System.Runtime.ExceptionServices;
using GnKernels.Linalg;

namespace GnKernels.Models;

/// <summary>Work on a range of matrix rows [start, end), called on several threads at once for disjoint ranges.</summary>
internal interface IRowRangeWork
{
    void Run(int start, int end);
}

/// <summary>
/// Splits row-wise element passes (the forward pass's SiLU) across as many threads as BLAS uses, the caller
/// included, on persistent background threads: <c>Parallel.For</c> allocates on every call, and the training step
/// promises an allocation-free hot path. One process-wide pool; a caller that finds it busy (another thread, or
/// work calling back into it) runs its rows alone instead of waiting.
/// </summary>
internal static class RowWorkers
{
    // Below this many elements a pass is too short (a few µs) to repay waking a thread.
    private const long MinimumElementsPerThread = 64 * 1024;

    private static int _busy;
    private static Helper[] _helpers = [];
    private static IRowRangeWork? _work;
    private static int _pending;
    private static readonly ManualResetEventSlim Done = new(false);
    private static ExceptionDispatchInfo? _failure;
    private static long _helperPasses, _helperAllocatedBytes;

    /// <summary>Parts the helper threads have run, and the managed bytes they allocated doing so: the allocation
    /// counter the caller's thread reads (GC.GetAllocatedBytesForCurrentThread) does not see them.</summary>
    internal static (long Passes, long AllocatedBytes) HelperTotals => (Interlocked.Read(ref _helperPasses), Interlocked.Read(ref _helperAllocatedBytes));

    /// <summary>Runs <paramref name="work"/> over rows [0, rows), each row <paramref name="rowLength"/> elements long.</summary>
    public static void Run(IRowRangeWork work, int rows, int rowLength)
    {
        int threads = (int)Math.Min(Math.Min(BlasThreads.Count, Environment.ProcessorCount), Math.Max(1, (long)rows * rowLength / MinimumElementsPerThread));
        threads = Math.Min(threads, rows);
        if (threads <= 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0) // not re-entrant, unlike a Monitor
        {
            work.Run(0, rows);
            return;
        }
        try
        {
            EnsureHelpers(threads - 1);
            _work = work;
            _failure = null;
            _pending = threads - 1;
            Done.Reset();
            for (int i = 1; i < threads; i++) _helpers[i - 1].Start(Split(rows, threads, i), Split(rows, threads, i + 1));
            try
            {
                work.Run(0, Split(rows, threads, 1));
            }
            finally
            {
                Done.Wait(); // even when the caller's part threw: the helpers still hold the work
                _work = null;
            }
            _failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>First row of part <paramref name="part"/> of <paramref name="parts"/> near-equal parts.</summary>
    private static int Split(int rows, int parts, int part) => (int)((long)rows * part / parts);

    private static void EnsureHelpers(int count)
    {
        if (_helpers.Length >= count) return;
        var helpers = new Helper[count];
        _helpers.CopyTo(helpers, 0);
        for (int i = _helpers.Length; i < count; i++) helpers[i] = new Helper(i);
        _helpers = helpers;
    }

    private static void Finished()
    {
        if (Interlocked.Decrement(ref _pending) == 0) Done.Set();
    }

    private sealed class Helper
    {
        private readonly ManualResetEventSlim _go = new(false);
        private int _start, _end;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"GnKernels row worker {index + 1}" };
            thread.Start();
        }

        public void Start(int start, int end)
        {
            (_start, _end) = (start, end);
            _go.Set();
        }

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                _go.Reset();
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    _work!.Run(_start, _end);
                }
                catch (Exception e)
                {
                    _failure = ExceptionDispatchInfo.Capture(e);
                }
                Interlocked.Add(ref _helperAllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - allocated);
                Interlocked.Increment(ref _helperPasses);
                Finished();
            }
        }
    }
}
