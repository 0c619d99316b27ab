using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Samples
{
    /// <summary>One configuration of the digits featurizer.</summary>
    internal sealed record DigitsSettings(int HiddenUnits, AutoencoderActivation Activation, string Normalization, int Iterations, float? LearningRate, float Threshold, int Seed);

    /// <summary>Held-out accuracies of one configuration.</summary>
    internal sealed record DigitsResult(DigitsSettings Settings, int TrainRows, int TestRows, double PixelAccuracy, double CodeAccuracy, double CombinedAccuracy,
        double CodeDensity, double AutoencoderSeconds, double PixelClassifierSeconds, double CodeClassifierSeconds);

    /// <summary>
    /// <c>digits</c>: the UCI handwritten digits (8×8, 1797 images, CC BY 4.0); an overcomplete shared-autoencoder code
    /// (m = 64…256) vs the raw pixels as features of the same linear classifier (SdcaMaximumEntropy).
    /// </summary>
    internal static class DigitsCommand
    {
        public const string Usage =
@"usage: digits [--data PATH] [--hidden m] [--activation relu|threshold] [--threshold λ] [--normalize unit|minmax]
              [--iterations T] [--learning-rate ζ] [--seed S] [--sweep]
              [--quiet|--progress]
  Learns a code of m units on 2/3 of the UCI digits (a seeded split), trains SdcaMaximumEntropy on the code, on the
  pixels, and on code + pixels, and prints held-out accuracy on the other 1/3. --sweep runs a grid of m, activation
  and normalization. Defaults: m = 256, relu, unit-norm rows, T = 100, ζ = 1, seed 1, data Data/digits.csv.gz
  next to the program.
" + Progress.OptionsHelp;

        public static string DefaultDataPath => Path.Combine(AppContext.BaseDirectory, "Data", "digits.csv.gz");

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[] { "data", "hidden", "activation", "threshold", "normalize", "iterations", "learning-rate", "seed" }, Progress.Flags.Append("sweep"));
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            string path = line.ExistingFile("data", DefaultDataPath);
            var settings = new DigitsSettings(
                line.Int("hidden", 256, min: 1),
                line.Choice("activation", AutoencoderActivation.Relu, ("relu", AutoencoderActivation.Relu), ("threshold", AutoencoderActivation.HardThreshold)),
                line.Choice("normalize", "unit", ("unit", "unit"), ("minmax", "minmax")),
                line.Int("iterations", 100, min: 1),
                line.Float("learning-rate", 1, min: 0, exclusiveMin: true),
                line.Float("threshold", 0.1f, min: 0, exclusiveMin: true),
                line.Int("seed", 1));
            var progress = Progress.For("digits", line, error);
            var (images, digits) = Load(path);
            output.WriteLine($"UCI handwritten digits: {images.Count} images of 8×8 pixels (CC BY 4.0, Alpaydin & Kaynak 1998).");
            var grid = line.Flag("sweep")
                ? (from m in new[] { 64, 128, 256 }
                   from activation in new[] { AutoencoderActivation.Relu, AutoencoderActivation.HardThreshold }
                   from normalization in new[] { "unit", "minmax" }
                   select settings with { HiddenUnits = m, Activation = activation, Normalization = normalization }).ToList()
                : new List<DigitsSettings> { settings };
            output.WriteLine("| m | activation | rows | pixels | code | code + pixels | code density | autoencoder s | classifier s (pixels / code) |");
            output.WriteLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var (s, index) in grid.Select((s, i) => (s, i)))
            {
                progress?.Phase($"configuration {index + 1}/{grid.Count}: training the autoencoder and the classifiers");
                var r = Execute(images, digits, s, progress);
                progress?.Done();
                output.WriteLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1} | {2} | {3:P2} | {4:P2} | {5:P2} | {6:P1} | {7:F2} | {8:F2} / {9:F2} |",
                    s.HiddenUnits, s.Activation == AutoencoderActivation.Relu ? "relu" : "threshold", s.Normalization, r.PixelAccuracy, r.CodeAccuracy, r.CombinedAccuracy,
                    r.CodeDensity, r.AutoencoderSeconds, r.PixelClassifierSeconds, r.CodeClassifierSeconds));
            }
            output.WriteLine($"Held-out split: {images.Count - images.Count / 3} training / {images.Count / 3} test images, seed {settings.Seed}.");
            return ExitCodes.Success;
        });

        /// <summary>Reads the gzip CSV: 64 pixel counts 0..16 then the digit.</summary>
        internal static (List<float[]> Images, List<int> Digits) Load(string path)
        {
            var images = new List<float[]>();
            var digits = new List<int>();
            using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var reader = new StreamReader(stream);
            string? text;
            int lineNumber = 0;
            while ((text = reader.ReadLine()) != null)
            {
                lineNumber++;
                if (text.Length == 0)
                    continue;
                var fields = text.Split(',');
                if (fields.Length != 65)
                    throw new InputException($"{path}, line {lineNumber}: expected 65 fields (64 pixels and the digit), got {fields.Length}.");
                var pixels = new float[64];
                for (int j = 0; j < 64; j++)
                    pixels[j] = float.Parse(fields[j], CultureInfo.InvariantCulture);
                images.Add(pixels);
                digits.Add(int.Parse(fields[64], CultureInfo.InvariantCulture));
            }
            return (images, digits);
        }

        internal static DigitsResult Execute(List<float[]> images, List<int> digits, DigitsSettings s, Progress? progress = null)
        {
            var mlContext = new MLContext(s.Seed);
            progress?.Attach(mlContext);
            var rows = images.Select(p => Normalize(p, s.Normalization)).ToList();
            // A seeded shuffle, then 1/3 held out.
            var order = Enumerable.Range(0, rows.Count).ToArray();
            new Random(s.Seed).Shuffle(order);
            int testCount = rows.Count / 3;
            var testIndex = order.Take(testCount).ToList();
            var trainIndex = order.Skip(testCount).ToList();
            IDataView train = DenseData.ToDataView(mlContext, trainIndex.Select(i => rows[i]).ToList(), trainIndex.Select(i => digits[i]).ToList(), 64, 10);
            IDataView test = DenseData.ToDataView(mlContext, testIndex.Select(i => rows[i]).ToList(), testIndex.Select(i => digits[i]).ToList(), 64, 10);

            var watch = Stopwatch.StartNew();
            var autoencoder = mlContext.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation,
                HiddenUnits = s.HiddenUnits,
                Activation = s.Activation,
                Threshold = s.Threshold,
                MaximumNumberOfIterations = s.Iterations,
                LearningRate = s.LearningRate,
                Seed = s.Seed,
            }).Fit(train);
            double autoencoderSeconds = watch.Elapsed.TotalSeconds;
            IDataView trainCodes = autoencoder.Transform(train);
            IDataView testCodes = autoencoder.Transform(test);
            var codeScaler = mlContext.Transforms.NormalizeMinMax("ScaledCode", "Code").Fit(trainCodes);
            trainCodes = mlContext.Data.Cache(codeScaler.Transform(trainCodes));
            testCodes = codeScaler.Transform(testCodes);

            double Accuracy(IDataView fitOn, IDataView evaluateOn, string column, out double seconds)
            {
                var clock = Stopwatch.StartNew();
                var model = mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName: "Label", featureColumnName: column).Fit(fitOn);
                seconds = clock.Elapsed.TotalSeconds;
                return mlContext.MulticlassClassification.Evaluate(model.Transform(evaluateOn)).MicroAccuracy;
            }

            double pixels = Accuracy(trainCodes, testCodes, "Features", out double pixelSeconds);
            double code = Accuracy(trainCodes, testCodes, "ScaledCode", out double codeSeconds);
            var concatenate = mlContext.Transforms.Concatenate("Both", "ScaledCode", "Features");
            double combined = Accuracy(concatenate.Fit(trainCodes).Transform(trainCodes), concatenate.Fit(trainCodes).Transform(testCodes), "Both", out _);
            double density = autoencoder.History.Iterations.Last(i => !i.Undone).ActiveFraction;
            return new DigitsResult(s, trainIndex.Count, testIndex.Count, pixels, code, combined, density, autoencoderSeconds, pixelSeconds, codeSeconds);
        }

        private static float[] Normalize(float[] pixels, string normalization)
        {
            if (normalization == "minmax")
                return pixels.Select(p => p / 16f).ToArray();
            double norm = Math.Sqrt(pixels.Sum(p => (double)p * p));
            return norm == 0 ? (float[])pixels.Clone() : pixels.Select(p => (float)(p / norm)).ToArray();
        }
    }
}
