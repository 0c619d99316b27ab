using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Research
{
    /// <summary>
    /// <c>experiments --hard</c>: recovery from scratch in the hard regime of issue 17 (n = 64, m = 96, N = 10,000,
    /// k = 1 … 8, ± and non-negative sparse codes; and n = m = 64, k = 3 non-negative), one table
    /// k × model × method → successes, so that what each added step contributes is measured on the same seeds.
    /// </summary>
    internal static class HardRegimeExperiment
    {
        private const double RecoveryThreshold = 0.1;

        /// <summary>A recipe on top of the experiments' training recipe (hard threshold λ = ½, b = 0, 50 steps, Spectral).</summary>
        internal sealed record Method(string Name, string Description, Action<SharedAutoencoderEstimator.Options> Apply);

        /// <summary>The methods compared, each adding one thing to the previous one (or varying it).</summary>
        internal static readonly Method[] Methods =
        {
            new("baseline", "today's recipe: 50 steps + 3 refits", _ => { }),
            new("refit20", "50 steps + 20 refits (more refit rounds)", o => o.FinalRefitIterations = 20),
            new("am", "50 steps + 3 refits + 50 rounds of alternating minimization (OMP codes, least-squares W), no atom replacement",
                o => { o.AlternatingMinimizationIterations = AlternatingRounds; o.ReplaceUnusedAtoms = false; }),
            new("am+replace", "same, with atom replacement", o => o.AlternatingMinimizationIterations = AlternatingRounds),
            new("spectral+am", "no gradient step: Spectral, 3 refits, then alternating minimization with replacement",
                o => { o.AlternatingMinimizationIterations = AlternatingRounds; o.MaximumNumberOfIterations = 0; }),
            new("pairs300+am", "same, with a cheaper, centered pair search (SpectralMaximumPairs = 300, SpectralCenterData = true)",
                o => { o.AlternatingMinimizationIterations = AlternatingRounds; o.MaximumNumberOfIterations = 0; o.SpectralMaximumPairs = 300; o.SpectralCenterData = true; }),
        };

        /// <summary>Rounds of alternating minimization in the methods that use it.</summary>
        internal const int AlternatingRounds = 50;

        /// <summary>One generative setting: model, n, m, k, N, σ.</summary>
        internal sealed record Setting(LatentCodeModel Model, int Features, int Atoms, int Sparsity, int Rows, float Noise = 0.01f);

        /// <summary>One fit: errors after matching, atoms within the threshold, columns the initializer found, seconds.</summary>
        internal sealed record Outcome(double Frobenius, double MaxColumn, int AtomsRecovered, int Found, double Seconds);

        /// <summary>The settings of the table: ± and non-negative at n = 64, m = 96 over k, then n = m = 64, k = 3 non-negative.</summary>
        internal static List<Setting> Settings(bool quick, int[]? sparsities)
        {
            int n = quick ? 32 : 64, m = quick ? 48 : 96, rows = quick ? 4000 : 10_000;
            sparsities ??= quick ? new[] { 2, 4 } : new[] { 1, 2, 3, 4, 6, 8 };
            var list = new List<Setting>();
            foreach (var model in new[] { LatentCodeModel.SparseCoding, LatentCodeModel.NonNegativeSparseCoding })
                list.AddRange(sparsities.Select(k => new Setting(model, n, m, k, rows)));
            list.Add(new Setting(LatentCodeModel.NonNegativeSparseCoding, n, n, 3, rows));
            return list;
        }

        /// <summary>
        /// Trains one setting with one method: the experiments' recipe (ζ = 0.5·m/k for ± codes, 1 for non-negative codes)
        /// with the method's options on top; dictionary and rows from seed 1000 + s, training seed s.
        /// </summary>
        internal static Outcome Train(Setting setting, Method method, int seed, int? threads = null)
        {
            var ml = new MLContext(seed: seed);
            bool nonNegative = setting.Model == LatentCodeModel.NonNegativeSparseCoding;
            var data = RecoveryRecipe.Data(ml, setting.Model, setting.Features, setting.Atoms, setting.Sparsity, setting.Noise, setting.Rows, seed);
            var options = RecoveryRecipe.Options(setting.Model, setting.Atoms, setting.Sparsity, WeightInitialization.Spectral, seed);
            options.NumberOfThreads = threads;
            method.Apply(options);
            var watch = Stopwatch.StartNew();
            var model = ml.Transforms.SharedAutoencoder(options).Fit(data);
            double seconds = watch.Elapsed.TotalSeconds;
            var metrics = DictionaryRecovery.Evaluate(model.Model.GetWeights(), data.Dictionary, allowSignFlips: !nonNegative);
            return new Outcome(metrics.FrobeniusError, metrics.MaxColumnError, metrics.ColumnErrors.Count(e => e <= RecoveryThreshold),
                model.History.Initialization?.FoundColumns ?? setting.Atoms, seconds);
        }

        /// <summary>Runs every setting × method over <paramref name="seeds"/> seeds; prints the table and writes hard.csv.</summary>
        public static int Run(int seeds, bool quick, int[]? sparsities, string[]? methodNames, string directory, TextWriter output, Progress? progress)
        {
            Method[] methods = methodNames == null ? Methods : methodNames.Select(Find).ToArray();
            List<Setting> settings = Settings(quick, sparsities);
            var csv = new StringBuilder("model,n,m,k,N,sigma,method,seeds,successes,median_atoms_recovered,min_atoms_recovered,median_max_column_error,median_found,median_seconds\n");
            int total = settings.Count * methods.Length * seeds, done = 0;
            progress?.Phase("hard regime");
            progress?.Count(0, total, "fits");
            var watch = Stopwatch.StartNew();
            foreach (Setting s in settings)
            {
                foreach (Method method in methods)
                {
                    var outcomes = new List<Outcome>();
                    for (int seed = 0; seed < seeds; seed++)
                    {
                        outcomes.Add(Train(s, method, seed));
                        progress?.Count(++done, total, "fits");
                    }
                    int successes = outcomes.Count(o => o.MaxColumn <= RecoveryThreshold);
                    string line = string.Join(",", s.Model, s.Features, s.Atoms, s.Sparsity, s.Rows, s.Noise.ToString(CultureInfo.InvariantCulture), method.Name, seeds, successes,
                        Median(outcomes.Select(o => (double)o.AtomsRecovered)).ToString(CultureInfo.InvariantCulture), outcomes.Min(o => o.AtomsRecovered),
                        Median(outcomes.Select(o => o.MaxColumn)).ToString("F4", CultureInfo.InvariantCulture),
                        Median(outcomes.Select(o => (double)o.Found)).ToString(CultureInfo.InvariantCulture),
                        Median(outcomes.Select(o => o.Seconds)).ToString("F2", CultureInfo.InvariantCulture));
                    csv.AppendLine(line);
                    output.WriteLine($"hard: {s.Model} n={s.Features} m={s.Atoms} k={s.Sparsity}, {method.Name}: {successes}/{seeds} recovered (median atoms {Median(outcomes.Select(o => (double)o.AtomsRecovered))} of {s.Atoms})");
                }
            }
            progress?.Done();
            OutputFiles.WriteText(Path.Combine(directory, "hard.csv"), csv.ToString());
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, "hard: {0} fits in {1:F0} s", total, watch.Elapsed.TotalSeconds));
            return ExitCodes.Success;
        }

        private static Method Find(string name) => Methods.FirstOrDefault(m => m.Name == name)
            ?? throw new UsageException($"Unknown method '{name}' for --methods; choose from {string.Join(", ", Methods.Select(m => m.Name))}.");

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
        }
    }
}
