using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using BenchmarkDotNet.Running;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.PerformanceTests
{
    /// <summary>
    /// <c>dotnet run -c Release --project test/Microsoft.ML.SharedAutoencoder.PerformanceTests -- --filter '*'</c> runs the
    /// BenchmarkDotNet suites; <c>-- stream [rows] [passes]</c> runs the streaming soak;
    /// <c>-- steps [repetitions] [workload filter]</c> times the step workloads quickly (median of plain Stopwatch timings);
    /// <c>-- fashion dir [m] [iterations]</c> (default 1024 and 0) times Fit and encoding on Fashion-MNIST (see <see cref="FashionBenchmark"/>);
    /// <c>-- spectral [first] [last] [threads|all] [model] [steps/refits/rounds]</c> times from-scratch recovery at the sparse targets per seed
    /// (see <see cref="SpectralRecoveryBenchmarks"/>).
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length > 0 && args[0] == "stream")
            {
                long rows = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000;
                int passes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
                return Soak(rows, passes);
            }
            if (args.Length > 0 && args[0] == "ingest")
                return QuickIngestion(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5);
            if (args.Length > 0 && args[0] == "fashion")
            {
                if (args.Length < 2)
                {
                    Console.Error.WriteLine("usage: fashion DIR [m] [iterations] (default m = 1024, 0 iterations): DIR holds the Fashion-MNIST IDX files (Debian: apt-get install -y dataset-fashion-mnist).");
                    return 2;
                }
                return FashionBenchmark.Run(args[1],
                    args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1024, args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0);
            }
            if (args.Length > 0 && args[0] == "spectral")
            {
                int first = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
                int last = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : first + 4;
                int? threads = args.Length > 3 && args[3] != "all" ? int.Parse(args[3], CultureInfo.InvariantCulture) : null;
                return SpectralRecoveryBenchmarks.Run(first, last, threads, args.Length > 4 ? args[4] : "", args.Length > 5 ? args[5] : SpectralRecoveryBenchmarks.DefaultRecipe);
            }
            if (args.Length > 0 && args[0] == "steps")
                return QuickSteps(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200, args.Length > 2 ? args[2] : "");
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
            return 0;
        }

        /// <summary>
        /// Trains (full batch, random W⁰) on <paramref name="rows"/> rows generated lazily by the bilinear-model loader,
        /// streamed (MaximumInMemoryRows = 0); prints time and peak/current RSS after every pass to show memory is flat.
        /// </summary>
        private static int Soak(long rows, int passes)
        {
            var ml = new MLContext(1);
            var data = ml.Data.LoadFromBilinearModel(Workloads.ModelOptions(10), rows);
            Console.WriteLine($"Streaming soak: {rows:N0} rows × n = {Workloads.InputSize}, m = 10 ({rows * Workloads.InputSize * 4.0 / 1e9:F1} GB as float32), {passes} passes, {Environment.ProcessorCount} threads.");
            var watch = Stopwatch.StartNew();
            TimeSpan last = TimeSpan.Zero;
            int pass = 0;
            ml.Log += (_, e) =>
            {
                if (!e.Message.Contains("Iteration ", StringComparison.Ordinal) || !e.Message.Contains("loss", StringComparison.Ordinal))
                    return;
                TimeSpan now = watch.Elapsed;
                Console.WriteLine(FormattableString.Invariant(
                    $"pass {pass++}: {(now - last).TotalSeconds:F1} s ({rows / (now - last).TotalSeconds:N0} rows/s), RSS {Status("VmRSS")} MB, peak {Status("VmHWM")} MB | {Tail(e.Message)}"));
                last = now;
            };
            var estimator = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation,
                HiddenUnits = 10,
                MaximumNumberOfIterations = passes - 1, // the pass at W⁰ plus one pass per iteration
                MaximumInMemoryRows = 0,
                Seed = 1,
            });
            estimator.Fit(data);
            Console.WriteLine(FormattableString.Invariant($"total {watch.Elapsed.TotalSeconds:F1} s; peak RSS {Status("VmHWM")} MB"));
            return 0;
        }

        /// <summary>
        /// A quick check between BenchmarkDotNet runs: median and 10th percentile of <paramref name="repetitions"/> timed steps
        /// of each <see cref="StepBenchmarks"/> workload whose name contains <paramref name="workloadFilter"/>, after 20 warm-up steps.
        /// </summary>
        private static int QuickSteps(int repetitions, string workloadFilter)
        {
            foreach (string workload in new[] { "P1 N=10k m=10", "N=100k m=10", "N=10k m=100" })
            {
                if (!workload.Contains(workloadFilter, StringComparison.Ordinal))
                    continue;
                var benchmark = new StepBenchmarks { Workload = workload };
                benchmark.Setup();
                int count = workload.StartsWith("N=100k", StringComparison.Ordinal) ? Math.Max(10, repetitions / 10) : repetitions;
                var times = new double[count];
                for (int i = 0; i < 20; i++)
                    benchmark.Step();
                for (int i = 0; i < count; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    benchmark.Step();
                    times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                benchmark.Cleanup();
                Array.Sort(times);
                Console.WriteLine(FormattableString.Invariant($"{workload,-16} median {times[count / 2],7:F2} ms   p10 {times[count / 10],7:F2} ms   ({count} steps)"));
            }
            return 0;
        }

        /// <summary>
        /// A quick check of <see cref="IngestionBenchmarks"/>: median of <paramref name="repetitions"/> Stopwatch timings of the
        /// plain copy loop, Fit's reader and a streamed pass, and the time from Fit's start to its first gradient pass.
        /// </summary>
        private static int QuickIngestion(int rows, int repetitions)
        {
            var ml = new MLContext(1);
            var host = ((Microsoft.ML.Runtime.IHostEnvironment)ml).Register("ingest");
            var data = Environment.GetEnvironmentVariable("INGEST_SOURCE") == "enumerable"
                ? IngestionBenchmarks.CachedEnumerable(ml, rows) : IngestionBenchmarks.CachedRows(ml, rows);
            Console.WriteLine(FormattableString.Invariant($"{rows:N0} rows × {Workloads.InputSize}, cached; median of {repetitions}:"));
            bool fitFirst = Environment.GetEnvironmentVariable("INGEST_FIT_FIRST") == "1";
            if (fitFirst)
                Time("Fit to initialization", 1, () => FitToInitialization(ml, data));
            Time("plain copy loop", repetitions, () => IngestionBenchmarks.PlainCopy(data, rows));
            Time("Fit's reader", repetitions, () => new Streaming.DataViewTrainingRows(host, data, "Features", Workloads.InputSize, rows, rows).Head(rows));
            Time("streamed pass", repetitions, () => IngestionBenchmarks.StreamAll(host, data, rows));
            Time("Fit to initialization", repetitions, () => FitToInitialization(ml, data));
            return 0;
        }

        private static double FitToInitialization(MLContext ml, IDataView data)
        {
                var watch = Stopwatch.StartNew();
                double at = 0;
                void Log(object? sender, LoggingEventArgs e)
                {
                    if (at == 0 && e.Message.Contains("initialization", StringComparison.Ordinal) && !e.Message.Contains("Shared autoencoder:", StringComparison.Ordinal))
                        at = watch.Elapsed.TotalSeconds;
                }
                ml.Log += Log;
                ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 10, MaximumNumberOfIterations = 1, Seed = 1 }).Fit(data);
                ml.Log -= Log;
                return at;
        }

        private static void Time(string name, int repetitions, Func<object> action)
        {
            var times = new double[repetitions];
            object? result = null;
            for (int i = 0; i < repetitions; i++)
            {
                result = null;
                GC.Collect();
                long start = Stopwatch.GetTimestamp();
                result = action();
                times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (result is double inner)
                    times[i] = inner;
            }
            Array.Sort(times);
            Console.WriteLine(FormattableString.Invariant($"  {name,-22} median {times[repetitions / 2]:F3} s   min {times[0]:F3} s"));
            GC.KeepAlive(result);
        }

        private static string Tail(string message)
        {
            int index = message.IndexOf("Iteration ", StringComparison.Ordinal);
            return index < 0 ? message : message.Substring(index);
        }

        /// <summary>A memory figure from /proc/self/status in MB ("?" where that file does not exist).</summary>
        private static string Status(string key)
        {
            const string path = "/proc/self/status";
            if (!File.Exists(path))
                return "?";
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return (long.Parse(parts[1], CultureInfo.InvariantCulture) / 1024).ToString(CultureInfo.InvariantCulture);
                }
            }
            return "?";
        }
    }
}
