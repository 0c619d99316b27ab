using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Common;
using Microsoft.ML.SharedAutoencoder.Examples.Samples;

namespace Microsoft.ML.SharedAutoencoder.Examples.Featurization
{
    /// <summary>
    /// <c>digits-features</c>: the featurizer comparison of <c>fashion</c> on the shipped UCI digits, over seeded random
    /// 1/3 held-out splits: mean accuracy per featurizer and whether it beats the pixels on every split.
    /// </summary>
    internal static class DigitsFeaturesCommand
    {
        public const string Usage =
@"usage: digits-features [--data PATH] [--splits S] [--methods LIST] [--hidden m] [--epsilon E] [--threshold α]
                       [--active k] [--descent-iterations T] [--descent-rate ζ] [--descent-batch B] [--l2 λ]
                       [--classifier-iterations I] [--unscaled] [--quiet|--progress]
  For seeds 0 … S−1: shuffles the 1,797 digits with that seed, holds out 1/3, trains LbfgsMaximumEntropy
  (L2Regularization = λ·N, standardized features) on the rest with each featurizer, and prints the held-out accuracy
  per split, the mean, and whether the featurizer beats the pixels on every split. The autoencoder featurizers are
  full-rank PCA whitening (ε = E·trace(C)/n) then m sample atoms, no gradient steps (docs/featurization.md).
  --methods LIST  comma-separated, of pixels, pca, activation, softthreshold, split, topk, omp (default: these),
                  defaults (the autoencoder's default options), paper-defaults (the paper's settings),
                  defaults-50 (the defaults with 50 gradient steps), topktrained (top-k activation trained by descent)
  --unscaled      the pixels as stored, 0–16 (default: divided by 16)
  Defaults: S = 5, m = 1024, E = 10, α = 0.5, k = 32, λ = 0.01, I = 200; PCA keeps 32 components.
" + FeatureComparison.DescentHelp + "\n" + Progress.OptionsHelp;

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[] { "data", "splits", "methods", "hidden", "epsilon", "threshold", "active", "descent-iterations", "descent-rate", "descent-batch", "l2", "classifier-iterations" }, Progress.Flags.Append("unscaled"));
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            var defaults = new FeatureSettings();
            var settings = new FeatureSettings
            {
                HiddenUnits = line.Int("hidden", defaults.HiddenUnits, min: 1),
                Rank = 0,
                PcaRank = 32,
                RelativeEpsilon = line.Double("epsilon", defaults.RelativeEpsilon, min: 0, exclusiveMin: true),
                Threshold = (float)line.Double("threshold", defaults.Threshold, min: 0),
                ActiveUnits = line.Int("active", defaults.ActiveUnits, min: 1),
                L2PerRow = line.Double("l2", 0.01, min: 0),
                ClassifierIterations = line.Int("classifier-iterations", defaults.ClassifierIterations, min: 1),
            };
            settings = FeatureComparison.WithDescent(settings, line);
            int splits = line.Int("splits", 5, min: 1);
            var methods = FeatureComparison.ParseMethods(line.String("methods", FeatureComparison.DefaultMethods));
            bool unscaled = line.Flag("unscaled");
            var (images, digits) = DigitsCommand.Load(line.ExistingFile("data", DigitsCommand.DefaultDataPath));
            output.WriteLine($"UCI digits: {images.Count} images of 8×8 ({(unscaled ? "pixels 0–16" : "pixels / 16")}), {splits} seeded random splits, 1/3 held out; classifier λ = {settings.L2PerRow} per row.");

            var accuracies = methods.ToDictionary(m => m, _ => new List<double>());
            var progress = Progress.For("digits-features", line, error);
            int done = 0;
            for (int seed = 0; seed < splits; seed++)
            {
                var mlContext = Contexts.Create(seed, error, progress);
                var (train, test) = Split(mlContext, images, digits, seed);
                var comparison = new FeatureComparison(mlContext, train, test, settings with { Seed = seed, InputScale = unscaled ? 16 : 1 });
                foreach (var method in methods)
                {
                    progress?.Phase($"split {seed + 1}/{splits}, {FeatureComparison.Name(method)}");
                    accuracies[method].Add(comparison.Run(method).TestAccuracy);
                    progress?.Count(++done, splits * methods.Count, "fits");
                }
            }
            progress?.Done();
            WriteTable(output, settings, accuracies);
            return ExitCodes.Success;
        });

        /// <summary>Pixels scaled to [0, 1]; a seeded shuffle, the first third held out.</summary>
        internal static (IDataView Train, IDataView Test) Split(MLContext mlContext, List<float[]> images, List<int> digits, int seed)
        {
            var order = Enumerable.Range(0, images.Count).ToArray();
            new Random(seed).Shuffle(order);
            int testCount = images.Count / 3;
            IDataView View(IEnumerable<int> rows)
            {
                var list = rows.ToList();
                return DenseData.ToDataView(mlContext, list.Select(i => images[i].Select(p => p / 16f).ToArray()).ToList(), list.Select(i => digits[i]).ToList(), 64, 10);
            }
            return (View(order.Skip(testCount)), View(order.Take(testCount)));
        }

        private static void WriteTable(TextWriter output, FeatureSettings settings, Dictionary<FeatureMethod, List<double>> accuracies)
        {
            int splits = accuracies.Values.First().Count;
            output.WriteLine($"| features | m | {string.Join(" | ", Enumerable.Range(0, splits).Select(s => $"split {s}"))} | mean | beats pixels on every split |");
            output.WriteLine($"|---|---|{string.Concat(Enumerable.Repeat("---|", splits))}---|---|");
            accuracies.TryGetValue(FeatureMethod.Pixels, out var pixels);
            foreach (var (method, values) in accuracies)
            {
                string beats = pixels == null || method == FeatureMethod.Pixels ? "–"
                    : values.Zip(pixels).All(p => p.First > p.Second) ? "yes" : "no";
                string m = method switch
                {
                    FeatureMethod.Pixels or FeatureMethod.Pca => "–",
                    FeatureMethod.Defaults or FeatureMethod.DefaultsTrained => "default",
                    FeatureMethod.PaperDefaults => "10",
                    _ => settings.HiddenUnits.ToString(CultureInfo.InvariantCulture),
                };
                output.WriteLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1} | {2} | {3:F4} | {4} |", FeatureComparison.Name(method), m,
                    string.Join(" | ", values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture))), values.Average(), beats));
            }
        }
    }
}
