using BenchmarkDotNet.Running;

// Every report starts with the platform description, so results from different machines are comparable.
Console.WriteLine(GnKernels.Platform.Describe());
Console.WriteLine();
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
