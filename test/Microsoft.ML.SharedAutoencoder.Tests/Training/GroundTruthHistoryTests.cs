using System;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Tests.Training
{
    [TestClass]
    public sealed class GroundTruthHistoryTests
    {
        [TestMethod]
        public void HistoryRecordsRecoveryOfAKnownDictionaryEveryStep()
        {
            const int n = 60, m = 4, rows = 3000;
            var ml = new MLContext(seed: 1);
            var random = new Random(17);
            var a = TestData.RandomDictionary(n, m, random);
            var (values, components) = TestData.Mixture(a, n, m, rows, 0.01, random);
            var data = TestData.MixtureView(ml, values, components, n);
            var truth = TestData.Columns(a, n);
            var start = truth.Select(c => c.Select(v => v + (float)(0.5 * TestData.Normal(random) / Math.Sqrt(n))).ToArray()).ToArray();

            var model = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                HiddenUnits = m,
                Activation = AutoencoderActivation.HardThreshold,
                MaximumNumberOfIterations = 20,
                Initialization = WeightInitialization.Given,
                InitialWeights = start,
                GroundTruthDictionary = truth,
            }).Fit(data);

            var accepted = model.History.Iterations.Where(e => !e.Undone).ToList();
            Assert.HasCount(21, accepted);
            Assert.IsTrue(accepted.All(e => e.RecoveryError.HasValue && e.MaxColumnError.HasValue));
            Assert.IsGreaterThan(0.3, accepted[0].RecoveryError!.Value, "W⁰ is far from A");
            var final = DictionaryRecovery.Evaluate(model.Model.GetWeights(), truth, allowSignFlips: false);
            Assert.AreEqual(final.FrobeniusError, accepted[^1].RecoveryError!.Value, 1e-9);
            Assert.AreEqual(final.MaxColumnError, accepted[^1].MaxColumnError!.Value, 1e-9);
            Assert.IsLessThan(0.05, final.FrobeniusError);
        }

        [TestMethod]
        public void WithoutGroundTruthTheHistoryHasNoRecoveryFigures()
        {
            var ml = new MLContext(seed: 1);
            var random = new Random(3);
            var a = TestData.RandomDictionary(20, 3, random);
            var (values, components) = TestData.Mixture(a, 20, 3, 500, 0.05, random);
            var model = ml.Transforms.SharedAutoencoder("Code", "Features", hiddenUnits: 3, maximumNumberOfIterations: 3, encoding: CodeEncoding.Activation, initialization: WeightInitialization.Random, normalization: InputNormalization.None, splitPolarity: false).Fit(TestData.MixtureView(ml, values, components, 20));
            Assert.IsTrue(model.History.Iterations.All(e => e.RecoveryError is null && e.MaxColumnError is null));
        }

        [TestMethod]
        public void GroundTruthOfTheWrongShapeIsRejected()
        {
            var ml = new MLContext(seed: 1);
            var tooMany = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, MaximumNumberOfIterations = 50, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 2, GroundTruthDictionary = new[] { new[] { 1f }, new[] { 1f }, new[] { 1f } } };
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SharedAutoencoder(tooMany));
            StringAssert.Contains(error.Message, "GroundTruthDictionary");
            var withNaN = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, MaximumNumberOfIterations = 50, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 2, GroundTruthDictionary = new[] { new[] { 1f, float.NaN } } };
            error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SharedAutoencoder(withNaN));
            StringAssert.Contains(error.Message, "NaN");

            var random = new Random(3);
            var a = TestData.RandomDictionary(20, 3, random);
            var (values, components) = TestData.Mixture(a, 20, 3, 100, 0.05, random);
            var wrongLength = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, MaximumNumberOfIterations = 50, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 3, GroundTruthDictionary = new[] { new float[19] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 } } };
            error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SharedAutoencoder(wrongLength).Fit(TestData.MixtureView(ml, values, components, 20)));
            StringAssert.Contains(error.Message, "n = 20");
        }
    }
}
