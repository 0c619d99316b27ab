using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace Microsoft.ML.SharedAutoencoder.PerformanceTests
{
    /// <summary>
    /// From-scratch recovery at the 20-seed sparse targets of docs/recovery-from-scratch.md (n = 100, m = 150, k = 4,
    /// N = 20,000, σ = 0.01; Spectral + 50 hard-threshold steps + 3 refits, the <c>experiments --targets</c> recipe).
    /// </summary>
    [Config(typeof(BenchmarkSettings))]
    public class SpectralRecoveryBenchmarks
    {
        private MLContext _ml = null!;
        private BilinearModelDataView _data = null!;

        /// <summary>"k-sparse" (± codes) or "non-negative".</summary>
        [Params("k-sparse", "non-negative")]
        public string Model { get; set; } = "k-sparse";

        [GlobalSetup]
        public void Setup()
        {
            _ml = new MLContext(0);
            _data = Data(_ml, Model, 0);
        }

        /// <summary>One fit of seed 0 on all cores.</summary>
        [Benchmark]
        public float FitFromScratch() => Fit(_ml, _data, Model, 0, threads: null).Model.GetWeights()[0][0];

        /// <summary>The target's rows for a seed: dictionary and rows with seed 1000 + seed, as in the experiments command.</summary>
        internal static BilinearModelDataView Data(MLContext ml, string model, int seed)
        {
            bool nonNegative = model == "non-negative";
            return ml.Data.LoadFromBilinearModel(new BilinearModelOptions
            {
                FeatureCount = 100, AtomCount = 150, Sparsity = 4, NoiseStandardDeviation = 0.01f,
                LatentCodeModel = nonNegative ? LatentCodeModel.NonNegativeSparseCoding : LatentCodeModel.SparseCoding,
                ValueLowerBound = nonNegative ? 0.5f : 1f, ValueUpperBound = nonNegative ? 1.5f : 2f, Seed = 1000 + seed,
            }, 20_000);
        }

        /// <summary>
        /// The experiments' recipe: hard threshold λ = ½, b = 0, ζ = 0.5·m/k (±) or 1 (non-negative), Spectral, then
        /// <paramref name="recipe"/> = "steps/refits/rounds" (default "50/3/0": 50 steps, 3 refits, no alternating minimization).
        /// </summary>
        internal static SharedAutoencoderTransformer Fit(MLContext ml, BilinearModelDataView data, string model, int seed, int? threads, string recipe = DefaultRecipe)
        {
            int[] parts = Array.ConvertAll(recipe.Split('/'), p => int.Parse(p, CultureInfo.InvariantCulture));
            if (parts.Length != 3)
                throw new ArgumentException($"recipe must be steps/refits/rounds (e.g. {DefaultRecipe}), got '{recipe}'", nameof(recipe));
            return ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,  // the paper's settings
                HiddenUnits = 150, Activation = AutoencoderActivation.HardThreshold, Threshold = 0.5f, InitialBias = 0, BiasDecay = 1,
                ExpectedSparsity = 4, LearningRate = model == "non-negative" ? 1f : 0.5f * 150 / 4, MaximumNumberOfIterations = parts[0],
                Initialization = WeightInitialization.Spectral, Seed = seed, FinalRefitIterations = parts[1], NumberOfThreads = threads,
                AlternatingMinimizationIterations = parts[2],
            }).Fit(data);
        }

        /// <summary>The targets' recipe: 50 steps, 3 refits, no alternating minimization.</summary>
        internal const string DefaultRecipe = "50/3/0";

        /// <summary>
        /// The quick mode (<c>-- spectral [first] [last] [threads] [model] [steps/refits/rounds]</c>): per seed, wall seconds to the end of the
        /// initialization and of the fit, the process's CPU seconds, the search's counters and the recovery errors.
        /// </summary>
        internal static int Run(int first, int last, int? threads, string filter, string recipe = DefaultRecipe)
        {
            Console.WriteLine(FormattableString.Invariant($"recipe {recipe} (steps/refits/alternating rounds), threads {threads?.ToString(CultureInfo.InvariantCulture) ?? "all"}, load average {LoadAverage()}"));
            foreach (string model in new[] { "k-sparse", "non-negative" })
            {
                if (!model.Contains(filter, StringComparison.Ordinal))
                    continue;
                int successes = 0;
                double wall = 0, cpu = 0, init = 0, initCpu = 0;
                var cpus = new System.Collections.Generic.List<double>();
                var errors = new System.Collections.Generic.List<double>();
                for (int seed = first; seed <= last; seed++)
                {
                    var ml = new MLContext(seed);
                    var data = Data(ml, model, seed);
                    var watch = Stopwatch.StartNew();
                    double atInit = 0, cpuInit = 0;
                    TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                    ml.Log += (_, e) =>
                    {
                        if (atInit == 0 && e.Message.Contains("Spectral initialization:", StringComparison.Ordinal))
                        {
                            atInit = watch.Elapsed.TotalSeconds;
                            cpuInit = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
                        }
                    };
                    var fitted = Fit(ml, data, model, seed, threads, recipe);
                    double seconds = watch.Elapsed.TotalSeconds;
                    double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
                    var metrics = DictionaryRecovery.Evaluate(fitted.Model.GetWeights(), data.Dictionary, allowSignFlips: model == "k-sparse");
                    InitializationReport report = fitted.History.Initialization!;
                    bool success = metrics.MaxColumnError <= 0.1;
                    successes += success ? 1 : 0;
                    wall += seconds;
                    cpu += cpuSeconds;
                    cpus.Add(cpuSeconds);
                    errors.Add(metrics.MaxColumnError);
                    init += atInit;
                    initCpu += cpuInit;
                    Console.WriteLine(FormattableString.Invariant(
                        $"{model} seed {seed,2}: init {atInit,5:F2} s wall, {cpuInit,5:F2} s CPU; fit {seconds,5:F2} s wall, {cpuSeconds,5:F2} s CPU | found {report.FoundColumns} ({report.ResidualColumns} from residuals, {report.RejectedColumns} rejected, {report.CompletedColumns} completed), pairs {report.PairsTried} ({report.PairsAccepted} passed) | {fitted.History.Iterations.Count - 1} recorded steps/refits/rounds | F {metrics.FrobeniusError:F4}, max column {metrics.MaxColumnError:F4}{(success ? "" : "  FAILED")}"));
                }
                int count = last - first + 1;
                Console.WriteLine(FormattableString.Invariant(
                    $"{model}: {successes}/{count} recovered; mean init {init / count:F2} s wall, {initCpu / count:F2} s CPU; fit {wall / count:F2} s wall, {cpu / count:F2} s CPU per seed (median {Median(cpus):F2}, max {cpus.Max():F2}); median max column error {Median(errors):F4}; load average {LoadAverage()}"));
            }
            return 0;
        }

        private static double Median(System.Collections.Generic.List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
        }

        private static string LoadAverage() =>
            System.IO.File.Exists("/proc/loadavg") ? string.Join(" ", System.IO.File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "n/a";
    }
}
