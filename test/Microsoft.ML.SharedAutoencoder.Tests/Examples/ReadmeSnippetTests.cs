using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.SharedAutoencoder.Examples.Samples;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary>The README's "Use it on your own data" example compiles, runs on real data, and is shown verbatim.</summary>
    [TestClass]
    public sealed class ReadmeSnippetTests
    {
        private static double HeldOutAccuracy(string path)
        {
            // README-BEGIN
            var ml = new MLContext(seed: 1);
            IDataView data = ml.Data.LoadFromTextFile(path, new[]
            {
                new TextLoader.Column("Features", DataKind.Single, 0, 63),
                new TextLoader.Column("Label", DataKind.Single, 64),
            }, separatorChar: ',', hasHeader: false);
            var split = ml.Data.TrainTestSplit(data, testFraction: 1.0 / 3, seed: 1);
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Whiten("Features", kind: WhiteningKind.Pca, epsilon: 190))  // ε ≈ 10 × the mean feature variance
                .Append(ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
                {
                    Normalization = InputNormalization.None,  // whitened upstream: nothing left to normalize inside
                    HiddenUnits = 1024, Initialization = WeightInitialization.Samples, InitialBias = 0,
                    MaximumNumberOfIterations = 0,  // atoms = whitened training rows, kept as drawn
                    Encoding = CodeEncoding.SoftThreshold, EncodingThreshold = 0.5f, SplitPolarity = true, Seed = 1,
                }))
                .Append(ml.Transforms.NormalizeMeanVariance("Code"))
                .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
                    { FeatureColumnName = "Code", L2Regularization = 12 }));  // ≈ 0.01 × the training rows
            var model = pipeline.Fit(split.TrainSet);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
            Console.WriteLine($"held-out accuracy {metrics.MicroAccuracy:P2}");
            // README-END
            return metrics.MicroAccuracy;
        }

        [TestMethod]
        public void OwnDataExample_RunsOnTheDigitsCsv()
        {
            string path = Path.Combine(Path.GetTempPath(), "sae-readme-" + Guid.NewGuid().ToString("N") + ".csv");
            using (var compressed = new GZipStream(File.OpenRead(DigitsCommand.DefaultDataPath), CompressionMode.Decompress))
            using (var plain = File.Create(path))
                compressed.CopyTo(plain);
            double accuracy = HeldOutAccuracy(path);
            File.Delete(path);
            Assert.IsTrue(accuracy > 0.975, $"held-out accuracy {accuracy}");
        }

        [TestMethod]
        public void OwnDataExample_IsShownVerbatimInTheReadme()
        {
            // The repository root, from the library project's path the build records (not [CallerFilePath], which CI path maps rewrite).
            string library = typeof(ReadmeSnippetTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LibraryProjectPath").Value!;
            string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(library)!, "..", ".."));
            string source = Path.Combine(root, "test", "Microsoft.ML.SharedAutoencoder.Tests", "Examples", "ReadmeSnippetTests.cs");
            var lines = File.ReadAllLines(source);
            int begin = Array.FindIndex(lines, l => l.Trim() == "// README-BEGIN");
            int end = Array.FindIndex(lines, l => l.Trim() == "// README-END");
            string indent = new string(' ', 12);
            string code = string.Join("\n", lines[(begin + 1)..end].Select(l => l.StartsWith(indent, StringComparison.Ordinal) ? l.Substring(indent.Length) : l.Trim()));
            string readme = File.ReadAllText(Path.Combine(root, "README.md")).Replace("\r\n", "\n");
            StringAssert.Contains(readme, "```csharp\n" + code + "\n```");
        }
    }
}
