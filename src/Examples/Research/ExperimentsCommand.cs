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
    /// <c>experiments</c>: phase-transition heat maps of recovery from scratch (probability that the largest column
    /// error after matching is ≤ 0.1) over noise σ × initialization and sparsity k × initialization, as PNG and CSV,
    /// and, with <c>--targets</c>, the 20-seed target table of docs/recovery-from-scratch.md.
    /// </summary>
    internal static class ExperimentsCommand
    {
        private const double RecoveryThreshold = 0.1;

        private static readonly WeightInitialization[] Initializations =
            { WeightInitialization.Random, WeightInitialization.Pca, WeightInitialization.Samples, WeightInitialization.Spectral };

        public const string Usage =
@"usage: experiments [--seeds N] [--quick] [--targets [--recipe descent|am] | --hard [--k LIST] [--methods LIST] | --sample-complexity [--threads P]
                   [--sweeps S1,S2]] [--output DIR] [--quiet|--progress]
  Recovery from scratch. Default: phase-transition heat maps (PNG + CSV) of the probability that the largest column
  error after matching is ≤ 0.1, over noise σ × initialization (mixture) and sparsity k × initialization (sparse and
  non-negative sparse coding), N seeds a cell (default 10). --quick shrinks every size (for tests). --targets instead
  runs the 20-seed targets of the README (n = 784 mixtures, n = 100 / m = 150 sparse models) into targets.csv;
  --recipe am fits the sparse rows by Spectral + up to 20 rounds of alternating minimization instead of 50 gradient
  steps + 3 refits (descent, the default; docs/recovery-from-scratch.md, Speed). With --quick: the sparse rows only, n = m = 40.
  --sample-complexity instead measures the rows N from which recovery from scratch succeeds, per (model, n, m, k, σ),
  by bisection over N (default 6 seeds for the mixture, 5 for sparse codes; fits run P at a time, default 2), and fits
  N* ∝ n^a m^b k^c (σ^d) with bootstrap intervals: sample-complexity-*.csv and *.png (docs/sample-complexity.md).
  --sweeps picks some of mixture, sparse, nonnegative (default: all).
  --hard instead measures the hard regime of issue 17 (n = 64, m = 96, N = 10 000, k = 1..8, ± and non-negative
  codes, and n = m = 64, k = 3 non-negative) for each method (baseline, refit20, am, am+replace, spectral+am, pairs300+am)
  into hard.csv; --k and --methods (comma-separated) restrict it.
  Output folder default: ./experiments.
" + Progress.OptionsHelp;

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[] { "seeds", "output", "threads", "sweeps", "k", "methods", "recipe" }, Progress.Flags.Append("quick").Append("targets").Append("sample-complexity").Append("hard"));
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            int seeds = line.Int("seeds", 10, min: 1);
            bool quick = line.Flag("quick");
            string directory = line.String("output", "experiments");
            Directory.CreateDirectory(directory);
            var progress = Progress.For("experiments", line, error);
            if (line.Flag("targets") && line.Flag("sample-complexity"))
                throw new UsageException("--targets and --sample-complexity are separate runs: give one of them.");
            if (line.Has("recipe") && !line.Flag("targets"))
                throw new UsageException("--recipe applies to --targets only: add --targets or drop --recipe.");
            if (line.Flag("targets"))
                return RunTargets(seeds, quick, line.Choice("recipe", SparseRecipe.Descent, ("descent", SparseRecipe.Descent), ("am", SparseRecipe.AlternatingMinimization)), directory, output, progress);
            if (line.Flag("sample-complexity"))
                return SampleComplexityOutput.Run(line.Has("seeds") ? seeds : null, quick, line.Int("threads", 2, min: 1), line.String("sweeps")?.Split(','), directory, output, progress);
            if (line.Flag("hard"))
                return RunHard(line, seeds, quick, directory, output, progress);

            // Heat-map sizes: reduced so that 10 seeds × 4 initializations × every cell run in minutes on 2 cores.
            int n = quick ? 40 : 100;
            float[] noises = quick ? new[] { 0.01f, 0.1f } : new[] { 0.01f, 0.02f, 0.05f, 0.1f, 0.2f };
            var mixture = new Setting(LatentCodeModel.MixtureOfGaussians, n, quick ? 5 : 10, 1, quick ? 1000 : 5000, 0f);
            Heatmap(directory, "mixture-noise", "noise σ", noises.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
                noises.Select(v => mixture with { Noise = v }).ToArray(), seeds, output, progress);

            int[] sparsities = quick ? new[] { 2, 4 } : new[] { 1, 2, 3, 4, 6, 8 };
            var sparse = new Setting(LatentCodeModel.SparseCoding, quick ? 40 : 64, quick ? 40 : 96, 1, quick ? 3000 : 10000, 0.01f);
            Heatmap(directory, "sparse-k", "sparsity k", sparsities.Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray(),
                sparsities.Select(k => sparse with { Sparsity = k }).ToArray(), seeds, output, progress);
            var nonNegative = sparse with { Model = LatentCodeModel.NonNegativeSparseCoding };
            Heatmap(directory, "nonnegative-k", "sparsity k", sparsities.Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray(),
                sparsities.Select(k => nonNegative with { Sparsity = k }).ToArray(), seeds, output, progress);
            return ExitCodes.Success;
        });

        /// <summary>The files a heat-map run writes into its output folder.</summary>
        internal static IEnumerable<string> HeatmapFiles() =>
            new[] { "mixture-noise", "sparse-k", "nonnegative-k" }.SelectMany(name => new[] { name + ".csv", name + ".png" });

        /// <summary>One generative setting: model, n, m, k, N, σ.</summary>
        private sealed record Setting(LatentCodeModel Model, int Features, int Atoms, int Sparsity, int Rows, float Noise);

        private sealed record Outcome(double Frobenius, double MaxColumn, int Found, double Seconds);

        /// <summary>How the sparse models are fitted after the initialization.</summary>
        internal enum SparseRecipe
        {
            /// <summary>50 hard-threshold gradient steps + 3 least-squares refits (the heat maps' recipe).</summary>
            Descent,

            /// <summary>
            /// No gradient step, no refit, up to <see cref="AlternatingRounds"/> rounds of alternating minimization with atom
            /// replacement (they stop once settled): same successes at the targets in ≈ half the CPU time of the descent.
            /// </summary>
            AlternatingMinimization,
        }

        /// <summary>The cap on alternating-minimization rounds of <see cref="SparseRecipe.AlternatingMinimization"/>.</summary>
        private const int AlternatingRounds = 20;

        /// <summary>Trains one setting with <see cref="RecoveryRecipe"/>, or its alternating-minimization variant for sparse codes.</summary>
        private static Outcome Train(Setting setting, WeightInitialization initialization, int seed, SparseRecipe recipe = SparseRecipe.Descent)
        {
            var ml = new MLContext(seed: seed);
            bool mixture = setting.Model == LatentCodeModel.MixtureOfGaussians;
            var data = RecoveryRecipe.Data(ml, setting.Model, setting.Features, setting.Atoms, setting.Sparsity, setting.Noise, setting.Rows, seed);
            var options = RecoveryRecipe.Options(setting.Model, setting.Atoms, setting.Sparsity, initialization, seed);
            if (!mixture && recipe == SparseRecipe.AlternatingMinimization)
            {
                options.MaximumNumberOfIterations = 0;
                options.FinalRefitIterations = 0;
                options.AlternatingMinimizationIterations = AlternatingRounds;
            }
            var watch = Stopwatch.StartNew();
            var model = ml.Transforms.SharedAutoencoder(options).Fit(data);
            var metrics = DictionaryRecovery.Evaluate(model.Model.GetWeights(), data.Dictionary, allowSignFlips: setting.Model == LatentCodeModel.SparseCoding);
            return new Outcome(metrics.FrobeniusError, metrics.MaxColumnError, model.History.Initialization?.FoundColumns ?? setting.Atoms, watch.Elapsed.TotalSeconds);
        }

        private static void Heatmap(string directory, string name, string axis, string[] labels, Setting[] settings, int seeds, TextWriter output, Progress? progress)
        {
            progress?.Phase(name + " heat map");
            int total = seeds * Enumerable.Range(0, settings.Length).Sum(c => Initializations.Count(i => !Skipped(i, settings[c]))), done = 0;
            progress?.Count(0, total, "fits");
            var probability = new double[Initializations.Length, settings.Length];
            var csv = new StringBuilder("model,n,m,k,N,sigma,initialization,seeds,recovered,probability,median_max_column_error,median_frobenius_error\n");
            for (int c = 0; c < settings.Length; c++)
            {
                for (int r = 0; r < Initializations.Length; r++)
                {
                    if (Skipped(Initializations[r], settings[c]))
                    {
                        probability[r, c] = double.NaN;
                        continue;
                    }
                    var outcomes = Enumerable.Range(0, seeds).Select(seed => Counted(Train(settings[c], Initializations[r], seed), ++done, total, progress)).ToList();
                    int recovered = outcomes.Count(o => o.MaxColumn <= RecoveryThreshold);
                    probability[r, c] = (double)recovered / seeds;
                    Setting s = settings[c];
                    csv.AppendLine(string.Join(",", s.Model, s.Features, s.Atoms, s.Sparsity, s.Rows, s.Noise.ToString(CultureInfo.InvariantCulture), Initializations[r], seeds, recovered,
                        probability[r, c].ToString("F2", CultureInfo.InvariantCulture), Median(outcomes.Select(o => o.MaxColumn)).ToString("F4", CultureInfo.InvariantCulture),
                        Median(outcomes.Select(o => o.Frobenius)).ToString("F4", CultureInfo.InvariantCulture)));
                    output.WriteLine($"{name}: {axis} = {labels[c]}, {Initializations[r]}: {recovered}/{seeds} recovered");
                }
            }
            OutputFiles.WriteText(Path.Combine(directory, name + ".csv"), csv.ToString());
            Setting first = settings[0];
            Figures.SaveHeatmap(Path.Combine(directory, name + ".png"),
                $"P(max column error ≤ {RecoveryThreshold}) — {first.Model}, n={first.Features}, m={first.Atoms}, N={first.Rows}, {seeds} seeds",
                probability, Initializations.Select(i => i.ToString()).ToArray(), labels, axis);
            progress?.Done();
        }

        /// <summary>PCA gives at most n columns: a cell with m &gt; n is left empty.</summary>
        private static bool Skipped(WeightInitialization initialization, Setting setting) =>
            initialization == WeightInitialization.Pca && setting.Atoms > setting.Features;

        private static Outcome Counted(Outcome outcome, int done, int total, Progress? progress)
        {
            progress?.Count(done, total, "fits");
            return outcome;
        }

        /// <summary>
        /// The 20-seed targets of docs/recovery-from-scratch.md; <paramref name="recipe"/> picks how the sparse rows are fitted
        /// (the mixture rows always use the descent); <paramref name="quick"/> runs the sparse rows only, at n = m = 40, k = 2.
        /// </summary>
        private static int RunTargets(int seeds, bool quick, SparseRecipe recipe, string directory, TextWriter output, Progress? progress)
        {
            var rows = new List<(string Name, Setting Setting, WeightInitialization Init, Func<Outcome, bool> Success, string Criterion)>();
            foreach (float sigma in quick ? Array.Empty<float>() : new[] { 0.01f, 0.02f, 0.03f })
            {
                var mixture = new Setting(LatentCodeModel.MixtureOfGaussians, 784, 10, 1, 10_000, sigma);
                double bound = 1.5 * sigma * Math.Sqrt(784.0 * 10 * 10 / 10_000);
                foreach (var init in new[] { WeightInitialization.Spectral, WeightInitialization.Samples })
                    rows.Add(($"mixture σ={sigma}", mixture, init, o => o.Frobenius <= bound, $"‖π(W)−A‖_F ≤ {bound:F4}"));
            }
            var sparse = quick ? new Setting(LatentCodeModel.SparseCoding, 40, 40, 2, 3000, 0.01f) : new Setting(LatentCodeModel.SparseCoding, 100, 150, 4, 20_000, 0.01f);
            rows.Add(("k-sparse ±", sparse, WeightInitialization.Spectral, o => o.MaxColumn <= RecoveryThreshold, "max column error ≤ 0.1"));
            rows.Add(("non-negative k-sparse", sparse with { Model = LatentCodeModel.NonNegativeSparseCoding }, WeightInitialization.Spectral, o => o.MaxColumn <= RecoveryThreshold, "max column error ≤ 0.1"));

            string recipeName = recipe == SparseRecipe.AlternatingMinimization ? "am" : "descent";
            var table = new StringBuilder("setting,initialization,recipe,criterion,successes,seeds,median_frobenius,median_max_column,median_found,median_seconds\n");
            int done = 0;
            progress?.Count(0, rows.Count * seeds, "fits");
            foreach (var row in rows)
            {
                var outcomes = Enumerable.Range(0, seeds).Select(seed => Counted(Train(row.Setting, row.Init, seed, recipe), ++done, rows.Count * seeds, progress)).ToList();
                int successes = outcomes.Count(row.Success);
                bool sparseRow = row.Setting.Model != LatentCodeModel.MixtureOfGaussians;
                string line = string.Join(",", row.Name, row.Init, sparseRow ? recipeName : "descent", row.Criterion, successes, seeds,
                    Median(outcomes.Select(o => o.Frobenius)).ToString("F4", CultureInfo.InvariantCulture),
                    Median(outcomes.Select(o => o.MaxColumn)).ToString("F4", CultureInfo.InvariantCulture),
                    Median(outcomes.Select(o => (double)o.Found)).ToString(CultureInfo.InvariantCulture),
                    Median(outcomes.Select(o => o.Seconds)).ToString("F1", CultureInfo.InvariantCulture));
                output.WriteLine(line);
                table.AppendLine(line);
            }
            progress?.Done();
            OutputFiles.WriteText(Path.Combine(directory, "targets.csv"), table.ToString());
            return ExitCodes.Success;
        }

        /// <summary>The hard-regime table (<see cref="HardRegimeExperiment"/>).</summary>
        private static int RunHard(Arguments line, int seeds, bool quick, string directory, TextWriter output, Progress? progress)
        {
            int[]? sparsities = line.Has("k") ? line.IntList("k", Array.Empty<int>(), min: 1) : null;
            string[]? methods = line.String("methods")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return HardRegimeExperiment.Run(seeds, quick, sparsities, methods, directory, output, progress);
        }

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
        }
    }
}
