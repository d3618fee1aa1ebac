using GnKernels.Cli.BenchReport;

namespace GnKernels.Tests.Cli;

/// <summary>`gnk bench-report` on two small hand-written result folders: parsing, the fractions of each machine's limits, the charts.</summary>
public class BenchReportTests
{
    private static string Folder(string cpu, string core, double fmaOne, double fmaAll, double copy, string ntkMean, double ntkGflops, double ntkGBps)
    {
        string dir = Path.Combine(Directory.CreateTempSubdirectory("gnk-report-").FullName, cpu.Replace(' ', '-'));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "short-suite-report-github.md"), $$"""
            ```
            GnKernels 0.1.0.0
            CPU        {{cpu}}
            BLAS core  {{core}}, threading pthreads, 2 threads
            ```

            | Type | Method | Job | Threads | Shape | Mean | GFLOP/s | el/ns | GB/s |
            |----- |------- |---- |-------- |------ |-----:|--------:|------:|-----:|
            | **MachineCalibration** | **&#39;FMA peak, one core&#39;** | **short** | **?** | **?** | **1,000.0 ns** | **{{fmaOne}}** | **-** | **-** |
            | MachineCalibration | &#39;FMA peak, all cores&#39; | short | ? | ? | 1,000.0 ns | {{fmaAll}} | - | - |
            | MachineCalibration | &#39;copy, 256 MiB&#39; | short | ? | ? | 10.0 ms | - | - | {{copy}} |
            |  |  |  |  |  |  |  |  |  |
            | NtkBenchmarks | &#39;structured NTK&#39; | short | 2 | 500x5000x10 | {{ntkMean}} | {{ntkGflops}} | - | {{ntkGBps}} |
            """);
        return dir;
    }

    [Fact]
    public void The_report_reads_each_folder_and_divides_by_its_own_limits()
    {
        var a = ResultFolder.Load(Folder("CPU A", "Haswell", 50, 100, 20, "36.5 ms", 68.5, 2.4));
        var b = ResultFolder.Load(Folder("CPU B", "Cooperlake", 40, 80, 10, "1.25 s", 20, 1.0));
        Assert.Equal("CPU A", a.Cpu);
        Assert.Equal("Cooperlake", b.BlasCore);
        var ntk = Assert.Single(a.Rows, r => r.Type == "NtkBenchmarks");
        Assert.Equal(36.5e6, ntk.MeanNs, 1e-6);
        Assert.Equal(2, ntk.Threads);

        string output = Directory.CreateTempSubdirectory("gnk-report-out-").FullName;
        var files = BenchReportWriter.Write([a, b], output);
        string report = File.ReadAllText(files[0]);
        // Two threads: GFLOP/s over the all-core peak; GB/s over the copy.
        Assert.Contains("| structured NTK [Threads=2, Shape=500x5000x10] | short | 36.50 ms, 68.5 GFLOP/s (0.69), 2.4 GB/s (0.12) | 1.25 s, 20.0 GFLOP/s (0.25), 1.0 GB/s (0.10) |", report);
        Assert.Contains("| CPU-A | CPU A | Haswell | 50.0 / 100.0 |", report);
        Assert.All(files.Skip(1), png => Assert.True(new FileInfo(png).Length > 5000, png));
    }
}
