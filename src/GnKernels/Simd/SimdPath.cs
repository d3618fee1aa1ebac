using System.Runtime.Intrinsics;

namespace GnKernels.Simd;

/// <summary>The vector width a kernel runs at.</summary>
public enum SimdPath
{
    /// <summary>One element at a time (portable fallback).</summary>
    Scalar,
    /// <summary>Vector128.</summary>
    V128,
    /// <summary>Vector256.</summary>
    V256,
    /// <summary>Vector512.</summary>
    V512,
}

/// <summary>
/// The path the public kernels take, chosen once per process: the widest hardware-accelerated width, or the
/// one forced by <c>GNKERNELS_ISA=auto|scalar|v128|v256|v512</c>, clamped to what the hardware accelerates.
/// </summary>
public static class SimdSelection
{
    /// <summary>The environment variable that forces a path.</summary>
    public const string EnvironmentVariable = "GNKERNELS_ISA";

    static SimdSelection()
    {
        Widest = Vector512.IsHardwareAccelerated ? SimdPath.V512
            : Vector256.IsHardwareAccelerated ? SimdPath.V256
            : Vector128.IsHardwareAccelerated ? SimdPath.V128
            : SimdPath.Scalar;
        (Requested, Selected, Explanation) = Choose(Environment.GetEnvironmentVariable(EnvironmentVariable), Widest);
    }

    /// <summary>The widest path this process's hardware (and runtime switches) accelerate.</summary>
    public static SimdPath Widest { get; }

    /// <summary>The path asked for by <c>GNKERNELS_ISA</c>, or null for auto.</summary>
    public static SimdPath? Requested { get; }

    /// <summary>The path the public kernels use.</summary>
    public static SimdPath Selected { get; }

    /// <summary>How <see cref="Selected"/> came about, e.g. "V256 (GNKERNELS_ISA=v512 clamped: widest accelerated is V256)".</summary>
    public static string Explanation { get; }

    internal static (SimdPath? Requested, SimdPath Selected, string Explanation) Choose(string? setting, SimdPath widest)
    {
        string value = (setting ?? "").Trim().ToLowerInvariant();
        SimdPath? requested = value switch
        {
            "" or "auto" => null,
            "scalar" => SimdPath.Scalar,
            "v128" => SimdPath.V128,
            "v256" => SimdPath.V256,
            "v512" => SimdPath.V512,
            _ => throw new ArgumentException(
                $"{EnvironmentVariable}='{setting}' is not a path. Allowed: auto, scalar, v128, v256, v512.", nameof(setting)),
        };
        if (requested is null) return (null, widest, $"{widest} (auto: widest accelerated)");
        if (requested <= widest) return (requested, requested.Value, $"{requested} (forced by {EnvironmentVariable}={value})");
        return (requested, widest, $"{widest} ({EnvironmentVariable}={value} clamped: widest accelerated is {widest})");
    }
}
