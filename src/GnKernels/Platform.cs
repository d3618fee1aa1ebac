using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
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
        if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
            text.AppendLine($"Arm64      AdvSimd (NEON) {Yes(AdvSimd.IsSupported)}, Dp {Yes(Dp.IsSupported)}, Rdm {Yes(Rdm.IsSupported)}");
        else
            text.AppendLine($"X86        AVX {Yes(Avx.IsSupported)}, AVX2 {Yes(Avx2.IsSupported)}, FMA {Yes(Fma.IsSupported)}, AVX-512F {Yes(Avx512F.IsSupported)}");
        text.AppendLine($"SiLU path  {Simd.SimdSelection.Explanation}");
        LoadedOpenBlas blas = OpenBlasLoader.Loaded;
        text.AppendLine($"OpenBLAS   {OpenBlasLibrary.ConfigString.Trim()}");
        text.AppendLine($"BLAS core  {OpenBlasLibrary.CoreNameString}, threading {ParallelName(OpenBlasLibrary.GetParallel())}, {OpenBlasLibrary.GetNumThreads()} threads");
        text.Append($"BLAS path  {blas.LoadedFrom}");
        return text.ToString();
    }

    /// <summary>
    /// The CPU model name from /proc/cpuinfo with its family and model numbers and, for AMD's Zen families, the
    /// microarchitecture (virtual machines often report only "AMD EPYC"); the architecture if unavailable.
    /// </summary>
    public static string CpuModel()
    {
        try
        {
            string? name = null, vendor = null;
            int family = -1, model = -1;
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.Length == 0) break; // the first processor's block is enough
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
                if (key == "model name") name = value;
                else if (key == "vendor_id") vendor = value;
                else if (key == "cpu family") _ = int.TryParse(value, out family);
                else if (key == "model") _ = int.TryParse(value, out model);
            }
            if (name is not null)
            {
                string cpu = family < 0 ? name : $"{name} (family {family}, model {model}{ZenName(vendor, family, model)})";
                // Under user-mode emulation (qemu-aarch64 on an x64 host) /proc/cpuinfo describes the host.
                bool x86Host = vendor is "AuthenticAMD" or "GenuineIntel";
                bool x86Process = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;
                return x86Host == x86Process ? cpu : $"{RuntimeInformation.ProcessArchitecture}, emulated on {cpu}";
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    // AMD's family/model ranges of the Zen generations (family 0x17 Zen to Zen 2, 0x19 Zen 3 and Zen 4, 0x1A Zen 5).
    private static string ZenName(string? vendor, int family, int model) => vendor != "AuthenticAMD" ? "" : family switch
    {
        0x17 => model >= 0x30 ? ": Zen 2" : ": Zen/Zen+",
        0x19 => model is >= 0x10 and <= 0x1F or >= 0x60 and <= 0x7F or >= 0xA0 and <= 0xAF ? ": Zen 4" : ": Zen 3",
        0x1A => ": Zen 5",
        _ => "",
    };

    private static string Accel(bool b) => b ? "accelerated" : "software";
    private static string Yes(bool b) => b ? "yes" : "no";
    private static string ParallelName(int p) => p switch { 0 => "sequential", 1 => "pthreads", 2 => "OpenMP", _ => $"unknown ({p})" };
}
