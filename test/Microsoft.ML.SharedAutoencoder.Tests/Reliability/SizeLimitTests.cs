using System;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>
    /// Sizes and values whose products overflow <c>int</c> or float32 are refused up front with an
    /// <see cref="ArgumentOutOfRangeException"/> naming the option and the limit, never a bare OverflowException, an
    /// IndexOutOfRangeException after minutes, or rows of ∞.
    /// </summary>
    [TestClass]
    public sealed class SizeLimitTests
    {
        private static ArgumentOutOfRangeException RefusedBeforeReading(SharedAutoencoderEstimator.Options options, int n)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var input = new ReliabilityData.UnreadableView(n);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(1).Transforms.SharedAutoencoder(options).Fit(input));
            Console.WriteLine(error.Message);
            Assert.AreEqual(0, input.CursorsOpened);
            Assert.IsLessThan(64L << 20, GC.GetTotalAllocatedBytes(precise: true) - before, "refused before any buffer is allocated");
            return error;
        }

        [TestMethod]
        [DataRow(46_341)]
        [DataRow(100_000)]
        public void HiddenUnitsWhoseSquareOverflowsAnArrayAreRefused(int m)
        {
            // Was: OverflowException in GradientPass..ctor (46,341), IndexOutOfRangeException in ComputeGram after 96 s (100,000).
            var error = RefusedBeforeReading(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = m, MaximumNumberOfIterations = 1 }, 1);
            Assert.AreEqual("HiddenUnits", error.ParamName);
            StringAssert.Contains(error.Message, $"needs m×m matrices of {(long)m * m} values, more than the {Array.MaxLength} one .NET array holds: use at most 46340 hidden units");
        }

        [TestMethod]
        public void PcaOnRowsWhoseCovarianceOverflowsAnArrayIsRefused()
        {
            // PcaInitializer allocates n×n doubles: n = 50,000 overflowed int.
            var error = RefusedBeforeReading(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation, HiddenUnits = 4, MaximumNumberOfIterations = 1, Initialization = WeightInitialization.Pca }, 50_000);
            Assert.AreEqual("Initialization", error.ParamName);
            StringAssert.Contains(error.Message, "needs an n×n covariance of 2500000000 values");
        }

        [TestMethod]
        public void TheEstimateCountsTheSquareBuffers()
        {
            var small = TrainingMemory.EstimateBytes(1, new TrainerSettings { HiddenUnits = 40_000 });
            Assert.IsGreaterThan(40_000.0 * 40_000 * 8 * 16, small, "16 per-slot m×m co-activation matrices of doubles");
        }

        [TestMethod]
        public void ABilinearModelWhoseDictionaryOverflowsAnArrayIsRefused()
        {
            var ml = new MLContext(1);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Data.LoadFromBilinearModel(new BilinearModelOptions { FeatureCount = 50_000, AtomCount = 50_000, Seed = 1 }, 10));
            Console.WriteLine(error.Message);
            Assert.AreEqual("AtomCount", error.ParamName);
            StringAssert.Contains(error.Message, $"(n·m = 2500000000) must be at most {Array.MaxLength}");
        }

        [TestMethod]
        [DataRow(1e30f, "NoiseStandardDeviation")]
        [DataRow(1e19f, "NoiseStandardDeviation")]
        [DataRow(1e30f, "ValueUpperBound")]
        public void BilinearSettingsWhoseRowsOverflowFloatAreRefused(float value, string option)
        {
            var options = new BilinearModelOptions { FeatureCount = 5, AtomCount = 4, Sparsity = 2, Seed = 1 };
            if (option == "NoiseStandardDeviation")
                options.NoiseStandardDeviation = value;
            else
                options.ValueUpperBound = value;
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(1).Data.LoadFromBilinearModel(options, 10));
            Console.WriteLine(error.Message);
            Assert.AreEqual(option, error.ParamName);
            StringAssert.Contains(error.Message, "must be at most 1E+18");
        }

        [TestMethod]
        [DataRow(LatentCodeModel.MixtureOfGaussians)]
        [DataRow(LatentCodeModel.SparseCoding)]
        public void BilinearRowsAtTheLimitsAreFinite(LatentCodeModel model)
        {
            var options = new BilinearModelOptions
            {
                FeatureCount = 5, AtomCount = 4, Sparsity = 4, LatentCodeModel = model, Seed = 1,
                NoiseStandardDeviation = 1e18f, ValueLowerBound = 1e17f, ValueUpperBound = 1e18f,
            };
            var rows = new MLContext(1).Data.LoadFromBilinearModel(options, 2000).GetColumn<VBuffer<float>>("Features").SelectMany(v => v.DenseValues()).ToArray();
            Assert.IsTrue(rows.All(float.IsFinite), "every generated value must be finite");
        }

        [TestMethod]
        public void AHugeInitialBiasIsBlamedNotTheFeatures()
        {
            // Was: "the feature values are too large (largest magnitude 0.8731)" for features of order 1.
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(6, 3, 50, seed: 5), 6);
            var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 3, MaximumNumberOfIterations = 2, InitialBias = 1e30f, Seed = 1 }).Fit(data));
            Console.WriteLine(error.Message);
            StringAssert.Contains(error.Message, "initial bias 1E+30 makes every code that large");
            Assert.IsFalse(error.Message.Contains("feature values are too large"), error.Message);
        }

        [TestMethod]
        public void StreamingRowsWhoseReadBuffersOverflowAnArrayAreRefused()
        {
            // Was: OverflowException in GradientPass (8 chunks × 1,024 rows × n in int) for n > 262,143.
            const int n = 300_000;
            var ml = new MLContext(1);
            var rows = new[] { new float[n], new float[n] };
            rows[0][0] = 1;
            rows[1][1] = 1;
            var options = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 1, MaximumNumberOfIterations = 1, MaximumInMemoryRows = 0, Seed = 1 };
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SharedAutoencoder(options).Fit(ReliabilityData.View(ml, rows, n)));
            Console.WriteLine(error.Message);
            Assert.AreEqual("MaximumInMemoryRows", error.ParamName);
            StringAssert.Contains(error.Message, "rows of dimension above 262143 must be held in memory");

            // The same rows held in memory train.
            options.MaximumInMemoryRows = null;
            Assert.AreEqual(1, ml.Transforms.SharedAutoencoder(options).Fit(ReliabilityData.View(ml, rows, n)).Model.HiddenUnits);
        }
    }
}
