using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Samples
{
    /// <summary>The outcome of <see cref="SaveLoadCommand"/>.</summary>
    internal sealed record SaveLoadResult(string ModelPath, long ModelBytes, float[] Input, float[] CodeBefore, float[] CodeAfter, float ReconstructionError, double MaxCodeDifference);

    /// <summary>
    /// <c>save-load</c>: fit, <c>mlContext.Model.Save</c> to a zip, load it in a new <see cref="MLContext"/> and predict
    /// with a PredictionEngine; the codes before and after must agree.
    /// </summary>
    internal static class SaveLoadCommand
    {
        /// <summary>The input dimension of this example (fixed, because the PredictionEngine classes declare it).</summary>
        public const int Dimension = 64;

        public const string Usage =
@"usage: save-load [--model PATH] [--hidden m] [--seed S]
  Fits a shared autoencoder (PCA start) on 2000 rows of a mixture of m Gaussians (n = 64), saves it to PATH (default
  ./shared-autoencoder.zip), loads it in a new MLContext and encodes one row with a PredictionEngine.";

        /// <summary>The PredictionEngine input: one feature vector.</summary>
        public sealed class Input
        {
            /// <summary>y, of length <see cref="Dimension"/>.</summary>
            [VectorType(Dimension)]
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        /// <summary>The PredictionEngine output: the code and the per-row reconstruction error.</summary>
        public sealed class Output
        {
            /// <summary>x = σ(Wᵀy + b).</summary>
            public float[] Code { get; set; } = Array.Empty<float>();

            /// <summary>½‖y − Wx‖².</summary>
            public float ReconstructionError { get; set; }
        }

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[] { "model", "hidden", "seed" });
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            var result = Execute(line.String("model", "shared-autoencoder.zip"), line.Int("hidden", 8, min: 1, max: Dimension), line.Int("seed", 1));
            output.WriteLine($"Saved {result.ModelBytes:N0} bytes to {result.ModelPath}; loaded in a new MLContext.");
            output.WriteLine($"Code of row 0 before saving: [{Format(result.CodeBefore)}]");
            output.WriteLine($"Code of row 0 after loading: [{Format(result.CodeAfter)}]");
            output.WriteLine($"Largest difference: {result.MaxCodeDifference:G3}; reconstruction error ½‖y − Wx‖² = {result.ReconstructionError:G4}");
            return result.MaxCodeDifference == 0 ? ExitCodes.Success : ExitCodes.InputError;
        });

        internal static SaveLoadResult Execute(string modelPath, int hiddenUnits, int seed)
        {
            // 1. Train and save.
            var trainContext = new MLContext(seed);
            BilinearModelDataView data = trainContext.Data.LoadFromBilinearModel(new BilinearModelOptions
            {
                FeatureCount = Dimension,
                AtomCount = hiddenUnits,
                LatentCodeModel = LatentCodeModel.MixtureOfGaussians,
                NoiseStandardDeviation = 0.05f,
                Seed = seed,
            }, 2000);
            var model = trainContext.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, MaximumNumberOfIterations = 50, Encoding = CodeEncoding.Activation,
                HiddenUnits = hiddenUnits,
                Initialization = WeightInitialization.Pca,
                ReconstructionErrorColumnName = "ReconstructionError",
                Seed = seed,
            }).Fit(data);
            var input = new Input { Features = data.GetFeatures(0) };
            var before = trainContext.Model.CreatePredictionEngine<Input, Output>(model).Predict(input);

            string? directory = Path.GetDirectoryName(Path.GetFullPath(modelPath));
            if (directory != null)
                Directory.CreateDirectory(directory);
            trainContext.Model.Save(model, data.Schema, modelPath);

            // 2. A new context, as in another process: load and predict.
            var serveContext = new MLContext();
            ITransformer loaded = serveContext.Model.Load(modelPath, out DataViewSchema _);
            var engine = serveContext.Model.CreatePredictionEngine<Input, Output>(loaded);
            var after = engine.Predict(input);

            double difference = before.Code.Zip(after.Code, (a, b) => Math.Abs((double)a - b)).DefaultIfEmpty(0).Max();
            return new SaveLoadResult(modelPath, new FileInfo(modelPath).Length, input.Features, before.Code, after.Code, after.ReconstructionError, difference);
        }

        private static string Format(float[] values) => string.Join(", ", values.Select(v => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
