using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace Microsoft.ML.SharedAutoencoder.PerformanceTests
{
    /// <summary>A short job (the machine is shared: many short iterations, medians reported).</summary>
    public sealed class BenchmarkSettings : ManualConfig
    {
        public BenchmarkSettings()
        {
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(15).WithId("Short"));
            AddColumn(StatisticColumn.Median, StatisticColumn.P95);
            SummaryStyle = SummaryStyle.Default.WithMaxParameterColumnWidth(40);
        }
    }
}
