// GnKernels build script (Cake 7). Public targets: Native, Build, Test, Bench, Pack, Demo (default: Test).
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
var stageDir = root.Combine("native/runtimes/linux-x64/native");
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
    .Description("Stage Debian's OpenBLAS and its Fortran runtime into native/runtimes/linux-x64/native.")
    .Does(() =>
{
    var exit = StartProcess("bash", new ProcessSettings { Arguments = $"native/stage-openblas.sh \"{stageDir}\"", WorkingDirectory = root });
    if (exit != 0) throw new CakeException($"native/stage-openblas.sh failed with exit code {exit}.");
});

Task("Build")
    .Description("Build the whole solution.")
    .IsDependentOn("Native")
    .Does(() =>
{
    DotNetBuild(solution.FullPath, new DotNetBuildSettings { Configuration = configuration, NoLogo = true });
});

Task("Test")
    .Description("Check the package (Pack), then run the test suite once per ISA setting; print 'N passed, N failed' over all runs.")
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
    Information($"ISA runs: {string.Join(", ", isaMatrix.Select(r => r.Name))}");
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
    var staged = GetFiles(stageDir.FullPath + "/**/*")
        .Where(f => !f.GetFilename().FullPath.StartsWith('.'))   // the staging script's lock file
        .Select(f => "runtimes/linux-x64/native/" + stageDir.GetRelativePath(f).FullPath).ToList();
    var missing = staged.Where(path => !entries.Contains(path)).ToList();
    if (staged.Count == 0 || missing.Count > 0)
        throw new CakeException($"{package.GetFilename()} lacks staged native files: {(staged.Count == 0 ? $"nothing is staged in {stageDir}" : string.Join(", ", missing))}.");
    Information($"{package.GetFilename()}: {entries.Count(e => e.StartsWith("runtimes/"))} native files, as staged.");
    CheckPackageLoadsOpenBlas(package, packageDir);
});

// A console app restores the package from artifacts/package into a packages folder of its own (so no cached copy stands
// in; its one dependency comes from the global packages folder, offline) and prints Describe(): the OpenBLAS it loads
// must be the one the package carried into its output.
void CheckPackageLoadsOpenBlas(FilePath package, DirectoryPath packageDir)
{
    var consumer = artifacts.Combine("package-consumer");
    CleanDirectory(consumer);
    // Guards against the repository's Directory.Build.props and central package versions.
    System.IO.File.WriteAllText(consumer.CombineWithFilePath("Directory.Build.props").FullPath, "<Project />");
    System.IO.File.WriteAllText(consumer.CombineWithFilePath("Directory.Packages.props").FullPath, "<Project />");
    string version = package.GetFilenameWithoutExtension().FullPath["GnKernels.".Length..];
    System.IO.File.WriteAllText(consumer.CombineWithFilePath("consumer.csproj").FullPath,
        "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework>" +
        "<PlatformTarget>x64</PlatformTarget></PropertyGroup><ItemGroup>" +
        $"<PackageReference Include=\"GnKernels\" Version=\"[{version}]\" /></ItemGroup></Project>");
    System.IO.File.WriteAllText(consumer.CombineWithFilePath("Program.cs").FullPath, "System.Console.WriteLine(GnKernels.Platform.Describe());");
    string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    var restore = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = $"restore consumer.csproj --packages packages --source \"{packageDir}\" --source \"{globalPackages}\"",
        WorkingDirectory = consumer,
    });
    if (restore != 0) throw new CakeException($"A consumer project could not restore {package.GetFilename()} (dotnet restore exited with {restore}).");
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
