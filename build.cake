// GnKernels build script (Cake 7). Public targets: Native, Build, Test, Bench, Pack, Arm64Smoke, Demo (default: Test).
//   dotnet tool restore && dotnet cake --target=Test
// Tasks whose names start with '_' are steps composed into the public targets, not meant to be run alone.
using System.Xml.Linq;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var benchFilter = Argument("filter", "*");
var benchSuite = Argument("suite", "short"); // short (< 10 min on 2 cores) or full
var demoArgs = Argument("demo-args", "");

var root = MakeAbsolute(Directory("."));
var artifacts = root.Combine("artifacts");
var stageDirs = new (string Rid, string DebianArch)[] { ("linux-x64", "amd64"), ("linux-arm64", "arm64") }
    .Select(r => (r.Rid, r.DebianArch, Dir: root.Combine($"native/runtimes/{r.Rid}/native"))).ToArray();
var solution = root.CombineWithFilePath("GnKernels.sln");

// The ISA matrix: each run sets the runtime's switches and tells the tests what must then hold.
var isaMatrix = new (string Name, Dictionary<string, string> Env)[]
{
    ("default", new() { ["GNKERNELS_EXPECT_ISA"] = "default" }),
    ("no-avx512", new() { ["DOTNET_EnableAVX512"] = "0", ["GNKERNELS_EXPECT_ISA"] = "no-avx512" }),
    ("no-avx2", new() { ["DOTNET_EnableAVX2"] = "0", ["GNKERNELS_EXPECT_ISA"] = "no-avx2" }),
    ("no-intrinsics", new() { ["DOTNET_EnableHWIntrinsic"] = "0", ["GNKERNELS_EXPECT_ISA"] = "no-intrinsics" }),
};

Task("Native")
    .Description("Stage Debian's OpenBLAS and its Fortran runtime into native/runtimes/linux-{x64,arm64}/native.")
    .Does(() =>
{
    foreach (var (rid, debianArch, dir) in stageDirs)
        Run("bash", $"native/stage-openblas.sh \"{dir}\" {debianArch}", root);
});

void Run(string program, string arguments, DirectoryPath workingDirectory)
{
    var exit = StartProcess(program, new ProcessSettings { Arguments = arguments, WorkingDirectory = workingDirectory });
    if (exit != 0) throw new CakeException($"'{program} {arguments}' failed with exit code {exit}.");
}

Task("Build")
    .Description("Build the whole solution.")
    .IsDependentOn("Native")
    .Does(() =>
{
    DotNetBuild(solution.FullPath, new DotNetBuildSettings { Configuration = configuration, NoLogo = true });
});

Task("Test")
    .Description("Check the package (Pack), run the test suite once per ISA setting and the arm64 smoke run; print 'N passed, N failed' over all.")
    .IsDependentOn("Pack")
    .Does(() =>
{
    int passed = 0, failed = 0, skipped = 0;
    var failedRuns = new List<string>();
    var resultsDir = artifacts.Combine("test-results");
    CleanDirectory(resultsDir);
    foreach (var (name, env) in isaMatrix)
    {
        Information($"== Test run '{name}': {string.Join(" ", env.Select(kv => $"{kv.Key}={kv.Value}"))}");
        var trx = resultsDir.CombineWithFilePath($"{name}.trx");
        var settings = new DotNetTestSettings
        {
            Configuration = configuration,
            NoBuild = true,
            NoLogo = true,
            Loggers = { $"trx;LogFileName={trx.FullPath}", "console;verbosity=minimal" },
            EnvironmentVariables = env,
        };
        try { DotNetTest("tests/GnKernels.Tests/GnKernels.Tests.csproj", settings); }
        catch (Exception e) { failedRuns.Add(name); Warning($"Run '{name}': {e.Message}"); }

        if (!FileExists(trx)) { failedRuns.Add(name + " (no results)"); failed++; continue; }
        var counters = XDocument.Load(trx.FullPath).Descendants().First(e => e.Name.LocalName == "Counters");
        int p = (int)counters.Attribute("passed"), f = (int)counters.Attribute("failed"), t = (int)counters.Attribute("total");
        passed += p; failed += f; skipped += t - p - f;
        Information($"   {name}: {p} passed, {f} failed, {t - p - f} not run");
    }
    Information("== arm64 smoke run under qemu-aarch64, compared with x64");
    try
    {
        var (p, f) = RunArm64Smoke();
        passed += p; failed += f;
        if (f > 0) failedRuns.Add("arm64-smoke");
    }
    catch (Exception e) { failedRuns.Add("arm64-smoke"); failed++; Warning($"arm64 smoke: {e.Message}"); }
    Information($"ISA runs: {string.Join(", ", isaMatrix.Select(r => r.Name))}; arm64 under emulation");
    var summary = $"{passed} passed, {failed} failed, {skipped} skipped";
    System.IO.File.WriteAllText(resultsDir.CombineWithFilePath("summary.txt").FullPath, summary + "\n");
    Console.WriteLine(summary);
    if (failed > 0 || failedRuns.Count > 0)
        throw new CakeException($"Tests failed in: {string.Join(", ", failedRuns.Distinct())}");
});

Task("Bench")
    .Description("Run the benchmark suite (BenchmarkDotNet; --suite=short|full, --filter=...) and write results to artifacts/bench.")
    .IsDependentOn("Native")
    .Does(() =>
{
    var exit = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = $"run -c Release --project bench/GnKernels.Benchmarks -- --filter \"{benchFilter}\"{(benchSuite == "full" ? "" : " --short")} --artifacts \"{artifacts.Combine("bench")}\"",
        WorkingDirectory = root,
    });
    if (exit != 0) throw new CakeException($"Benchmarks failed with exit code {exit}.");
});

Task("Pack")
    .Description("Pack the GnKernels NuGet package (with the staged OpenBLAS) into artifacts/package; check its native files and that a consumer loads them.")
    .IsDependentOn("Build")
    .Does(() =>
{
    var packageDir = artifacts.Combine("package");
    CleanDirectory(packageDir);
    DotNetPack("src/GnKernels/GnKernels.csproj", new DotNetPackSettings
    {
        Configuration = configuration, NoBuild = true, NoLogo = true, OutputDirectory = packageDir,
    });
    // A package without the staged OpenBLAS would load whatever libopenblas the consumer's machine has, or none.
    var package = GetFiles(packageDir.CombineWithFilePath("*.nupkg").FullPath).Single();
    using var zip = System.IO.Compression.ZipFile.OpenRead(package.FullPath);
    var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
    var staged = stageDirs.SelectMany(stage => GetFiles(stage.Dir.FullPath + "/**/*")
        .Where(f => !f.GetFilename().FullPath.StartsWith('.'))   // the staging script's lock file
        .Select(f => $"runtimes/{stage.Rid}/native/" + stage.Dir.GetRelativePath(f).FullPath)).ToList();
    var missing = staged.Where(path => !entries.Contains(path)).ToList();
    var unstaged = stageDirs.Where(stage => !FileExists(stage.Dir.CombineWithFilePath("libopenblas.so.0"))).Select(stage => stage.Dir.FullPath).ToList();
    if (unstaged.Count > 0 || missing.Count > 0)
        throw new CakeException($"{package.GetFilename()} lacks staged native files: {(unstaged.Count > 0 ? $"nothing is staged in {string.Join(", ", unstaged)}" : string.Join(", ", missing))}.");
    Information($"{package.GetFilename()}: {entries.Count(e => e.StartsWith("runtimes/"))} native files, as staged.");
    CheckPackageLoadsOpenBlas(package, packageDir);
});

// A console app restores the package from artifacts/package into a packages folder of its own (so no cached copy stands
// in; its one dependency comes from the global packages folder, offline) and prints Describe(): the OpenBLAS it loads
// must be the one the package carried into its output.
void CheckPackageLoadsOpenBlas(FilePath package, DirectoryPath packageDir)
{
    var consumer = artifacts.Combine("package-consumer");
    WriteConsumerProject(consumer, package, "<PlatformTarget>x64</PlatformTarget>", "");
    System.IO.File.WriteAllText(consumer.CombineWithFilePath("Program.cs").FullPath, "System.Console.WriteLine(GnKernels.Platform.Describe());");
    string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    Run("dotnet", $"restore consumer.csproj --packages packages --source \"{packageDir}\" --source \"{globalPackages}\"", consumer);
    int exit = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = "run --no-restore -c Release", WorkingDirectory = consumer, RedirectStandardOutput = true, RedirectStandardError = true,
    }, out IEnumerable<string> output, out IEnumerable<string> errors);
    string blasPath = output.FirstOrDefault(line => line.StartsWith("BLAS path"))?["BLAS path".Length..].Trim() ?? "(none)";
    if (exit != 0 || !blasPath.StartsWith(consumer.FullPath + "/") || !System.IO.File.Exists(blasPath))
        throw new CakeException($"A consumer of {package.GetFilename()} (exit code {exit}) loaded OpenBLAS from {blasPath}, not from its own " +
            $"output ({consumer}): the package does not carry a loadable OpenBLAS. Its output:\n{string.Join("\n", output.Concat(errors))}");
    Information($"A consumer of {package.GetFilename()} loads {blasPath}.");
}

// A fresh console project that references exactly this package version; guarded against the repository's
// Directory.Build.props and central package versions.
void WriteConsumerProject(DirectoryPath consumer, FilePath package, string properties, string items)
{
    CleanDirectory(consumer);
    System.IO.File.WriteAllText(consumer.CombineWithFilePath("Directory.Build.props").FullPath, "<Project />");
    System.IO.File.WriteAllText(consumer.CombineWithFilePath("Directory.Packages.props").FullPath, "<Project />");
    string version = package.GetFilenameWithoutExtension().FullPath["GnKernels.".Length..];
    System.IO.File.WriteAllText(consumer.CombineWithFilePath("consumer.csproj").FullPath,
        "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework>" +
        $"<Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings>{properties}</PropertyGroup><ItemGroup>" +
        $"<PackageReference Include=\"GnKernels\" Version=\"[{version}]\" />{items}</ItemGroup></Project>");
}

// The smoke program (tests/GnKernels.Smoke) as an arm64 consumer of the package: published self-contained for
// linux-arm64 from the package (so the package's arm64 OpenBLAS is what it loads), run under qemu-aarch64 with an arm64
// glibc (native/stage-arm64-emulator.sh), and its results compared with the same program's on this x64 machine.
Task("Arm64Smoke")
    .Description("Publish the smoke program for linux-arm64 from the package, run it under qemu-aarch64 and compare it with x64.")
    .IsDependentOn("Pack")
    .Does(() =>
{
    var (passed, failed) = RunArm64Smoke();
    if (failed > 0) throw new CakeException($"The arm64 smoke run differs from x64 beyond the documented tolerances (docs/accuracy.md).");
});

// Returns the comparison's counts; throws if a step before it fails.
(int Passed, int Failed) RunArm64Smoke()
{
    var smoke = artifacts.Combine("arm64-smoke");
    var emulator = smoke.Combine("emulator");
    Run("bash", $"native/stage-arm64-emulator.sh \"{emulator}\"", root);

    var packageDir = artifacts.Combine("package");
    var package = GetFiles(packageDir.CombineWithFilePath("*.nupkg").FullPath).Single();
    var consumer = smoke.Combine("consumer");
    WriteConsumerProject(consumer, package, "<InvariantGlobalization>true</InvariantGlobalization><RootNamespace>GnKernels.Smoke</RootNamespace>",
        $"<Compile Include=\"{root}/tests/GnKernels.Smoke/*.cs\" />");
    // The package comes from artifacts/package only, into a packages folder of its own; the arm64 runtime pack from the
    // machine's configured NuGet feed.
    System.IO.File.WriteAllText(consumer.CombineWithFilePath("NuGet.config").FullPath,
        $"<configuration><packageSources><add key=\"gnkernels-local\" value=\"{packageDir}\" /></packageSources>" +
        "<packageSourceMapping><packageSource key=\"gnkernels-local\"><package pattern=\"GnKernels\" /></packageSource>" +
        "<packageSource key=\"nuget.org\"><package pattern=\"*\" /></packageSource></packageSourceMapping></configuration>");
    var publish = smoke.Combine("publish");
    Run("dotnet", $"publish consumer.csproj -c Release -r linux-arm64 --self-contained --packages packages -o \"{publish}\" -nologo", consumer);

    var arm64Result = smoke.CombineWithFilePath("arm64.json");
    var x64Result = smoke.CombineWithFilePath("x64.json");
    Run(emulator.CombineWithFilePath("qemu-aarch64-static").FullPath,
        $"-L \"{emulator.Combine("sysroot")}\" \"{publish.CombineWithFilePath("consumer")}\" run --out \"{arm64Result}\"", smoke);
    var x64Smoke = root.CombineWithFilePath($"artifacts/bin/GnKernels.Smoke/{configuration.ToLowerInvariant()}/GnKernels.Smoke");
    Run(x64Smoke.FullPath, $"run --out \"{x64Result}\"", smoke);

    int exit = StartProcess(x64Smoke.FullPath, new ProcessSettings
    {
        Arguments = $"compare \"{x64Result}\" \"{arm64Result}\"", WorkingDirectory = smoke, RedirectStandardOutput = true,
    }, out IEnumerable<string> comparisonOutput);
    var comparison = comparisonOutput.ToList(); // the output can be enumerated once
    foreach (string line in comparison) Information(line);
    var counts = System.Text.RegularExpressions.Regex.Match(comparison.LastOrDefault() ?? "", @"^(\d+) passed, (\d+) failed$");
    if (!counts.Success) throw new CakeException($"The arm64 comparison printed no 'N passed, N failed' line (exit code {exit}).");
    return (int.Parse(counts.Groups[1].Value), int.Parse(counts.Groups[2].Value));
}

Task("Demo")
    .Description("The main job: run gnk (see README).")
    .IsDependentOn("Build")
    .Does(() =>
{
    var exit = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = $"run -c {configuration} --no-build --project src/GnKernels.Cli -- {(demoArgs.Length > 0 ? demoArgs : "train --step fixed --out artifacts/gnk-train")}",
        WorkingDirectory = root,
    });
    if (exit != 0) throw new CakeException($"gnk exited with code {exit}.");
});

RunTarget(target);
