using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Examples.Samples;

namespace Microsoft.ML.SharedAutoencoder.Tests.Estimator
{
    /// <summary>
    /// The transform as a featurizer on real data (the shipped UCI digits): a degenerate fit is flagged and logged, and
    /// the recommended recipe (whitening, sampled atoms, split soft threshold) beats the pixels on a fixed split.
    /// </summary>
    [TestClass]
    public sealed class FeaturizerTests
    {
        private const int TrainRows = 1438; // 80 % of 1,797; the last 359 rows are held out

        public TestContext TestContext { get; set; } = null!;

        private static (MLContext Ml, IDataView Train, IDataView Test) Digits(float scale = 1)
        {
            var (images, digits) = DigitsCommand.Load(DigitsCommand.DefaultDataPath);
            var ml = new MLContext(seed: 1);
            IDataView View(int from, int to)
            {
                var rows = Enumerable.Range(from, to - from)
                    .Select(t => new TestData.Row { Features = images[t].Select(v => v * scale).ToArray(), Label = (uint)digits[t] }).ToList();
                var schema = SchemaDefinition.Create(typeof(TestData.Row));
                schema[nameof(TestData.Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 64);
                return ml.Data.LoadFromEnumerable(rows, schema);
            }
            var labeled = ml.Transforms.Conversion.MapValueToKey("Label").Fit(View(0, TrainRows));
            return (ml, labeled.Transform(View(0, TrainRows)), labeled.Transform(View(TrainRows, images.Count)));
        }

        private static List<string> Warnings(MLContext ml)
        {
            var warnings = new List<string>();
            ml.Log += (_, e) =>
            {
                if (e.Kind == Runtime.ChannelMessageKind.Warning)
                {
                    lock (warnings)
                        warnings.Add(e.Message);
                }
            };
            return warnings;
        }

        [TestMethod]
        public void PaperSettingsOnUnscaledDigitsAreFlaggedDegenerateWithAWarning()
        {
            // Pixel values 0–16 with the paper's settings, the defaults before format 0x00010004: the case (9 of 10
            // units dead, chance accuracy, Fit returned normally).
            var (ml, train, _) = Digits();
            var warnings = Warnings(ml);
            var model = ml.Transforms.SharedAutoencoder("Code", "Features", hiddenUnits: 10, maximumNumberOfIterations: 50, encoding: CodeEncoding.Activation, initialization: WeightInitialization.Random, normalization: InputNormalization.None, splitPolarity: false).Fit(train);
            TestContext.WriteLine($"dead fraction {model.History.DeadUnitFraction:F2}, constant codes {model.History.CodesNearlyConstant}");
            Assert.IsTrue(model.History.Degenerate, $"dead fraction {model.History.DeadUnitFraction}");
            Assert.IsGreaterThan(0.5, model.History.DeadUnitFraction);
            string warning = warnings.Single(w => w.Contains("degenerate", StringComparison.Ordinal));
            StringAssert.Contains(warning, "NormalizeMinMax");
        }

        [TestMethod]
        public void AHealthyFitIsNotFlagged()
        {
            var (ml, train, _) = Digits();
            var warnings = Warnings(ml);
            var model = ml.Transforms.NormalizeMinMax("Features")
                .Append(ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 64, MaximumNumberOfIterations = 30, Seed = 3 }))
                .Fit(train).LastTransformer;
            TestContext.WriteLine($"dead fraction {model.History.DeadUnitFraction:F2}, constant codes {model.History.CodesNearlyConstant}");
            Assert.IsFalse(model.History.Degenerate);
            Assert.IsLessThan(0.5, model.History.DeadUnitFraction);
            Assert.IsFalse(model.History.CodesNearlyConstant);
            Assert.IsFalse(warnings.Any(w => w.Contains("degenerate", StringComparison.Ordinal)), string.Join("; ", warnings));
        }

        [TestMethod]
        public void TheDegeneracyRecordIsSaved()
        {
            var (ml, train, _) = Digits();
            var model = ml.Transforms.SharedAutoencoder("Code", "Features", hiddenUnits: 10, maximumNumberOfIterations: 50, encoding: CodeEncoding.Activation, initialization: WeightInitialization.Random, normalization: InputNormalization.None, splitPolarity: false).Fit(train);
            using var stream = new System.IO.MemoryStream();
            ml.Model.Save(model, train.Schema, stream);
            stream.Position = 0;
            var loaded = ml.Model.LoadSharedAutoencoder(stream, out _);
            Assert.AreEqual(model.History.DeadUnitFraction, loaded.History.DeadUnitFraction);
            Assert.AreEqual(model.History.CodesNearlyConstant, loaded.History.CodesNearlyConstant);
            Assert.IsTrue(loaded.History.Degenerate);
        }

        private static double Accuracy(MLContext ml, IEstimator<ITransformer> featurizer, string features, IDataView train, IDataView test, float l2PerRow = 0.01f)
        {
            // Standardized features and L2 = 0.01·N: ML.NET's default L2 (1) overfits 1,438 rows of 2,048 features.
            var model = featurizer
                .Append(ml.Transforms.NormalizeMeanVariance(features))
                .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options
                {
                    FeatureColumnName = features,
                    L2Regularization = l2PerRow * TrainRows,
                    NumberOfThreads = 1,
                }))
                .Fit(train);
            return ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        }

        [TestMethod]
        [DataRow(1f, DisplayName = "pixels 0–16")]
        [DataRow(1 / 16f, DisplayName = "pixels / 16")]
        public void TheDefaultOptionsAreHealthyAndNotWorseThanThePixels(float scale)
        {
            // Issue 11's target: with the default options, on scaled or unscaled input, never worse than the raw features by
            // more than one point (the same classifier: standardized features, L2 = 0.01·N).
            var (ml, train, test) = Digits(scale);
            var warnings = Warnings(ml);
            var defaults = ml.Transforms.SharedAutoencoder("Code", "Features");
            var model = defaults.Fit(train);
            Assert.AreEqual(InputNormalization.CenterAndScale, model.Model.Normalization);
            Assert.IsFalse(model.History.Degenerate, $"dead fraction {model.History.DeadUnitFraction}");
            Assert.IsFalse(warnings.Any(w => w.Contains("degenerate", StringComparison.Ordinal)), string.Join("; ", warnings));
            double pixels = Accuracy(ml, ml.Transforms.CopyColumns("Pixels", "Features"), "Pixels", train, test);
            double codes = Accuracy(ml, defaults, "Code", train, test);
            TestContext.WriteLine($"digits 80/20, scale {scale}: pixels {pixels:F4}, default codes (m = {model.Model.HiddenUnits}, length {model.Model.CodeLength}) {codes:F4}");
            Assert.IsGreaterThanOrEqualTo(pixels - 0.01, codes);
        }

        [TestMethod]
        public void TheDefaultOptionsGiveTheSameCodesForAnyInputScale()
        {
            // μ and s scale with the input, so (y − μ)/s, the atoms drawn from it and the codes do not move. With a power-of-two
            // factor every rounding scales too, and the codes are bit-identical (another factor: equal up to rounding).
            var (ml, train, _) = Digits();
            var (mlScaled, trainScaled, _) = Digits(1 / 16f);
            var codes = ReliabilityCodes(ml, ml.Transforms.SharedAutoencoder("Code", "Features", hiddenUnits: 64).Fit(train), train);
            var scaledCodes = ReliabilityCodes(mlScaled, mlScaled.Transforms.SharedAutoencoder("Code", "Features", hiddenUnits: 64).Fit(trainScaled), trainScaled);
            Assert.IsTrue(codes.Sum(c => c.Count(v => v != 0)) > 50, "the codes are not all zero");
            for (int t = 0; t < codes.Length; t++)
                CollectionAssert.AreEqual(codes[t], scaledCodes[t], $"row {t}");
        }

        private static float[][] ReliabilityCodes(MLContext ml, ITransformer model, IDataView data)
            => ml.Data.CreateEnumerable<CodeRow>(model.Transform(data), reuseRowObject: false).Take(50).Select(r => r.Code).ToArray();

        private sealed class CodeRow
        {
            public float[] Code { get; set; } = Array.Empty<float>();
        }

        [TestMethod]
        public void TheRecommendedRecipeBeatsThePixelsOnAFixedSplit()
        {
            var (ml, train, test) = Digits();
            // The pixels get the better of two regularizations (L2 = 0.001·N and 0.01·N), the codes one.
            double pixels = Math.Max(
                Accuracy(ml, ml.Transforms.CopyColumns("Pixels", "Features"), "Pixels", train, test, 0.001f),
                Accuracy(ml, ml.Transforms.CopyColumns("Pixels", "Features"), "Pixels", train, test, 0.01f));
            var recipe = ml.Transforms.Whiten(new WhiteningEstimator.Options { Kind = WhiteningKind.Pca, Epsilon = 10 * 16 * 16 * 0.0733f })
                .Append(ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
                {
                    // Whitened upstream: no normalization inside the model.
                    Normalization = InputNormalization.None,
                    HiddenUnits = 512,
                    Initialization = WeightInitialization.Samples,
                    MaximumNumberOfIterations = 0,
                    InitialBias = 0,
                    Encoding = CodeEncoding.SoftThreshold,
                    SplitPolarity = true,
                    EncodingThreshold = 0.5f,
                    Seed = 1,
                }));
            double codes = Accuracy(ml, recipe, "Code", train, test);
            TestContext.WriteLine($"digits 80/20: pixels {pixels:F4}, whitened split soft-threshold codes (m = 512) {codes:F4}");
            Assert.IsGreaterThan(pixels, codes);
        }

        [TestMethod]
        public void ZeroIterationsKeepsTheInitialization()
        {
            var (ml, train, _) = Digits(1 / 16f);
            var options = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation, HiddenUnits = 32, Initialization = WeightInitialization.Samples, MaximumNumberOfIterations = 0, Seed = 2 };
            var model = ml.Transforms.SharedAutoencoder(options).Fit(train);
            Assert.HasCount(1, model.History.Iterations);
            options.MaximumNumberOfIterations = 1;
            options.LearningRate = 0.1f;
            var once = ml.Transforms.SharedAutoencoder(options).Fit(train);
            // The same W⁰ (same seed), and no step: the first entry of a one-step run is the zero-step model's loss.
            Assert.AreEqual(once.History.Iterations[0].Loss, model.History.Iterations[0].Loss);
            CollectionAssert.AreNotEqual(once.Model.GetWeights()[0], model.Model.GetWeights()[0]);
        }
    }
}
