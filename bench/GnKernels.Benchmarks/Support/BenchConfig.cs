using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;

namespace GnKernels.Benchmarks.Support;

/// <summary>The suite's shared configuration: short runs (or the <see cref="IsaJobs"/>), memory diagnoser, roofline
/// columns, markdown + full JSON export.</summary>
public class BenchConfig : ManualConfig
{
    public BenchConfig() : this(Job.ShortRun.WithId("short")) { }

    protected BenchConfig(Job job)
    {
        if (IsaJobs.Enabled) AddJob([.. IsaJobs.Jobs(job)]);
        else AddJob(job);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new GflopsColumn(), new RooflineFractionColumn(), new ElementsPerNsColumn(), new BandwidthColumn(), new CopyFractionColumn(),
            new TimeRatioColumn(), StatisticColumn.Median);
        AddExporter(MarkdownExporter.GitHub, JsonExporter.Full);
        WithOptions(ConfigOptions.JoinSummary);
    }
}
