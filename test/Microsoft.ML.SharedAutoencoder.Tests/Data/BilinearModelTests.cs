using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Data
{
    [TestClass]
    public sealed class BilinearModelTests
    {
        private static BilinearModel Create(Action<BilinearModelOptions> configure)
        {
            var options = new BilinearModelOptions { FeatureCount = 20, AtomCount = 30, Sparsity = 4, Seed = 7 };
            configure(options);
            return new BilinearModel(options);
        }

        private static (int[] Indices, float[] Values) Latent(BilinearModel model, long row)
        {
            var indices = new int[model.NonzeroCount];
            var values = new float[model.NonzeroCount];
            int count = model.GetLatentCode(row, indices, values);
            Assert.AreEqual(model.NonzeroCount, count);
            return (indices, values);
        }

        [TestMethod]
        public void RandomDictionaryColumnsHaveUnitNorm()
        {
            var model = Create(o => { o.FeatureCount = 50; o.AtomCount = 80; });
            float[][] columns = model.GetDictionaryColumns();
            Assert.HasCount(80, columns);
            foreach (float[] column in columns)
            {
                Assert.HasCount(50, column);
                Assert.AreEqual(1.0, Math.Sqrt(column.Sum(v => (double)v * v)), 1e-5);
            }
            // Different atoms are different random directions, not copies.
            Assert.IsLessThan(0.9, Math.Abs(columns[0].Zip(columns[1], (a, b) => (double)a * b).Sum()));
        }

        [TestMethod]
        public void SparseCodesHaveExactlyKDistinctSortedNonzeros()
        {
            foreach (int k in new[] { 1, 4, 30 })
            {
                var model = Create(o => o.Sparsity = k);
                for (long row = 0; row < 2000; row++)
                {
                    (int[] indices, float[] values) = Latent(model, row);
                    Assert.HasCount(k, indices);
                    for (int j = 0; j < k; j++)
                    {
                        Assert.IsTrue(indices[j] >= 0 && indices[j] < 30, $"index {indices[j]}");
                        Assert.AreNotEqual(0f, values[j]);
                        if (j > 0)
                            Assert.IsGreaterThan(indices[j - 1], indices[j], "indices must be strictly increasing");
                    }
                }
            }
        }

        [TestMethod]
        public void SupportIsUniformOverAtoms()
        {
            var model = Create(o => { o.AtomCount = 10; o.Sparsity = 3; });
            var counts = new int[10];
            const int rows = 20000;
            for (long row = 0; row < rows; row++)
                foreach (int index in Latent(model, row).Indices)
                    counts[index]++;
            double expected = rows * 3 / 10.0;
            foreach (int count in counts)
                Assert.AreEqual(expected, count, 5 * Math.Sqrt(expected));
        }

        [TestMethod]
        public void RademacherValuesAreBalancedSigns()
        {
            var model = Create(o => o.SparseValueDistribution = SparseValueDistribution.Rademacher);
            int positives = 0, total = 0;
            for (long row = 0; row < 5000; row++)
                foreach (float value in Latent(model, row).Values)
                {
                    Assert.IsTrue(value == 1f || value == -1f, $"value {value}");
                    positives += value > 0 ? 1 : 0;
                    total++;
                }
            Assert.AreEqual(total / 2.0, positives, 4 * Math.Sqrt(total / 4.0));
        }

        [TestMethod]
        public void SignedUniformValuesAreBoundedAwayFromZeroWithZeroMeanAndUnitSecondMoment()
        {
            var model = Create(o => { o.SparseValueDistribution = SparseValueDistribution.SignedUniform; o.ValueLowerBound = 1; o.ValueUpperBound = 3; });
            double scale = Math.Sqrt(3.0 / (1 + 3 + 9));
            (float min, float max) = model.NonzeroMagnitudeRange;
            Assert.AreEqual(scale, min, 1e-6);
            Assert.AreEqual(3 * scale, max, 1e-6);
            double sum = 0, sumOfSquares = 0;
            int total = 0;
            for (long row = 0; row < 10000; row++)
                foreach (float value in Latent(model, row).Values)
                {
                    Assert.IsTrue(Math.Abs(value) >= min - 1e-6 && Math.Abs(value) <= max + 1e-6, $"value {value}");
                    sum += value;
                    sumOfSquares += (double)value * value;
                    total++;
                }
            Assert.AreEqual(0, sum / total, 0.03);
            Assert.AreEqual(1, sumOfSquares / total, 0.03);
        }

        [TestMethod]
        public void NonNegativeValuesAreUniformInTheirRange()
        {
            var model = Create(o => { o.LatentCodeModel = LatentCodeModel.NonNegativeSparseCoding; o.ValueLowerBound = 0.5f; o.ValueUpperBound = 2f; });
            double sum = 0;
            int total = 0;
            for (long row = 0; row < 5000; row++)
                foreach (float value in Latent(model, row).Values)
                {
                    Assert.IsTrue(value >= 0.5f && value <= 2f, $"value {value}");
                    sum += value;
                    total++;
                }
            Assert.AreEqual(1.25, sum / total, 0.02);
        }

        [TestMethod]
        public void FeaturesAreTheDictionaryTimesTheCodePlusNoiseOfTheRequestedDeviation()
        {
            const float sigma = 0.3f;
            var model = Create(o => { o.FeatureCount = 100; o.AtomCount = 40; o.NoiseStandardDeviation = sigma; });
            float[][] dictionary = model.GetDictionaryColumns();
            var features = new float[100];
            var indices = new int[4];
            var values = new float[4];
            double sum = 0, sumOfSquares = 0, sumOfFourthPowers = 0;
            int total = 0;
            for (long row = 0; row < 1200; row++)
            {
                model.GenerateRow(row, features, indices, values);
                (int[] latentIndices, float[] latentValues) = Latent(model, row);
                CollectionAssert.AreEqual(latentIndices, indices);
                CollectionAssert.AreEqual(latentValues, values);
                for (int d = 0; d < 100; d++)
                {
                    double noise = features[d];
                    for (int j = 0; j < 4; j++)
                        noise -= values[j] * dictionary[indices[j]][d];
                    sum += noise;
                    sumOfSquares += noise * noise;
                    sumOfFourthPowers += noise * noise * noise * noise;
                    total++;
                }
            }
            Assert.IsGreaterThanOrEqualTo(100_000, total);
            double variance = sumOfSquares / total;
            Assert.AreEqual(sigma, Math.Sqrt(variance), 0.02 * sigma);
            Assert.AreEqual(0, sum / total, 0.01 * sigma);
            // A Gaussian has kurtosis 3 (a uniform 1.8): the noise is normal, not merely of the right variance.
            Assert.AreEqual(3, sumOfFourthPowers / total / (variance * variance), 0.1);
        }

        [TestMethod]
        public void NoiselessFeaturesAreExactlyTheCombinationOfAtoms()
        {
            var model = Create(o => o.LatentCodeModel = LatentCodeModel.MixtureOfGaussians);
            float[][] dictionary = model.GetDictionaryColumns();
            var features = new float[20];
            var index = new int[1];
            var value = new float[1];
            for (long row = 0; row < 50; row++)
            {
                model.GenerateRow(row, features, index, value);
                Assert.AreEqual(1f, value[0]);
                Assert.AreEqual(index[0], model.GetMixtureComponent(row));
                CollectionAssert.AreEqual(dictionary[index[0]], features);
            }
        }

        [TestMethod]
        public void SameSeedGivesSameDataAndDifferentSeedsDifferentData()
        {
            static float[] Row(int seed, long row)
            {
                var model = Create(o => { o.Seed = seed; o.NoiseStandardDeviation = 0.1f; });
                var features = new float[20];
                model.GenerateRow(row, features, new int[4], new float[4]);
                return features;
            }
            CollectionAssert.AreEqual(Row(1, 5), Row(1, 5));
            CollectionAssert.AreNotEqual(Row(1, 5), Row(2, 5));
            CollectionAssert.AreNotEqual(Row(1, 5), Row(1, 6));
            CollectionAssert.AreNotEqual(Create(o => o.Seed = 1).GetDictionaryColumns()[0], Create(o => o.Seed = 2).GetDictionaryColumns()[0]);
        }

        [TestMethod]
        public void MixtureProbabilitiesAreRespected()
        {
            double[] weights = { 5, 3, 2, 0 };
            var model = Create(o => { o.AtomCount = 4; o.LatentCodeModel = LatentCodeModel.MixtureOfGaussians; o.MixtureProbabilities = weights; });
            const int rows = 20000;
            var counts = new int[4];
            for (long row = 0; row < rows; row++)
                counts[model.GetMixtureComponent(row)]++;
            Assert.AreEqual(0, counts[3], "a zero-weight component must never be drawn");
            double chiSquare = 0;
            for (int i = 0; i < 3; i++)
            {
                double expected = rows * weights[i] / 10;
                chiSquare += (counts[i] - expected) * (counts[i] - expected) / expected;
            }
            // 2 degrees of freedom: P(χ² > 13.8) = 0.001.
            Assert.IsLessThan(13.8, chiSquare, $"counts {string.Join(",", counts)}");
        }

        [TestMethod]
        public void UniformMixtureUsesEveryComponentEvenly()
        {
            var model = Create(o => { o.AtomCount = 5; o.LatentCodeModel = LatentCodeModel.MixtureOfGaussians; });
            const int rows = 10000;
            var counts = new int[5];
            for (long row = 0; row < rows; row++)
                counts[model.GetMixtureComponent(row)]++;
            double chiSquare = counts.Sum(c => (c - 2000.0) * (c - 2000.0) / 2000.0);
            // 4 degrees of freedom: P(χ² > 18.5) = 0.001.
            Assert.IsLessThan(18.5, chiSquare, $"counts {string.Join(",", counts)}");
        }

        [TestMethod]
        public void CoherenceAndSpectralNormOfAHandMadeDictionary()
        {
            float h = MathF.Sqrt(0.5f);
            var model = Create(o =>
            {
                o.FeatureCount = 2;
                o.AtomCount = 3;
                o.Sparsity = 1;
                o.Dictionary = new[] { new[] { 1f, 0f }, new[] { 0f, 1f }, new[] { h, h } };
            });
            // √2 · max |⟨A_i, A_j⟩| = √2 · √½; A Aᵀ = I + ½·11ᵀ has eigenvalues 2 and 1.
            Assert.AreEqual(1.0, model.MutualCoherence, 1e-6);
            Assert.AreEqual(Math.Sqrt(2), model.SpectralNorm, 1e-6);
            Assert.AreEqual(0, model.DictionaryAttempts);
        }

        [TestMethod]
        public void SuppliedDictionaryIsNormalizedOnRequest()
        {
            var model = Create(o =>
            {
                o.FeatureCount = 2;
                o.AtomCount = 2;
                o.Sparsity = 1;
                o.Dictionary = new[] { new[] { 3f, 4f }, new[] { 0f, -2f } };
                o.NormalizeDictionary = true;
            });
            float[][] columns = model.GetDictionaryColumns();
            CollectionAssert.AreEqual(new[] { 0.6f, 0.8f }, columns[0]);
            CollectionAssert.AreEqual(new[] { 0f, -1f }, columns[1]);
            Assert.AreEqual(Math.Sqrt(2) * 0.8, model.MutualCoherence, 1e-6);
        }

        [TestMethod]
        public void CoherenceBoundResamplesTheDictionary()
        {
            var unbounded = Create(o => { o.FeatureCount = 10; o.AtomCount = 20; });
            double bound = unbounded.MutualCoherence * 0.9;
            var bounded = Create(o => { o.FeatureCount = 10; o.AtomCount = 20; o.MaxMutualCoherence = bound; o.MaxDictionaryAttempts = 1000; });
            Assert.IsLessThanOrEqualTo(bound, bounded.MutualCoherence);
            Assert.IsGreaterThan(1, bounded.DictionaryAttempts);

            var error = Assert.ThrowsExactly<InvalidOperationException>(() => Create(o => { o.MaxMutualCoherence = 0.01; o.MaxDictionaryAttempts = 3; }));
            StringAssert.Contains(error.Message, nameof(BilinearModelOptions.MaxMutualCoherence));
        }

        [TestMethod]
        public void RandomDictionaryHasTheExpectedSpectralNorm()
        {
            // Unit columns, m = 4n: ‖A‖₂ ≈ 1 + √(m/n) = 3 for large n.
            var model = Create(o => { o.FeatureCount = 100; o.AtomCount = 400; });
            Assert.AreEqual(3.0, model.SpectralNorm, 0.15);
            Assert.IsTrue(model.MutualCoherence > 1 && model.MutualCoherence < 7, $"μ = {model.MutualCoherence}");
        }

        public static IEnumerable<object[]> InvalidOptions()
        {
            yield return new object[] { "FeatureCount", (Action<BilinearModelOptions>)(o => o.FeatureCount = 0) };
            yield return new object[] { "AtomCount", (Action<BilinearModelOptions>)(o => o.AtomCount = -1) };
            yield return new object[] { "Sparsity", (Action<BilinearModelOptions>)(o => o.Sparsity = 0) };
            yield return new object[] { "Sparsity", (Action<BilinearModelOptions>)(o => o.Sparsity = 31) };
            yield return new object[] { "ValueLowerBound", (Action<BilinearModelOptions>)(o => { o.LatentCodeModel = LatentCodeModel.NonNegativeSparseCoding; o.ValueLowerBound = 0; }) };
            yield return new object[] { "ValueLowerBound", (Action<BilinearModelOptions>)(o => o.ValueLowerBound = float.NaN) };
            yield return new object[] { "ValueUpperBound", (Action<BilinearModelOptions>)(o => { o.ValueLowerBound = 2; o.ValueUpperBound = 1; }) };
            yield return new object[] { "NoiseStandardDeviation", (Action<BilinearModelOptions>)(o => o.NoiseStandardDeviation = -0.1f) };
            yield return new object[] { "NoiseStandardDeviation", (Action<BilinearModelOptions>)(o => o.NoiseStandardDeviation = float.NaN) };
            yield return new object[] { "LatentCodeModel", (Action<BilinearModelOptions>)(o => o.LatentCodeModel = (LatentCodeModel)42) };
            yield return new object[] { "MixtureProbabilities", (Action<BilinearModelOptions>)(o => { o.LatentCodeModel = LatentCodeModel.MixtureOfGaussians; o.MixtureProbabilities = new double[29]; }) };
            yield return new object[] { "MixtureProbabilities", (Action<BilinearModelOptions>)(o => { o.LatentCodeModel = LatentCodeModel.MixtureOfGaussians; o.MixtureProbabilities = new double[30]; }) };
            yield return new object[] { "MixtureProbabilities", (Action<BilinearModelOptions>)(o => { o.LatentCodeModel = LatentCodeModel.MixtureOfGaussians; o.MixtureProbabilities = Enumerable.Repeat(1.0, 29).Append(-1).ToArray(); }) };
            yield return new object[] { "MixtureProbabilities", (Action<BilinearModelOptions>)(o => { o.LatentCodeModel = LatentCodeModel.MixtureOfGaussians; o.MixtureProbabilities = Enumerable.Repeat(1.0, 29).Append(double.NaN).ToArray(); }) };
            yield return new object[] { "Dictionary", (Action<BilinearModelOptions>)(o => o.Dictionary = new float[29][]) };
            yield return new object[] { "Dictionary", (Action<BilinearModelOptions>)(o => o.Dictionary = Enumerable.Range(0, 30).Select(_ => new float[19]).ToArray()) };
            yield return new object[] { "Dictionary", (Action<BilinearModelOptions>)(o => o.Dictionary = Enumerable.Range(0, 30).Select(_ => new float[20]).ToArray()) };
            yield return new object[] { "Dictionary", (Action<BilinearModelOptions>)(o => o.Dictionary = Enumerable.Range(0, 30).Select(_ => Enumerable.Repeat(1f, 20).ToArray()).ToArray()) };
            yield return new object[] { "Dictionary", (Action<BilinearModelOptions>)(o => o.Dictionary = Enumerable.Range(0, 30).Select(_ => Enumerable.Repeat(float.PositiveInfinity, 20).ToArray()).ToArray()) };
            yield return new object[] { "MaxMutualCoherence", (Action<BilinearModelOptions>)(o => o.MaxMutualCoherence = 0) };
            yield return new object[] { "MaxDictionaryAttempts", (Action<BilinearModelOptions>)(o => o.MaxDictionaryAttempts = 0) };
            yield return new object[] { "options", (Action<BilinearModelOptions>)(o => o.Seed = null) };
        }

        [TestMethod]
        [DynamicData(nameof(InvalidOptions))]
        public void InvalidOptionsAreRejectedNamingTheOption(string parameterName, Action<BilinearModelOptions> configure)
        {
            var error = Assert.Throws<ArgumentException>(() => Create(configure));
            Assert.AreEqual(parameterName, error.ParamName);
        }

        [TestMethod]
        public void MixtureAllowsMoreComponentsThanDimensionsButFlagsIt()
        {
            var model = Create(o => { o.LatentCodeModel = LatentCodeModel.MixtureOfGaussians; o.Sparsity = 1000; });
            Assert.IsTrue(model.IsOvercompleteMixture);
            Assert.IsFalse(Create(o => { }).IsOvercompleteMixture);
        }

        [TestMethod]
        public void FeistelPermutationIsABijection()
        {
            foreach (long count in new long[] { 1, 2, 3, 1000, 4097 })
            {
                var permutation = new RowPermutation(count, new Random(3), explicitLimit: 0);
                var seen = new bool[count];
                int fixedPoints = 0;
                for (long position = 0; position < count; position++)
                {
                    long row = permutation[position];
                    Assert.IsTrue(row >= 0 && row < count && !seen[row], $"row {row} of {count}");
                    seen[row] = true;
                    fixedPoints += row == position ? 1 : 0;
                }
                if (count >= 1000)
                    Assert.IsLessThan(10, fixedPoints);
            }
        }
    }
}
