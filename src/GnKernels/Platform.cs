using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;
using GnKernels.Native;

namespace GnKernels;

/// <summary>What this process runs on: for benchmark headers, bug reports and cross-CPU comparisons.</summary>
public static class Platform
{
    /// <summary>
    /// .NET version, CPU model, SIMD acceleration and the kernels' selected ISA path, and the loaded OpenBLAS
    /// (version/config, core, threading model, thread count, path). Throws <see cref="OpenBlasNotFoundException"/>
    /// if OpenBLAS cannot be loaded.
    /// </summary>
    public static string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"GnKernels {typeof(Platform).Assembly.GetName().Version}");
        text.AppendLine($".NET       {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier}), {Environment.ProcessorCount} logical CPUs");
        text.AppendLine($"CPU        {CpuModel()}");
        text.AppendLine($"Vectors    V128 {Accel(Vector128.IsHardwareAccelerated)}, V256 {Accel(Vector256.IsHardwareAccelerated)}, V512 {Accel(Vector512.IsHardwareAccelerated)}");
        text.AppendLine($"X86        AVX {Yes(Avx.IsSupported)}, AVX2 {Yes(Avx2.IsSupported)}, FMA {Yes(Fma.IsSupported)}, AVX-512F {Yes(Avx512F.IsSupported)}");
        text.AppendLine($"SiLU path  {Simd.SimdSelection.Explanation}");
        LoadedOpenBlas blas = OpenBlasLoader.Loaded;
        text.AppendLine($"OpenBLAS   {OpenBlasLibrary.ConfigString.Trim()}");
        text.AppendLine($"BLAS core  {OpenBlasLibrary.CoreNameString}, threading {ParallelName(OpenBlasLibrary.GetParallel())}, {OpenBlasLibrary.GetNumThreads()} threads");
        text.Append($"BLAS path  {blas.LoadedFrom}");
        return text.ToString();
    }

    /// <summary>The CPU model name from /proc/cpuinfo, or the architecture if unavailable.</summary>
    public static string CpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string Accel(bool b) => b ? "accelerated" : "software";
    private static string Yes(bool b) => b ? "yes" : "no";
    private static string ParallelName(int p) => p switch { 0 => "sequential", 1 => "pthreads", 2 => "OpenMP", _ => $"unknown ({p})" };
}
