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
@"usage: train --input FILE [--hidden m] [--activation relu|threshold] [--threshold λ] [--iterations T]
             [--learning-rate ζ] [--init random|pca] [--seed S] [--save model.zip] [--weights-out W.csv]
             [--features SPEC] [--label-column NAME] [--header yes|no|auto] [--separator C] [--strict]
  FILE is a CSV of numbers or an ML.NET binary IDataView (.idv). Defaults are the library's: m = 10, relu, λ = 0.5,
  T = 50, ζ = m, random initialization, seed 1. --weights-out writes one line per hidden unit: bias, then W_i.
  A degenerate model (most units never fire, codes nearly constant, or nothing trained because the loss is 0 from
  the start) is reported on stderr; --strict makes it an error (exit 3, no file written).
" + TabularInput.OptionsHelp;

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[]
            {
                "input", "hidden", "activation", "threshold", "iterations", "learning-rate", "init", "seed", "save", "weights-out",
                "features", "label-column", "header", "separator",
            }, new[] { "strict" });
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            var options = new SharedAutoencoderEstimator.Options
            {
                HiddenUnits = line.Int("hidden", 10, min: 1),
                Activation = line.Choice("activation", AutoencoderActivation.Relu, ("relu", AutoencoderActivation.Relu), ("threshold", AutoencoderActivation.HardThreshold)),
                Threshold = line.Float("threshold", 0.5f, min: 0, exclusiveMin: true),
                MaximumNumberOfIterations = line.Int("iterations", 50, min: 1),
                LearningRate = line.NullableFloat("learning-rate", 0, exclusiveMin: true),
                Initialization = line.Choice("init", WeightInitialization.Random, ("random", WeightInitialization.Random), ("pca", WeightInitialization.Pca)),
                Seed = line.Int("seed", 1),
            };
            string? save = line.String("save");
            string? weightsOut = line.String("weights-out");
            string input = line.ExistingFile("input");
            // Refused before any work: an output that would destroy the input or the other output.
            using var outputs = new OutputFiles(input);
            outputs.CheckDistinct(("--save", save), ("--weights-out", weightsOut));
            if (save == null && weightsOut == null)
                output.WriteLine("note: neither --save nor --weights-out given; the model is trained and discarded.");

            var mlContext = Contexts.Create(options.Seed, error);
            var source = TabularInput.Load(mlContext, input, line);
            output.WriteLine(source.Description);
            int dimension = source.Dimension;
            if (options.Initialization == WeightInitialization.Pca && options.HiddenUnits > dimension)
                throw new UsageException($"--init pca gives at most n = {dimension} directions, but --hidden is {options.HiddenUnits}; use --init random.");
            var watch = Stopwatch.StartNew();
            var model = mlContext.Transforms.SharedAutoencoder(options).Fit(source.Data);
            double seconds = watch.Elapsed.TotalSeconds;
            var history = model.History.Iterations;
            var last = history.Last(i => !i.Undone);
            output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "Trained m = {0} units on n = {1} features in {2:F2} s: loss {3:G5} → {4:G5} after {5} steps; code density {6:P1}, dead units {7}; {8} step(s) undone.",
                options.HiddenUnits, dimension, seconds, history[0].Loss, last.Loss, last.Iteration, last.ActiveFraction, last.DeadUnits, history.Count(i => i.Undone)));
            string? problem = Degeneracy(model.History, options.HiddenUnits, options.Activation);
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
                var weights = model.Model.GetWeights();
                var bias = model.Model.GetBias();
                outputs.StageText(weightsOut, writer => Csv.WriteLines(writer, new[] { "bias" }.Concat(Enumerable.Range(0, dimension).Select(j => $"w{j}")),
                    weights.Select((column, i) => new[] { Csv.Format(bias[i]) }.Concat(column.Select(Csv.Format)))));
            }
            outputs.Commit();
            if (save != null)
                output.WriteLine($"Model saved to {Path.GetFullPath(save)}");
            if (weightsOut != null)
                output.WriteLine($"Weights written to {Path.GetFullPath(weightsOut)} (one line per hidden unit: bias, then its {dimension} weights).");
            return ExitCodes.Success;
        });

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
