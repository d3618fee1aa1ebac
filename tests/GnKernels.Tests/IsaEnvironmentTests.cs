using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GnKernels.Tests;

/// <summary>The ISA matrix (build.cake) sets runtime switches per run; each run first proves its switch took effect.</summary>
public class IsaEnvironmentTests
{
    [Fact]
    public void The_requested_isa_setting_took_effect()
    {
        string expected = Environment.GetEnvironmentVariable("GNKERNELS_EXPECT_ISA") ?? "default";
        switch (expected)
        {
            case "default":
                Assert.Equal(Avx512F.IsSupported, Vector512.IsHardwareAccelerated);
                break;
            case "no-avx512":
                Assert.False(Avx512F.IsSupported, "DOTNET_EnableAVX512=0 did not disable AVX-512");
                Assert.False(Vector512.IsHardwareAccelerated);
                break;
            case "no-avx2":
                Assert.False(Avx2.IsSupported, "DOTNET_EnableAVX2=0 did not disable AVX2");
                Assert.False(Fma.IsSupported, "FMA should go with AVX2 on .NET 10");
                Assert.False(Vector512.IsHardwareAccelerated);
                break;
            case "no-intrinsics":
                Assert.False(Vector128.IsHardwareAccelerated, "DOTNET_EnableHWIntrinsic=0 did not disable Vector128");
                Assert.False(Sse2.IsSupported);
                break;
            default:
                Assert.Fail($"Unknown GNKERNELS_EXPECT_ISA '{expected}'.");
                break;
        }
    }
}
