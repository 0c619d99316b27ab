using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Shell
{
    /// <summary><c>train</c>: trains a shared autoencoder on a CSV or .idv file; saves the model and/or the weights.</summary>
    internal static class TrainCommand
    {
        public const string Usage =
@"usage: train --input FILE [--hidden m] [--activation relu|threshold|top-k] [--threshold λ] [--iterations T]
             [--learning-rate ζ] [--init random|pca|samples|spectral] [--seed S] [--scale none|minmax|meanvar]
             [--normalization center-scale|none]
             [--encoding activation|soft-threshold|top-k|omp] [--split-polarity|--no-split-polarity] [--encoding-threshold α]
             [--active-units k] [--save model.zip] [--weights-out W.csv] [--plots DIR] [--image-shape HxW]
             [--features SPEC] [--label-column NAME] [--header yes|no|auto] [--separator C] [--quiet|--progress]
             [--strict]
  FILE is a CSV of numbers or an ML.NET binary IDataView (.idv). Defaults are the library's: m = 1024, relu,
  λ = 0.5, T = 0 (the atoms as drawn), samples initialization, seed 1, input centered and scaled inside the model
  (--normalization center-scale; none: the rows as they are), polarity-split soft-threshold codes with α = 0.5
  (--no-split-polarity: m features instead of 2m). The paper's autoencoder: --hidden 10 --iterations 50 --init random
  --normalization none --encoding activation --no-split-polarity. --activation top-k trains the k-sparse
  autoencoder (the k largest pre-activations of each row; k from --active-units, default min(10, m)). --scale puts
  NormalizeMinMax or NormalizeMeanVariance before the autoencoder (saved with the model). --encoding chooses how
  the code column is computed from the trained dictionary (see SharedAutoencoderEstimator.Options.Encoding).
  --weights-out writes one line per hidden unit: bias, then W_i. --plots DIR writes DIR/history.png (loss, active
  fraction per iteration) and DIR/atoms.png (each W_i as an image: HxW from --image-shape, else square when n is a
  square, else one row per atom). A degenerate model (most units never fire, codes nearly constant, or nothing
  trained because the loss is 0 from the start) is reported on stderr; --strict makes it an error (exit 3, no file
  written).
" + TabularInput.OptionsHelp + "\n" + Progress.OptionsHelp;

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[]
            {
                "input", "hidden", "activation", "threshold", "iterations", "learning-rate", "init", "seed", "save", "weights-out",
                "features", "label-column", "header", "separator", "scale", "encoding", "encoding-threshold", "active-units", "plots", "image-shape",
                "normalization",
            }, Progress.Flags.Append("split-polarity").Append("no-split-polarity").Append("strict"));
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            var options = new SharedAutoencoderEstimator.Options
            {
                HiddenUnits = line.Int("hidden", 1024, min: 1),
                Activation = line.Choice("activation", AutoencoderActivation.Relu, ("relu", AutoencoderActivation.Relu), ("threshold", AutoencoderActivation.HardThreshold),
                    ("top-k", AutoencoderActivation.TopK)),
                Threshold = line.Float("threshold", 0.5f, min: 0, exclusiveMin: true),
                MaximumNumberOfIterations = line.Int("iterations", 0, min: 0),
                LearningRate = line.NullableFloat("learning-rate", 0, exclusiveMin: true),
                Initialization = line.Choice("init", WeightInitialization.Samples, ("random", WeightInitialization.Random), ("pca", WeightInitialization.Pca),
                    ("samples", WeightInitialization.Samples), ("spectral", WeightInitialization.Spectral)),
                Seed = line.Int("seed", 1),
                Encoding = line.Choice("encoding", CodeEncoding.SoftThreshold, ("activation", CodeEncoding.Activation), ("soft-threshold", CodeEncoding.SoftThreshold),
                    ("top-k", CodeEncoding.TopK), ("omp", CodeEncoding.OrthogonalMatchingPursuit)),
                SplitPolarity = SplitPolarity(line),
                EncodingThreshold = line.NullableFloat("encoding-threshold", 0),
                ActiveUnits = line.NullableInt("active-units", min: 1),
                Normalization = line.Choice("normalization", InputNormalization.CenterAndScale, ("center-scale", InputNormalization.CenterAndScale),
                    ("none", InputNormalization.None)),
            };
            Scaling scale = line.Choice("scale", Scaling.None, ("none", Scaling.None), ("minmax", Scaling.MinMax), ("meanvar", Scaling.MeanVariance));
            string? plots = line.String("plots");
            (int Height, int Width)? imageShape = ImageShape(line.String("image-shape"));
            var progress = Progress.For("train", line, error);
            string? save = line.String("save");
            string? weightsOut = line.String("weights-out");
            string input = line.ExistingFile("input");
            // Refused before any work: an output that would destroy the input or the other output.
            using var outputs = new OutputFiles(input);
            outputs.CheckDistinct(("--save", save), ("--weights-out", weightsOut));
            if (save == null && weightsOut == null)
                output.WriteLine("note: neither --save nor --weights-out given; the model is trained and discarded.");

            var mlContext = Contexts.Create(options.Seed, error, progress);
            var source = TabularInput.Load(mlContext, input, line);
            output.WriteLine(source.Description);
            int dimension = source.Dimension;
            (int Height, int Width) atomShape = AtomShape(dimension, imageShape);
            if (options.Initialization == WeightInitialization.Pca && options.HiddenUnits > dimension)
                throw new UsageException($"--init pca gives at most n = {dimension} directions, but --hidden is {options.HiddenUnits}; use --init random.");
            var watch = Stopwatch.StartNew();
            progress?.Phase("reading the input and initializing");
            ITransformer model;
            SharedAutoencoderTransformer autoencoder;
            try
            {
                (model, autoencoder) = Fit(mlContext, options, scale, source.Data);
            }
            finally
            {
                progress?.Done();
            }
            double seconds = watch.Elapsed.TotalSeconds;
            var history = autoencoder.History.Iterations;
            var last = history.Last(i => !i.Undone);
            output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "Trained m = {0} units on n = {1} features in {2:F2} s: loss {3:G5} → {4:G5} after {5} steps; code density {6:P1}, dead units {7}; {8} step(s) undone.",
                options.HiddenUnits, dimension, seconds, history[0].Loss, last.Loss, last.Iteration, last.ActiveFraction, last.DeadUnits, history.Count(i => i.Undone)));
            string? problem = Degeneracy(autoencoder.History, options.HiddenUnits, options.Activation);
            if (problem != null)
            {
                bool strict = line.Flag("strict");
                error.WriteLine($"{(strict ? "error" : "warning")}: {problem}");
                if (strict)
                {
                    error.WriteLine("error: --strict: no file written.");
                    return ExitCodes.DegenerateModel;
                }
            }

            // Every output is written in full first; the targets are replaced together only when all were written.
            if (save != null)
                outputs.Stage(save, stream => mlContext.Model.Save(model, source.Data.Schema, stream));
            if (weightsOut != null)
            {
                var weights = autoencoder.Model.GetWeights();
                var bias = autoencoder.Model.GetBias();
                outputs.StageText(weightsOut, writer => Csv.WriteLines(writer, new[] { "bias" }.Concat(Enumerable.Range(0, dimension).Select(j => $"w{j}")),
                    weights.Select((column, i) => new[] { Csv.Format(bias[i]) }.Concat(column.Select(Csv.Format)))));
            }
            outputs.Commit();
            if (save != null)
                output.WriteLine($"Model saved to {Path.GetFullPath(save)}");
            if (weightsOut != null)
                output.WriteLine($"Weights written to {Path.GetFullPath(weightsOut)} (one line per hidden unit: bias, then its {dimension} weights).");
            if (plots != null)
                WritePlots(plots, autoencoder, atomShape, output);
            return ExitCodes.Success;
        });

        private enum Scaling
        {
            None,
            MinMax,
            MeanVariance,
        }

        /// <summary>The fitted chain (scaling, then the autoencoder) and the autoencoder itself.</summary>
        private static (ITransformer Model, SharedAutoencoderTransformer Autoencoder) Fit(MLContext mlContext, SharedAutoencoderEstimator.Options options, Scaling scale, IDataView data)
        {
            var autoencoder = mlContext.Transforms.SharedAutoencoder(options);
            string column = options.InputColumnName;
            if (scale == Scaling.None)
            {
                var alone = autoencoder.Fit(data);
                return (alone, alone);
            }
            var chain = (scale == Scaling.MinMax ? mlContext.Transforms.NormalizeMinMax(column) : mlContext.Transforms.NormalizeMeanVariance(column))
                .Append(autoencoder).Fit(data);
            return (chain, chain.LastTransformer);
        }

        /// <summary>"HxW" (e.g. 28x28) from --image-shape, or null.</summary>
        private static (int Height, int Width)? ImageShape(string? text)
        {
            if (text == null)
                return null;
            string[] parts = text.Split('x', 'X');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int w) && h > 0 && w > 0)
                return (h, w);
            throw new UsageException($"Option --image-shape needs HxW with positive integers (e.g. 28x28), got '{text}'.");
        }

        /// <summary>The image shape of one atom: --image-shape, else square when n is a square, else one row; checked before training.</summary>
        private static (int Height, int Width) AtomShape(int dimension, (int Height, int Width)? shape)
        {
            int side = (int)Math.Round(Math.Sqrt(dimension));
            (int height, int width) = shape ?? (side * side == dimension ? (side, side) : (1, dimension));
            if ((long)height * width != dimension)
                throw new UsageException($"--image-shape {height}x{width} has {(long)height * width} pixels, but the atoms have n = {dimension} entries.");
            return (height, width);
        }

        /// <summary>DIR/history.png and DIR/atoms.png, each written atomically by the library.</summary>
        private static void WritePlots(string directory, SharedAutoencoderTransformer autoencoder, (int Height, int Width) shape, TextWriter output)
        {
            (int height, int width) = shape;
            Directory.CreateDirectory(directory);
            string history = Path.Combine(directory, "history.png"), atoms = Path.Combine(directory, "atoms.png");
            Visualization.TrainingHistoryPlot.SavePng(autoencoder.History, history);
            int scale = Math.Clamp(64 / Math.Max(height, width), 1, 8);
            Visualization.DictionaryImage.SavePng(autoencoder.Model.GetWeights(), height, width, atoms, columns: height == 1 ? 1 : null, scale: scale);
            output.WriteLine($"Plots written to {Path.GetFullPath(history)} and {Path.GetFullPath(atoms)}.");
        }

        /// <summary>Split by default, as the library; --split-polarity is kept for the command lines written before.</summary>
        private static bool SplitPolarity(Arguments line)
        {
            if (line.Flag("split-polarity") && line.Flag("no-split-polarity"))
                throw new UsageException("Give --split-polarity or --no-split-polarity, not both.");
            return !line.Flag("no-split-polarity");
        }

        /// <summary>
        /// Why the trained model is useless as a featurizer, in the user's terms (the options to change), or null. The
        /// library measures it (<see cref="TrainingHistory.Degenerate"/>, also logged as a warning); a loss that is 0 before
        /// any step is not convergence: the squares of such small features round to 0 in 32-bit floats.
        /// </summary>
        internal static string? Degeneracy(TrainingHistory history, int hiddenUnits, AutoencoderActivation activation)
        {
            var steps = history.Iterations;
            if (steps.Count > 0 && steps[0].Loss == 0 && !steps.Any(i => i.Iteration > 0 && !i.Undone))
            {
                return "nothing was trained: the reconstruction loss is 0 at the initial weights, so no step was taken (the library reports "
                    + "StopReason Converged, but this is not a fit). The features are too small (their squares round to 0 in 32-bit floats) or "
                    + "all zero; scale them to about [0, 1].";
            }
            if (!history.Degenerate)
                return null;
            int dead = (int)Math.Round(history.DeadUnitFraction * hiddenUnits);
            return string.Format(CultureInfo.InvariantCulture,
                "the model is degenerate: {0} of {1} units never fire on the training rows{2}, so the codes carry almost no information. "
                + "Usual causes: features far from order 1 (scale them to about [0, 1]) or a random start whose units miss the data "
                + "(try --init pca); {3}.", dead, hiddenUnits, history.CodesNearlyConstant ? " and the codes are nearly the same on every row" : "",
                activation == AutoencoderActivation.HardThreshold ? "a smaller --threshold or --learning-rate can also help" : "a smaller --learning-rate can also help");
        }
    }
}
