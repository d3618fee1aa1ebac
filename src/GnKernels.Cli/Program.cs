using System.CommandLine;
using GnKernels.Cli.Commands;
using GnKernels.Data;
using GnKernels.Native;

// Every failure ends here as one line on standard error and a documented exit code (CommandLine): 2 for what the
// user can fix in the command or its input, 3 for the native library.
try
{
    if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 120; // tables stay readable in logs
    ParseResult parse = CommandLine.Build().Parse(args);
    if (parse.Errors.Count > 0)
    {
        string command = parse.CommandResult.Command.Name;
        // One line, as every error: the parser lists the allowed values of a choice on lines of their own.
        string message = System.Text.RegularExpressions.Regex.Replace(parse.Errors[0].Message, @"\s*[\r\n]+\s*", " ");
        Console.Error.WriteLine($"gnk: {message} See 'gnk {(command == "gnk" ? "" : command + " ")}--help'.");
        return CommandLine.BadInput;
    }
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (OpenBlasNotFoundException e)
{
    return Fail(e.Message, CommandLine.NativeMissing);
}
catch (NotSupportedException e)
{
    return Fail(e.Message, CommandLine.NativeMissing);
}
catch (TypeInitializationException e) when (e.InnerException is ArgumentException inner)
{
    return Fail(inner.Message, CommandLine.BadInput); // an environment setting such as GNKERNELS_ISA, read once per process
}
catch (Exception e) when (e is DataFormatException or FileNotFoundException or InsufficientMemoryException or ArgumentException)
{
    return Fail(e.Message, CommandLine.BadInput);
}

static int Fail(string message, int code)
{
    Console.Error.WriteLine($"gnk: {message}");
    return code;
}
