using System.Text.Json;
using GnKernels.Smoke;

// smoke run --out FILE        runs the checks here, writes what they computed; exit 1 if a self-check failed
// smoke compare FILE FILE     compares two machines' results within the documented tolerances; exit 1 if one fails
var json = new JsonSerializerOptions { WriteIndented = true };
switch (args)
{
    case ["run", "--out", string path]:
    {
        SmokeResult result = SmokeChecks.Run();
        File.WriteAllText(path, JsonSerializer.Serialize(result, json));
        Console.WriteLine(result.Platform);
        foreach (string failure in result.Failures) Console.WriteLine($"FAILED {failure}");
        Console.WriteLine($"self-checks: {(result.Failures.Length == 0 ? "all passed" : $"{result.Failures.Length} failed")}; wrote {path}");
        return result.Failures.Length == 0 ? 0 : 1;
    }
    case ["compare", string first, string second]:
    {
        var a = JsonSerializer.Deserialize<SmokeResult>(File.ReadAllText(first))!;
        var b = JsonSerializer.Deserialize<SmokeResult>(File.ReadAllText(second))!;
        var lines = SmokeComparison.Compare(a, b);
        foreach (var (quantity, passed, detail) in lines) Console.WriteLine($"{(passed ? "passed" : "FAILED")} {quantity}: {detail}");
        int failed = lines.Count(l => !l.Passed) + a.Failures.Length + b.Failures.Length;
        Console.WriteLine($"{lines.Count(l => l.Passed)} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
    default:
        Console.Error.WriteLine("usage: smoke run --out FILE | smoke compare FILE FILE");
        return 2;
}
