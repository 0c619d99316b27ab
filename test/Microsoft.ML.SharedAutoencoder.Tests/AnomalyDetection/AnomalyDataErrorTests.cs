using System;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Tests.Reliability;

namespace Microsoft.ML.SharedAutoencoder.Tests.AnomalyDetection
{
    /// <summary>Bad input to the anomaly trainer: the transform's own clear errors, never a model.</summary>
    [TestClass]
    public sealed class AnomalyDataErrorTests
    {
        private const int N = 8;

        private static SharedAutoencoderAnomalyTrainer.Options Options() => new() { HiddenUnits = 3, MaximumNumberOfIterations = 5, Seed = 3 };

        private static SharedAutoencoderEstimator.Options TransformOptions() => new() { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 3, MaximumNumberOfIterations = 5, Seed = 3 };

        private static (Exception Trainer, Exception Transform) BothFail(IDataView data)
        {
            var ml = new MLContext(1);
            var trainer = Assert.ThrowsExactly<InvalidOperationException>(() => ml.AnomalyDetection.Trainers.SharedAutoencoder(Options()).Fit(data));
            var transform = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.SharedAutoencoder(TransformOptions()).Fit(data));
            Console.WriteLine(trainer.Message);
            return (trainer, transform);
        }

        [TestMethod]
        [DataRow(float.NaN)]
        [DataRow(float.PositiveInfinity)]
        public void NonFiniteRowsGiveTheTransformsMessage(float bad)
        {
            var rows = ReliabilityData.Mixture(N, 3, 40, seed: 1);
            rows[17][5] = bad;
            var (trainer, transform) = BothFail(AnomalyTestData.View(new MLContext(1), rows));
            Assert.AreEqual(transform.Message, trainer.Message);
            StringAssert.Contains(trainer.Message, $"Column 'Features' has a non-finite value ({bad}) at row 17, index 5.");
        }

        [TestMethod]
        public void EmptyDataGiveTheTransformsMessage()
        {
            var (trainer, transform) = BothFail(ReliabilityData.View(new MLContext(1), Array.Empty<float[]>(), N));
            Assert.AreEqual(transform.Message, trainer.Message);
            StringAssert.Contains(trainer.Message, "The training data are empty: column 'Features' has no rows.");
        }

        [TestMethod]
        public void ConstantDataAreRefusedWithAReason()
        {
            var ml = new MLContext(1);
            var error = Assert.ThrowsExactly<InvalidOperationException>(() =>
                ml.AnomalyDetection.Trainers.SharedAutoencoder(Options()).Fit(ReliabilityData.View(ml, ReliabilityData.Constant(20, N, 0.5f), N)));
            StringAssert.Contains(error.Message, "Column 'Features' has the same value in all 20 rows");
        }

        [TestMethod]
        public void WrongColumnTypeIsASchemaMismatchNamingTheColumn()
        {
            var ml = new MLContext(1);
            var data = ml.Data.LoadFromEnumerable(new[] { new DoubleRow(), new DoubleRow() });
            var trainer = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.SharedAutoencoder(Options()).Fit(data));
            var transform = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.SharedAutoencoder(TransformOptions()).Fit(data));
            Console.WriteLine(trainer.Message);
            Console.WriteLine(transform.Message);
            // ML.NET's trainer base checks the feature column before the trainer runs, in its own words; both name the
            // column, the expected Single vector and the type found.
            foreach (var error in new Exception[] { trainer, transform })
            {
                StringAssert.Contains(error.Message, "Schema mismatch for");
                StringAssert.Contains(error.Message, "'Features'");
                StringAssert.Contains(error.Message, "Single");
                StringAssert.Contains(error.Message, "Double");
            }
        }

        [TestMethod]
        public void VariableSizeVectorIsASchemaMismatchNamingTheColumn()
        {
            var ml = new MLContext(1);
            var data = ml.Data.LoadFromEnumerable(new[] { new TestData.Row { Features = new float[] { 1, 2 } }, new TestData.Row { Features = new float[] { 3, 4 } } });
            var trainer = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.SharedAutoencoder(Options()).Fit(data));
            var transform = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.SharedAutoencoder(TransformOptions()).Fit(data));
            foreach (var error in new Exception[] { trainer, transform })
            {
                StringAssert.Contains(error.Message, "Schema mismatch for");
                StringAssert.Contains(error.Message, "'Features'");
                StringAssert.Contains(error.Message, "Vector<Single");
            }
        }

        [TestMethod]
        [DataRow(0.0)]
        [DataRow(1.5)]
        [DataRow(double.NaN)]
        public void ThresholdQuantileOutsideTheUnitIntervalIsRefusedAtCreation(double quantile)
        {
            var ml = new MLContext(1);
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
                ml.AnomalyDetection.Trainers.SharedAutoencoder(new SharedAutoencoderAnomalyTrainer.Options { ThresholdQuantile = quantile }));
            StringAssert.Contains(error.Message, "ThresholdQuantile");
        }

        [TestMethod]
        public void ScoringANonFiniteRowGivesNaNAndNoFlag()
        {
            var ml = new MLContext(1);
            var rows = ReliabilityData.Mixture(N, 3, 40, seed: 1);
            var model = ml.AnomalyDetection.Trainers.SharedAutoencoder(Options()).Fit(AnomalyTestData.View(ml, rows));
            var bad = (float[])rows[0].Clone();
            bad[2] = float.NaN;
            var scored = model.Transform(AnomalyTestData.View(ml, new[] { rows[1], bad }));
            float[] scores = scored.GetColumn<float>("Score").ToArray();
            Assert.IsTrue(float.IsFinite(scores[0]));
            Assert.IsTrue(float.IsNaN(scores[1]), "missing in, missing out");
            Assert.IsFalse(scored.GetColumn<bool>("PredictedLabel").ToArray()[1], "NaN > threshold is false, as documented");
        }

        private sealed class DoubleRow
        {
            [VectorType(N)]
            public double[] Features { get; set; } = new double[N];
        }
    }
}
