using System;
using System.Diagnostics;
using System.IO;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Samples
{
    /// <summary>The outcome of <see cref="PipelineCommand"/>.</summary>
    internal sealed record ClassifierComparison(double CodeAccuracy, double RawAccuracy, double CodeSeconds, double RawSeconds, int Classes);

    /// <summary>
    /// <c>pipeline</c>: <c>.SharedAutoencoder()</c> inside an ML.NET pipeline feeding SdcaMaximumEntropy, on mixture data
    /// whose label is the component; accuracy on codes vs on the raw features.
    /// </summary>
    internal static class PipelineCommand
    {
        public const string Usage =
@"usage: pipeline [--features n] [--components m] [--sigma σ] [--train-rows N] [--test-rows N] [--iterations T] [--learning-rate ζ] [--seed S]
                [--quiet|--progress]
  Mixture of m Gaussians y = A_c + η in n dimensions (label = c) from LoadFromBilinearModel; trains
  SharedAutoencoder → SdcaMaximumEntropy and SdcaMaximumEntropy on the raw features; prints held-out accuracy.
  Defaults: n = 256, m = 10, σ = 0.1, 1000 training and 2000 test rows, T = 50, ζ = m (the library default), seed 1.
" + Progress.OptionsHelp;

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[] { "features", "components", "sigma", "train-rows", "test-rows", "iterations", "seed", "learning-rate" }, Progress.Flags);
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            int n = line.Int("features", 256, min: 2);
            int m = line.Int("components", 10, min: 2, max: n);
            var progress = Progress.For("pipeline", line, error);
            progress?.Phase("training the autoencoder and the classifiers");
            var result = Execute(n, m, line.Double("sigma", 0.1, min: 0), line.Int("train-rows", 1000, min: 1), line.Int("test-rows", 2000, min: 1),
                line.Int("iterations", 50, min: 1), line.Int("seed", 1), line.NullableFloat("learning-rate", 0, exclusiveMin: true), progress);
            progress?.Done();
            output.WriteLine($"Mixture of {m} Gaussians in {n} dimensions; SdcaMaximumEntropy, held-out accuracy (chance {1.0 / m:P0}):");
            output.WriteLine($"  on the {m}-unit autoencoder code: {result.CodeAccuracy:P2}  ({result.CodeSeconds:F2} s to train)");
            output.WriteLine($"  on the {n} raw features:        {result.RawAccuracy:P2}  ({result.RawSeconds:F2} s to train)");
            return ExitCodes.Success;
        });

        internal static ClassifierComparison Execute(int featureCount, int components, double sigma, int trainRows, int testRows, int iterations, int seed, float? learningRate = null,
            Progress? progress = null)
        {
            var mlContext = new MLContext(seed);
            progress?.Attach(mlContext);
            // One lazy view; the first rows train, the rest test (same dictionary A).
            IDataView all = mlContext.Data.LoadFromBilinearModel(new BilinearModelOptions
            {
                FeatureCount = featureCount,
                AtomCount = components,
                LatentCodeModel = LatentCodeModel.MixtureOfGaussians,
                NoiseStandardDeviation = (float)sigma,
                Seed = seed,
            }, trainRows + testRows);
            IDataView train = mlContext.Data.TakeRows(all, trainRows);
            IDataView test = mlContext.Data.SkipRows(all, trainRows);

            // The featurizer in a pipeline: Features → Code (m sparse values) → classifier.
            var codePipeline = mlContext.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
                {
                    // The paper's settings (the defaults before format 0x00010004).
                    Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                    InputColumnName = "Features",
                    OutputColumnName = "Code",
                    HiddenUnits = components,
                    Initialization = WeightInitialization.Pca,
                    MaximumNumberOfIterations = iterations,
                    LearningRate = learningRate,
                    Seed = seed,
                })
                .Append(mlContext.Transforms.NormalizeMinMax("Code"))
                .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName: "Label", featureColumnName: "Code"));
            var rawPipeline = mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName: "Label", featureColumnName: "Features");

            var watch = Stopwatch.StartNew();
            var codeModel = codePipeline.Fit(train);
            double codeSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            var rawModel = rawPipeline.Fit(train);
            double rawSeconds = watch.Elapsed.TotalSeconds;

            double codeAccuracy = mlContext.MulticlassClassification.Evaluate(codeModel.Transform(test)).MicroAccuracy;
            double rawAccuracy = mlContext.MulticlassClassification.Evaluate(rawModel.Transform(test)).MicroAccuracy;
            return new ClassifierComparison(codeAccuracy, rawAccuracy, codeSeconds, rawSeconds, components);
        }
    }
}
