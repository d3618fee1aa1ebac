using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace GnKernels.Tests;

/// <summary>
/// Every ```csharp block of README.md is a whole program (top-level statements): it is compiled as a console app
/// with a new project's implicit usings against this build of GnKernels, run, and must finish and print something.
/// </summary>
public sealed partial class ReadMeTests(ITestOutputHelper output)
{
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Threading", "System.Threading.Tasks"];

    public static TheoryData<int> Blocks => new(Enumerable.Range(0, CodeBlocks().Count));

    [Fact]
    public void The_readme_has_the_quick_starts()
    {
        var blocks = CodeBlocks();
        Assert.True(blocks.Count >= 4, $"README.md has {blocks.Count} C# blocks; the quick starts are four.");
        foreach (string api in new[] { "SiluKernels.", "Cholesky<double>", "GaussNewtonSystem", "Trainer.Train" })
            Assert.Contains(blocks, b => b.Code.Contains(api, StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(Blocks))]
    public void A_readme_example_compiles_and_runs(int index)
    {
        var (line, code) = CodeBlocks()[index];
        Assembly program = Compile(code, $"README.md, the C# block at line {line}");
        var console = Console.Out;
        var printed = new StringWriter();
        Console.SetOut(printed);
        try { program.EntryPoint!.Invoke(null, program.EntryPoint.GetParameters().Length == 0 ? null : [Array.Empty<string>()]); }
        finally { Console.SetOut(console); }
        output.WriteLine(printed.ToString());
        Assert.False(string.IsNullOrWhiteSpace(printed.ToString()), $"The README block at line {line} printed nothing.");
    }

    private static Assembly Compile(string code, string where)
    {
        string usings = string.Concat(ImplicitUsings.Select(u => $"global using {u};\n"));
        var trees = new[] { CSharpSyntaxTree.ParseText(usings), CSharpSyntaxTree.ParseText(code, path: where) };
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(Platform).Assembly.Location)
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create($"ReadMe{Guid.NewGuid():N}", trees, references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(emitted.Success && problems.Count == 0, $"{where} does not compile cleanly:\n{string.Join("\n", problems)}");
        return Assembly.Load(image.ToArray());
    }

    /// <summary>The C# blocks of README.md with the line each starts on.</summary>
    private static List<(int Line, string Code)> CodeBlocks()
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md")).ReplaceLineEndings("\n");
        return CSharpBlock().Matches(text)
            .Select(m => (text[..m.Index].Count(c => c == '\n') + 2, m.Groups["code"].Value))
            .ToList();
    }

    [GeneratedRegex(@"^```csharp\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
