using GnKernels.Cli.Commands;
using GnKernels.Native;

try
{
    if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 120; // tables stay readable in logs
    return CommandLine.Build().Parse(args).Invoke(new System.CommandLine.InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (OpenBlasNotFoundException e)
{
    Console.Error.WriteLine($"gnk: {e.Message}");
    return CommandLine.NativeMissing;
}
catch (NotSupportedException e)
{
    Console.Error.WriteLine($"gnk: {e.Message}");
    return CommandLine.NativeMissing;
}
catch (InsufficientMemoryException e)
{
    Console.Error.WriteLine($"gnk: {e.Message}");
    return CommandLine.BadInput;
}
