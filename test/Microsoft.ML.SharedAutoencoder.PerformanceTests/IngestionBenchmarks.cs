using System;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Streaming;

namespace Microsoft.ML.SharedAutoencoder.PerformanceTests
{
    /// <summary>
    /// Reading the input column into the training buffer (issue 14, part 2): a plain cursor loop copying each row's
    /// VBuffer into one N×n float[] against Fit's checked reader (<see cref="DataViewTrainingRows"/>), on an
    /// <c>mlContext.Data.Cache</c>d view that is already filled (n = 784).
    /// </summary>
    [Config(typeof(BenchmarkSettings))]
    public class IngestionBenchmarks
    {
        private MLContext _ml = null!;
        private IHost _host = null!;
        private IDataView _data = null!;

        [Params(100_000, 1_000_000)]
        public int Rows { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            _ml = new MLContext(1);
            _host = ((IHostEnvironment)_ml).Register("ingestion");
            _data = CachedRows(_ml, Rows);
        }

        /// <summary>The baseline: one cursor, one getter, each row's values copied into the N×n buffer.</summary>
        [Benchmark(Baseline = true)]
        public float[] PlainCopyLoop() => PlainCopy(_data, Rows);

        /// <summary>What Fit does when the rows fit in memory: the checked reader into one dense buffer.</summary>
        [Benchmark]
        public float[] FitReader() => new DataViewTrainingRows(_host, _data, "Features", Workloads.InputSize, Rows, headLimit: Rows).Head(Rows).Values;

        /// <summary>One streamed pass's reading: every row through the checked reader, one 8,192-row wave at a time.</summary>
        [Benchmark]
        public long StreamedPass() => StreamAll(_host, _data, Rows);

        /// <summary><paramref name="rows"/> rows of the bilinear model (n = 784), cached and read once so the cache is full.</summary>
        public static IDataView CachedRows(MLContext ml, int rows)
        {
            IDataView cached = ml.Data.Cache(ml.Data.LoadFromBilinearModel(Workloads.ModelOptions(10), rows));
            PlainCopy(cached, rows);
            return cached;
        }

        public sealed class Row
        {
            [VectorType(Workloads.InputSize)]
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        /// <summary>The same rows from <c>LoadFromEnumerable</c> (images: many exact zeros), cached and filled.</summary>
        public static IDataView CachedEnumerable(MLContext ml, int rows)
        {
            var random = new Random(1);
            var items = new Row[rows];
            for (int t = 0; t < rows; t++)
            {
                var f = new float[Workloads.InputSize];
                for (int j = 0; j < f.Length; j++)
                    f[j] = random.Next(3) == 0 ? 0 : (float)random.NextDouble();
                items[t] = new Row { Features = f };
            }
            IDataView cached = ml.Data.Cache(ml.Data.LoadFromEnumerable(items));
            PlainCopy(cached, rows);
            return cached;
        }

        public static float[] PlainCopy(IDataView data, int rows)
        {
            var column = data.Schema["Features"];
            var values = new float[(long)rows * Workloads.InputSize];
            using var cursor = data.GetRowCursor(new[] { column });
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            long offset = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                value.GetValues().CopyTo(values.AsSpan((int)offset, Workloads.InputSize));
                offset += Workloads.InputSize;
            }
            return values;
        }

        internal static long StreamAll(IHost host, IDataView data, int rows)
        {
            var source = new DataViewTrainingRows(host, data, "Features", Workloads.InputSize, rows, headLimit: 0);
            var wave = new float[8192 * Workloads.InputSize];
            long total = 0;
            using var reader = source.OpenReader();
            int count;
            while ((count = reader.Read(wave, 8192)) > 0)
                total += count;
            return total;
        }
    }
}
