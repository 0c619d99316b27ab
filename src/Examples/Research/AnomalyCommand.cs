using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Common;
using Microsoft.ML.SharedAutoencoder.Examples.Samples;

namespace Microsoft.ML.SharedAutoencoder.Examples.Research
{
    /// <summary>
    /// <c>anomaly</c>: the one-class anomaly-detection protocol (<see cref="AnomalyBenchmark"/>) on the shipped digits or on
    /// Fashion-MNIST: per class, ML.NET's RandomizedPca vs <c>AnomalyDetection.Trainers.SharedAutoencoder</c>, and an
    /// optional PNG of the ROC curves.
    /// </summary>
    internal static class AnomalyCommand
    {
        /// <summary>Where <c>apt-get install -y dataset-fashion-mnist</c> puts the files; <c>--data fashion-mnist</c> means this folder.</summary>
        public const string FashionMnistDirectory = Featurization.FashionCommand.DefaultDirectory;

        private static readonly string[] FashionFiles =
            { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" };

        public const string Usage =
@"usage: anomaly [--data DIR|fashion-mnist] [--digits FILE] [--hidden m] [--iterations T] [--seed S]
               [--rows N] [--test-rows N] [--plot FILE.png] [--quiet|--progress]
  One-class anomaly detection: for each class, train on that class's training rows only, score every test row, and
  print the AUC of ""not this class"" for ML.NET's RandomizedPca (rank 20) and the SharedAutoencoder trainer, per class
  and the mean. Default data: the shipped UCI digits (pixels / 16; every third row a test row). --data DIR reads
  Fashion-MNIST ({train,t10k}-{images-idx3,labels-idx1}-ubyte.gz; 'fashion-mnist' = " + FashionMnistDirectory + @",
  installed by: apt-get install -y dataset-fashion-mnist). --rows N keeps the first N training rows of each class,
  --test-rows N the first N test rows (quick runs). --plot writes the ROC curves as a PNG (replaced only when
  complete). Trainer defaults: m = 64, T = 50, seed 1.
" + Progress.OptionsHelp;

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[] { "data", "digits", "hidden", "iterations", "seed", "rows", "test-rows", "plot" }, Progress.Flags);
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            var defaults = new SharedAutoencoderAnomalyTrainer.Options();
            var options = new SharedAutoencoderAnomalyTrainer.Options
            {
                HiddenUnits = line.Int("hidden", defaults.HiddenUnits, min: 1),
                MaximumNumberOfIterations = line.Int("iterations", defaults.MaximumNumberOfIterations, min: 1),
                Seed = line.Int("seed", 1),
            };
            int? rows = line.NullableInt("rows", min: 2);
            int? testRows = line.NullableInt("test-rows", min: 2);
            string? plot = line.String("plot");
            string? fashion = line.String("data");
            if (fashion != null && line.Has("digits"))
                throw new UsageException("Options --data (Fashion-MNIST) and --digits name two data sets; give one.");
            string[] inputs = fashion != null ? FashionInputs(fashion) : new[] { line.ExistingFile("digits", DigitsCommand.DefaultDataPath) };
            // Refused before any work: a plot path that names an input.
            using var outputs = new OutputFiles(inputs);
            outputs.CheckDistinct(("--plot", plot));

            var progress = Progress.For("anomaly", line, error);
            var ml = Contexts.Create(options.Seed, error, progress);
            var (train, test) = fashion != null ? AnomalyBenchmark.LoadFashionMnist(ml, Path.GetDirectoryName(inputs[0])!) : AnomalyBenchmark.LoadDigits(inputs[0]);
            train = Truncate(train, rows, perClass: true);
            test = Truncate(test, testRows, perClass: false);
            var counts = Enumerable.Range(0, train.Classes).Select(c => train.Labels.Count(l => l == c)).ToArray();
            if (counts.Min() < 2)
                throw new InputException($"Class {Array.IndexOf(counts, counts.Min())} has {counts.Min()} training row(s); the protocol needs at least 2 per class.");
            var names = fashion != null ? AnomalyBenchmark.FashionClassNames : null;
            output.WriteLine($"{(fashion != null ? "Fashion-MNIST" : "UCI digits")}: {train.Features.Length} training rows ({counts.Min()}–{counts.Max()} per class), "
                + $"{test.Features.Length} test rows, {train.Features[0].Length} features; m = {options.HiddenUnits}, T = {options.MaximumNumberOfIterations}.");
            var results = AnomalyBenchmark.Run(ml, train, test, options, output, progress);
            output.WriteLine();
            output.Write(AnomalyBenchmark.FormatTable(results, names));
            if (plot != null)
            {
                outputs.StageVia(plot, temporary => AnomalyBenchmark.SaveRocPng(temporary, results, names));
                outputs.Commit();
                output.WriteLine($"ROC curves written to {Path.GetFullPath(plot)}");
            }
            return ExitCodes.Success;
        });

        /// <summary>The four Fashion-MNIST files in <paramref name="directory"/>; a missing one is an input error naming the package that installs them.</summary>
        private static string[] FashionInputs(string directory)
        {
            if (directory == "fashion-mnist")
                directory = FashionMnistDirectory;
            var paths = FashionFiles.Select(f => Path.Combine(directory, f)).ToArray();
            var missing = paths.Where(p => !File.Exists(p)).ToArray();
            if (missing.Length > 0)
            {
                throw new InputException($"Fashion-MNIST not found in {Path.GetFullPath(directory)} (missing {string.Join(", ", missing.Select(Path.GetFileName))}). "
                    + $"Install it with: apt-get install -y dataset-fashion-mnist (files in {FashionMnistDirectory}), or give --data the folder that holds the four files.");
            }
            return paths;
        }

        /// <summary>The first <paramref name="limit"/> rows (of each class, or overall); every class must keep a row.</summary>
        private static LabeledRows Truncate(LabeledRows rows, int? limit, bool perClass)
        {
            if (limit == null)
                return rows;
            var seen = new int[rows.Classes];
            var keep = new List<int>();
            for (int t = 0; t < rows.Features.Length; t++)
            {
                if (perClass ? seen[rows.Labels[t]]++ < limit : keep.Count < limit)
                    keep.Add(t);
            }
            return new LabeledRows(keep.Select(t => rows.Features[t]).ToArray(), keep.Select(t => rows.Labels[t]).ToArray(), rows.Classes);
        }
    }
}
