using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;

namespace GnKernels.Benchmarks.Support;

/// <summary>The suite's shared configuration: memory diagnoser, roofline columns, markdown + full JSON export.</summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.ShortRun.WithId("short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new GflopsColumn(), new RooflineFractionColumn(), new ElementsPerNsColumn(), StatisticColumn.Median);
        AddExporter(MarkdownExporter.GitHub, JsonExporter.Full);
        WithOptions(ConfigOptions.JoinSummary);
    }
}
