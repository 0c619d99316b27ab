using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Visualization;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Featurization
{
    /// <summary>
    /// <c>fashion</c>: Fashion-MNIST (Zalando, MIT licence; 60,000 training and 10,000 test images of 28×28) as features
    /// of an ML.NET linear classifier: raw pixels, PCA, and each encoding of the shared autoencoder.
    /// </summary>
    internal static class FashionCommand
    {
        public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
        public const string InstallCommand = "apt-get install -y dataset-fashion-mnist";

        public const string Usage =
@"usage: fashion [--data DIR] [--rows N] [--holdout N] [--methods LIST] [--hidden m] [--rank r] [--epsilon E]
               [--threshold α] [--active k] [--descent-iterations T] [--descent-rate ζ] [--descent-batch B] [--l2 λ]
               [--classifier-iterations I] [--seed S] [--plots DIR | --atoms FILE] [--unscaled] [--quiet|--progress]
  Trains LbfgsMaximumEntropy (L2Regularization = λ·N, on standardized features) on the Fashion-MNIST training rows with
  each featurizer and prints its accuracy on the official 10,000 test rows (or the --holdout rows), with the
  featurizer's fit time and encoding rate. The autoencoder featurizers are PCA whitening (rank r, ε = E·trace(C)/n)
  then m sample atoms, no gradient steps, encoded as the method says (the soft thresholds carry α as the bias b = −α;
  docs/featurization.md).
  --data DIR      the four IDX files (train-/t10k-images-idx3-ubyte[.gz], train-/t10k-labels-idx1-ubyte[.gz]);
                  default /usr/share/datasets/fashion-mnist (apt-get install -y dataset-fashion-mnist)
  --rows N        use the first N training rows only (a quick run); default all
  --holdout N     validation instead of the test set: train on the first (all − N) training rows and report the
                  accuracy on the last N training rows, never reading the official test rows (for choosing α, λ, ε
                  without touching the test set); N from 1 to the training rows − 1; with --rows, at most --rows rows
                  of the first (all − N) train
  --methods LIST  comma-separated, of pixels, pca, activation, softthreshold, split, topk, omp (default: these),
                  defaults (the autoencoder's default options), paper-defaults (the paper's settings),
                  defaults-50 (the defaults with 50 gradient steps), topktrained (top-k activation trained by descent)
  --unscaled      the pixels as bytes, 0–255 (default: divided by 255)
  --plots DIR     write DIR/fashion-atoms.png, the atoms of the last autoencoder as 28×28 tiles
  --atoms FILE    the same image, written to FILE
  Defaults: m = 1024, r = 100, E = 10, α = 0.2, k = 32, λ = 0.001, I = 200, seed 1.
" + FeatureComparison.DescentHelp + "\n" + Progress.OptionsHelp;

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[] { "data", "rows", "methods", "hidden", "rank", "epsilon", "threshold", "active", "holdout", "descent-iterations", "descent-rate", "descent-batch", "l2",
                "classifier-iterations", "seed", "plots", "atoms" }, Progress.Flags.Append("unscaled"));
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            // α = 0.2: chosen by validation (--holdout 10000: 0.8897 against 0.8886 at 0.3 and 0.8831 at 0.5), not on the
            // test set; with m = 1,024 it meets the issue's targets (docs/featurization.md). The digits prefer the shared 0.5.
            var defaults = new FeatureSettings { Threshold = 0.2f };
            var settings = new FeatureSettings
            {
                HiddenUnits = line.Int("hidden", defaults.HiddenUnits, min: 1),
                Rank = line.Int("rank", defaults.Rank, min: 0),
                RelativeEpsilon = line.Double("epsilon", defaults.RelativeEpsilon, min: 0, exclusiveMin: true),
                Threshold = (float)line.Double("threshold", defaults.Threshold, min: 0),
                ActiveUnits = line.Int("active", defaults.ActiveUnits, min: 1),
                L2PerRow = line.Double("l2", defaults.L2PerRow, min: 0),
                ClassifierIterations = line.Int("classifier-iterations", defaults.ClassifierIterations, min: 1),
                Seed = line.Int("seed", defaults.Seed),
                InputScale = line.Flag("unscaled") ? 255 : 1,
            };
            settings = FeatureComparison.WithDescent(settings, line);
            int? rows = line.NullableInt("rows", min: 1);
            int? holdout = line.NullableInt("holdout", min: 1);
            var methods = FeatureComparison.ParseMethods(line.String("methods", FeatureComparison.DefaultMethods));
            string? atomsPath = AtomsPath(line);
            string directory = line.String("data", DefaultDirectory);

            var progress = Progress.For("fashion", line, error);
            var mlContext = Contexts.Create(settings.Seed, error, progress);
            progress?.Phase("reading the images");
            var (train, test, evaluation) = holdout is int n ? LoadHoldout(mlContext, directory, rows, n) : Load(mlContext, directory, rows);
            var comparison = new FeatureComparison(mlContext, train, test, settings);
            long trainRows = train.GetRowCount() ?? 0;
            output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "Fashion-MNIST from {0}: {1:N0} training rows, {2}; whitening ε = {3:G3} ({4}·trace(C)/n), rank {5}; classifier L2Regularization = {6:G4}.",
                directory, trainRows, evaluation, comparison.Epsilon, settings.RelativeEpsilon, settings.Rank,
                settings.L2PerRow * trainRows));
            if (holdout != null)
                output.WriteLine("Evaluation set: held-out training rows (--holdout), not the official test set; the \"test acc\" column is the validation accuracy.");
            FeatureComparison.WriteHeader(output);
            FeatureComparison.RunAll(comparison, methods, output, settings, progress);
            if (atomsPath != null)
                WriteAtoms(output, comparison, atomsPath);
            return ExitCodes.Success;
        });

        private static string? AtomsPath(Arguments line)
        {
            if (line.Has("plots") && line.Has("atoms"))
                throw new UsageException("Give --plots DIR or --atoms FILE, not both.");
            if (line.String("plots") is string plots)
            {
                Directory.CreateDirectory(plots);
                return Path.Combine(plots, "fashion-atoms.png");
            }
            return line.String("atoms");
        }

        private static void WriteAtoms(TextWriter output, FeatureComparison comparison, string path)
        {
            if (comparison.LastFeaturizer == null)
                throw new UsageException("--plots/--atoms draw the autoencoder's atoms: include an autoencoder method in --methods.");
            float[][] atoms = FeatureComparison.InputSpaceAtoms(comparison.LastFeaturizer);
            int side = (int)Math.Round(Math.Sqrt(atoms[0].Length));
            if (side * side != atoms[0].Length)
                throw new InputException($"The images have {atoms[0].Length} pixels, not a square: cannot draw them as tiles.");
            DictionaryImage.SavePng(atoms, side, side, path);
            output.WriteLine($"Wrote {atoms.Length} atoms as {side}×{side} tiles to {Path.GetFullPath(path)}.");
        }

        /// <summary>
        /// The training rows (the first <paramref name="rows"/> when given), the official test rows, and a description of
        /// the evaluation set for the output.
        /// </summary>
        internal static (IDataView Train, IDataView Test, string Evaluation) Load(MLContext mlContext, string directory, int? rows)
        {
            var (trainImages, trainLabels) = TrainingFiles(directory);
            string testImages = File(directory, "t10k-images-idx3-ubyte"), testLabels = File(directory, "t10k-labels-idx1-ubyte");
            IDataView train = mlContext.Data.LoadFromIdx(trainImages, trainLabels, rowLimit: rows, labelCount: 10);
            IDataView test = mlContext.Data.LoadFromIdx(testImages, testLabels, labelCount: 10);
            return (train, test, string.Format(CultureInfo.InvariantCulture, "{0:N0} test rows (the official test set)", test.GetRowCount()));
        }

        /// <summary>
        /// A validation split of the training file: the first (all − <paramref name="holdout"/>) rows to train on (at most
        /// <paramref name="rows"/> of them when given) and the last <paramref name="holdout"/> rows to evaluate on. The
        /// official test files are not read, so choices made on this split never see the test set.
        /// </summary>
        internal static (IDataView Train, IDataView Test, string Evaluation) LoadHoldout(MLContext mlContext, string directory, int? rows, int holdout)
        {
            var (images, labels) = TrainingFiles(directory);
            IDataView all = mlContext.Data.LoadFromIdx(images, labels, labelCount: 10);
            long total = all.GetRowCount() ?? throw new InputException($"{images}: the row count is unknown.");
            if (holdout >= total)
                throw new UsageException(string.Format(CultureInfo.InvariantCulture,
                    "--holdout {0} leaves no training rows: the training file has {1:N0} rows; give N from 1 to {2:N0} (e.g. --holdout 10000 on Fashion-MNIST).",
                    holdout, total, total - 1));
            int kept = (int)(total - holdout);
            IDataView train = mlContext.Data.LoadFromIdx(images, labels, rowLimit: Math.Min(kept, rows ?? kept), labelCount: 10);
            IDataView validation = mlContext.Data.SkipRows(all, kept);
            return (train, validation, string.Format(CultureInfo.InvariantCulture,
                "{0:N0} validation rows (training rows {1:N0}–{2:N0}, --holdout; the official test set is not used)", holdout, kept + 1, total));
        }

        private static (string Images, string Labels) TrainingFiles(string directory)
            => (File(directory, "train-images-idx3-ubyte"), File(directory, "train-labels-idx1-ubyte"));

        private static string File(string directory, string stem)
        {
            string[] candidates = { Path.Combine(directory, stem + ".gz"), Path.Combine(directory, stem) };
            return candidates.FirstOrDefault(System.IO.File.Exists) ?? throw new InputException(
                $"Fashion-MNIST not found: {Path.GetFullPath(candidates[0])} does not exist. Install the dataset with "
                + $"`{InstallCommand}` (Debian; it puts the four IDX files in {DefaultDirectory}), or pass --data DIR "
                + "with train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.");
        }
    }
}
