using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.PerformanceTests
{
    /// <summary>
    /// <c>-- fashion dir [m] [iterations]</c> (default m = 1,024, 0 iterations): the real-size benchmark. Fashion-MNIST's 60,000 training rows
    /// (784 pixels in [0, 1]), Whiten (PCA, rank 100, ε = 10·trace(C)/n) then SharedAutoencoder (m units, Samples
    /// initialization, no gradient step by default, split soft threshold α = 0.3 carried by the bias b = −α as the
    /// <c>fashion</c> example does); prints the Fit time (wall and process CPU, with the load average) and the encoding
    /// throughput of the fitted pipeline (a cursor over the code column of all 60,000 rows) and of the autoencoder alone
    /// on whitened rows.
    /// </summary>
    internal static class FashionBenchmark
    {
        public static int Run(string directory, int hiddenUnits, int iterations)
        {
            string images = Path.Combine(directory, "train-images-idx3-ubyte.gz");
            if (!File.Exists(images))
            {
                Console.Error.WriteLine($"{images} not found: apt-get install -y dataset-fashion-mnist");
                return 1;
            }
            var ml = new MLContext(seed: 1);
            var clock = Stopwatch.StartNew();
            if (Environment.GetEnvironmentVariable("SAE_VERBOSE") == "1")
                ml.Log += (_, e) => { if (e.Source.Contains("Autoencoder", StringComparison.Ordinal) || e.Source.Contains("Whiten", StringComparison.Ordinal)) Console.WriteLine($"{clock.Elapsed.TotalSeconds,7:F1} s {e.Message}"); };
            IDataView raw = ml.Data.LoadFromIdx(images, Path.Combine(directory, "train-labels-idx1-ubyte.gz"));
            IDataView data = ml.Data.Cache(raw);
            long warm = Stopwatch.GetTimestamp();
            Consume(data, "Features");
            Console.WriteLine($"read + cache: {Stopwatch.GetElapsedTime(warm).TotalSeconds:F1} s");

            var whiten = ml.Transforms.Whiten(new WhiteningEstimator.Options { Kind = WhiteningKind.Pca, Rank = 100, Epsilon = 10 * 0.0871f });
            var autoencoder = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // Whitened upstream: no normalization inside the model.
                Normalization = InputNormalization.None,
                HiddenUnits = hiddenUnits,
                Initialization = WeightInitialization.Samples,
                MaximumNumberOfIterations = iterations,
                LearningRate = 1e-3f,
                InitialBias = -0.3f,
                BiasDecay = 1,
                Encoding = CodeEncoding.SoftThreshold,
                SplitPolarity = true,
                EncodingThreshold = 0,
                Seed = 1,
            });
            Console.WriteLine($"load average before Fit: {LoadAverage()}");
            TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            var whitener = whiten.Fit(data);
            double whitenSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            IDataView whitened = ml.Data.Cache(whitener.Transform(data));
            long autoencoderStart = Stopwatch.GetTimestamp();
            var model = autoencoder.Fit(whitened);
            double fitSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double fitCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
            Console.WriteLine($"Fit: whitening {whitenSeconds:F1} s, autoencoder {Stopwatch.GetElapsedTime(autoencoderStart).TotalSeconds:F1} s (incl. caching the whitened rows), total {fitSeconds:F1} s wall, {fitCpuSeconds:F1} s CPU; m = {hiddenUnits}, {iterations} iteration(s), degenerate {model.History.Degenerate}; load average {LoadAverage()}");

            Consume(whitened, "Features");
            for (int repeat = 0; repeat < 2; repeat++)
            {
                long encode = Stopwatch.GetTimestamp();
                long rows = Consume(model.Transform(whitened), "Code");
                double seconds = Stopwatch.GetElapsedTime(encode).TotalSeconds;
                Console.WriteLine($"encode (autoencoder alone, whitened rows cached): {rows:N0} rows in {seconds:F2} s = {rows / seconds:N0} rows/s");
                long pipeline = Stopwatch.GetTimestamp();
                rows = Consume(model.Transform(whitener.Transform(data)), "Code");
                seconds = Stopwatch.GetElapsedTime(pipeline).TotalSeconds;
                Console.WriteLine($"encode (whiten + autoencoder from the pixels): {rows:N0} rows in {seconds:F2} s = {rows / seconds:N0} rows/s");
            }
            return 0;
        }

        /// <summary>The 1, 5 and 15 minute load averages (Linux), to put next to a timing on a shared machine.</summary>
        private static string LoadAverage()
            => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

        private static long Consume(IDataView view, string column)
        {
            long rows = 0;
            using var cursor = view.GetRowCursor(new[] { view.Schema[column] });
            var getter = cursor.GetGetter<VBuffer<float>>(view.Schema[column]);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                rows++;
            }
            return rows;
        }
    }
}
