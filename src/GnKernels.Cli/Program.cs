using GnKernels;
using GnKernels.Native;

try
{
    if (args.Length == 0 || args[0] is "info")
    {
        Console.WriteLine(Platform.Describe());
        return 0;
    }
    Console.Error.WriteLine($"gnk: unknown command '{args[0]}'. Commands: info.");
    return 2;
}
catch (OpenBlasNotFoundException e)
{
    Console.Error.WriteLine($"gnk: {e.Message}");
    return 3;
}
catch (NotSupportedException e)
{
    Console.Error.WriteLine($"gnk: {e.Message}");
    return 3;
}
