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
             [--features SPEC] [--label-column NAME] [--header yes|no|auto] [--separator C]
  FILE is a CSV of numbers or an ML.NET binary IDataView (.idv). Defaults are the library's: m = 10, relu, λ = 0.5,
  T = 50, ζ = m, random initialization, seed 1. --weights-out writes one line per hidden unit: bias, then W_i.
" + TabularInput.OptionsHelp;

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[]
            {
                "input", "hidden", "activation", "threshold", "iterations", "learning-rate", "init", "seed", "save", "weights-out",
                "features", "label-column", "header", "separator",
            });
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
    }
}
