using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>
    /// Bad training data: each a clear exception naming the column and the row, or (for degenerate but legitimate
    /// data) a finite model. Never NaN, never a half-trained model.
    /// </summary>
    [TestClass]
    public sealed class DataErrorTests
    {
        private const int N = 8;

        private static SharedAutoencoderEstimator.Options Options(int m = 3, WeightInitialization initialization = WeightInitialization.Random)
        {
            var options = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation, HiddenUnits = m, MaximumNumberOfIterations = 5, Seed = 3, Initialization = initialization };
            if (initialization == WeightInitialization.Given)
                options.InitialWeights = Enumerable.Range(0, m).Select(i => Enumerable.Range(0, N).Select(j => i == j ? 1f : 0.1f).ToArray()).ToArray();
            return options;
        }

        private static void AssertFinite(SharedAutoencoderTransformer model)
        {
            Assert.IsTrue(model.Model.GetWeights().All(c => c.All(float.IsFinite)), "W is finite");
            Assert.IsTrue(model.Model.GetBias().All(float.IsFinite), "b is finite");
            foreach (var column in model.Model.GetWeights())
                Assert.AreEqual(1.0, Math.Sqrt(column.Sum(v => (double)v * v)), 1e-5, "columns have unit norm");
            Assert.IsTrue(model.History.Iterations.Where(e => !e.Undone).All(e => double.IsFinite(e.Loss)), "accepted losses are finite");
        }

        [TestMethod]
        [DataRow(float.NaN)]
        [DataRow(float.PositiveInfinity)]
        [DataRow(float.NegativeInfinity)]
        public void NonFiniteFeatureNamesTheFirstBadRowAndIndex(float bad)
        {
            string shown = bad.ToString();
            var ml = new MLContext(1);
            var rows = ReliabilityData.Mixture(N, 3, 40, seed: 1);
            rows[17][5] = bad;
            rows[30][2] = float.NaN;
            var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.SharedAutoencoder(Options()).Fit(ReliabilityData.View(ml, rows, N)));
            Console.WriteLine(error.Message);
            StringAssert.Contains(error.Message, "Column 'Features'");
            StringAssert.Contains(error.Message, $"({shown}) at row 17, index 5");
        }

        [TestMethod]
        public void EmptyDataAreRefused()
        {
            var ml = new MLContext(1);
            var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.SharedAutoencoder(Options()).Fit(ReliabilityData.View(ml, Array.Empty<float[]>(), N)));
            StringAssert.Contains(error.Message, "The training data are empty: column 'Features' has no rows.");
        }

        [TestMethod]
        [DataRow(WeightInitialization.Random)]
        [DataRow(WeightInitialization.Pca)]
        [DataRow(WeightInitialization.Given)]
        public void AllZeroDataAreRefusedForEveryInitialization(WeightInitialization initialization)
        {
            // All-zero features carry nothing to encode (the loss is 0 for any W); this is almost always a wrong column or
            // a failed load upstream, so the estimator says so instead of returning an arbitrary model.
            var ml = new MLContext(1);
            var rows = ReliabilityData.Constant(20, N, 0f);
            rows[4][1] = -0f;
            var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.SharedAutoencoder(Options(2, initialization)).Fit(ReliabilityData.View(ml, rows, N)));
            Console.WriteLine(error.Message);
            StringAssert.Contains(error.Message, "Column 'Features' is zero in all 20 rows");
        }

        [TestMethod]
        [DataRow(WeightInitialization.Random, 20)]
        [DataRow(WeightInitialization.Pca, 20)]
        [DataRow(WeightInitialization.Pca, 3)]
        [DataRow(WeightInitialization.Given, 20)]
        public void ConstantDataTrainToAFiniteModel(WeightInitialization initialization, int rowCount)
        {
            // Rank-one data are legitimate (one direction to learn); PCA must not divide by a zero singular value.
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Constant(rowCount, N, 3f), N);
            var model = ml.Transforms.SharedAutoencoder(Options(3, initialization)).Fit(data);
            AssertFinite(model);
            Assert.IsTrue(ReliabilityData.Codes(model.Transform(data)).All(c => c.All(float.IsFinite)));
        }

        [TestMethod]
        public void ASingleRowTrainsToAFiniteModel()
        {
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, 3, 1, seed: 4), N);
            AssertFinite(ml.Transforms.SharedAutoencoder(Options(3)).Fit(data));
            AssertFinite(ml.Transforms.SharedAutoencoder(Options(1, WeightInitialization.Pca)).Fit(data));
        }

        [TestMethod]
        [DataRow(1, 2)]
        [DataRow(5, 6)]
        public void PcaWithFewerRowsThanHiddenUnitsIsRefused(int rowCount, int hiddenUnits)
        {
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, 3, rowCount, seed: 4), N);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SharedAutoencoder(Options(hiddenUnits, WeightInitialization.Pca)).Fit(data));
            Console.WriteLine(error.Message);
            Assert.AreEqual("Initialization", error.ParamName);
            StringAssert.Contains(error.Message, $"{rowCount} rows for HiddenUnits = {hiddenUnits}");
        }

        [TestMethod]
        [DataRow(1e20f)]
        [DataRow(3e19f)]
        [DataRow(-1e30f)]
        public void FeaturesTooLargeForFloat32AreRefusedNotTurnedIntoNaN(float scale)
        {
            var ml = new MLContext(1);
            var rows = ReliabilityData.Mixture(N, 3, 50, seed: 5).Select(r => r.Select(v => v * scale).ToArray()).ToArray();
            var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.SharedAutoencoder(Options()).Fit(ReliabilityData.View(ml, rows, N)));
            Console.WriteLine(error.Message);
            StringAssert.Contains(error.Message, "too large");
            StringAssert.Contains(error.Message, "scale the features");
        }

        [TestMethod]
        [DataRow(1e10f)]
        [DataRow(1e15f)]
        [DataRow(1e17f)]
        [DataRow(1e18f)]
        public void FeaturesFarFromOrderOneAreRefusedWithTheScale(float scale)
        {
            // The normalized step assumes features of order 1: at these scales no halving of ζ makes a step small, and
            // above ~1e17 the gradient sum itself can overflow float32. Training must stop and say why, not continue.
            var ml = new MLContext(1);
            var rows = ReliabilityData.Mixture(N, 3, 200, seed: 5).Select(r => r.Select(v => v * scale).ToArray()).ToArray();
            var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.SharedAutoencoder(Options()).Fit(ReliabilityData.View(ml, rows, N)));
            Console.WriteLine($"scale {scale}: {error.Message}");
            StringAssert.Contains(error.Message, "scale the features");
            StringAssert.Contains(error.Message, "largest");
        }

        [TestMethod]
        public void TransformOfHugeRowsGivesInfiniteErrorAndOfNonFiniteRowsGivesNaN()
        {
            var ml = new MLContext(1);
            var training = ReliabilityData.Mixture(N, 3, 100, seed: 6);
            var options = Options();
            options.ReconstructionErrorColumnName = "Error";
            options.ReconstructionColumnName = "Reconstruction";
            var model = ml.Transforms.SharedAutoencoder(options).Fit(ReliabilityData.View(ml, training, N));

            var huge = training[0].Select(v => v * 1e20f).ToArray();
            var withNaN = (float[])training[1].Clone();
            withNaN[3] = float.NaN;
            var withInfinity = (float[])training[2].Clone();
            withInfinity[0] = float.PositiveInfinity;
            var output = model.Transform(ReliabilityData.View(ml, new[] { training[3], huge, withNaN, withInfinity }, N));
            var codes = ReliabilityData.Codes(output);
            var errors = output.GetColumn<float>("Error").ToArray();
            var reconstructions = output.GetColumn<float[]>("Reconstruction").ToArray();

            Assert.IsTrue(codes[0].All(float.IsFinite) && float.IsFinite(errors[0]), "an ordinary row");
            Assert.IsTrue(codes[1].All(float.IsFinite), "the code of a huge row is still finite");
            Assert.AreEqual(float.PositiveInfinity, errors[1], "½‖r‖² beyond float32 reads +∞: an unbounded anomaly score, not NaN");
            for (int t = 2; t < 4; t++)
            {
                // Missing in, missing out (ML.NET's convention): never a plausible-looking zero code for a row that has no value.
                Assert.IsTrue(codes[t].All(float.IsNaN), $"row {t} code");
                Assert.IsTrue(reconstructions[t].All(float.IsNaN), $"row {t} reconstruction");
                Assert.IsTrue(float.IsNaN(errors[t]), $"row {t} error");
            }
        }
    }
}
