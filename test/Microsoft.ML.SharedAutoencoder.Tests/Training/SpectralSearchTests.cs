using System;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Training
{
    /// <summary>
    /// The spectral search's block products (<see cref="SpectralInitializer.Blocks"/>) and the pair search's stopping rule:
    /// the products are correct, a vector's result does not depend on its neighbours in the block, and the search is
    /// bit-identical on any thread count.
    /// </summary>
    [TestClass]
    public sealed class SpectralSearchTests
    {
        private const int Width = SpectralInitializer.Blocks.BlockWidth;

        private static float[] RandomValues(int length, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        }

        [TestMethod]
        public void BlockProductsMatchAReferenceInDouble()
        {
            // 37 rows and n = 13: both kernels' remainders (rows after the last group of 4, columns after the last group of 4).
            const int rows = 37, n = 13;
            float[] y = RandomValues(rows * n, 1), x = RandomValues(n * Width, 2), s = RandomValues(rows * Width, 3);
            var z = new float[rows * Width];
            var r = new float[n * Width];
            SpectralInitializer.Blocks.Project(y, rows, n, x, z);
            SpectralInitializer.Blocks.Accumulate(y, rows, n, s, r);
            for (int c = 0; c < Width; c++)
            {
                for (int t = 0; t < rows; t++)
                {
                    double expected = Enumerable.Range(0, n).Sum(j => (double)y[t * n + j] * x[j * Width + c]);
                    Assert.AreEqual(expected, z[t * Width + c], 1e-5, $"Z[{t}, {c}]");
                }
                for (int j = 0; j < n; j++)
                {
                    double expected = Enumerable.Range(0, rows).Sum(t => (double)y[t * n + j] * s[t * Width + c]);
                    Assert.AreEqual(expected, r[j * Width + c], 1e-4, $"R[{j}, {c}]");
                }
            }
        }

        [TestMethod]
        public void AVectorsProductsDoNotDependOnItsPositionOrNeighboursInTheBlock()
        {
            const int rows = 150, n = 21;
            float[] y = RandomValues(rows * n, 4);
            float[] vector = RandomValues(n, 5), weights = RandomValues(rows, 6);
            float[] x1 = RandomValues(n * Width, 7), x2 = RandomValues(n * Width, 8);
            float[] s1 = RandomValues(rows * Width, 9), s2 = RandomValues(rows * Width, 10);
            for (int j = 0; j < n; j++)
            {
                x1[j * Width + 3] = vector[j];
                x2[j * Width + 12] = vector[j];
            }
            for (int t = 0; t < rows; t++)
            {
                s1[t * Width + 3] = weights[t];
                s2[t * Width + 12] = weights[t];
            }
            var z1 = new float[rows * Width];
            var z2 = new float[rows * Width];
            SpectralInitializer.Blocks.Project(y, rows, n, x1, z1);
            SpectralInitializer.Blocks.Project(y, rows, n, x2, z2);
            for (int t = 0; t < rows; t++)
                Assert.AreEqual(z1[t * Width + 3], z2[t * Width + 12], 0, $"row {t}");

            // Also in chunks: two calls over the rows add up to exactly one call.
            var r1 = new float[n * Width];
            var r2 = new float[n * Width];
            SpectralInitializer.Blocks.Accumulate(y, rows, n, s1, r1);
            SpectralInitializer.Blocks.Accumulate(y, 70, n, s2, r2);
            SpectralInitializer.Blocks.Accumulate(y.AsSpan(70 * n), rows - 70, n, s2.AsSpan(70 * Width), r2);
            for (int j = 0; j < n; j++)
                Assert.AreEqual(r1[j * Width + 3], r2[j * Width + 12], 0, $"column {j}");
        }

        [TestMethod]
        public void EightAndSixteenFloatKernelsGiveIdenticalResults()
        {
            // Where AVX-512 is missing the 16-float kernel is emulated: slower, and still the same lanes.
            const int rows = 133, n = 27;
            float[] y = RandomValues(rows * n, 11), x = RandomValues(n * Width, 12), s = RandomValues(rows * Width, 13);
            foreach (bool accumulate in new[] { false, true })
            {
                int length = accumulate ? n * Width : rows * Width;
                var narrow = new float[length];
                var wide = new float[length];
                SpectralInitializer.Blocks.Product(wide: false, accumulate, y, rows, n, accumulate ? s : x, narrow);
                SpectralInitializer.Blocks.Product(wide: true, accumulate, y, rows, n, accumulate ? s : x, wide);
                CollectionAssert.AreEqual(narrow, wide, accumulate ? "accumulate" : "project");
            }
        }

        private static DenseRows SparseRows(LatentCodeModel model, int n, int m, int k, int rows, int seed, out float[][] truth)
        {
            bool nonNegative = model == LatentCodeModel.NonNegativeSparseCoding;
            var view = new MLContext(seed: 1).Data.LoadFromBilinearModel(new BilinearModelOptions
            {
                FeatureCount = n, AtomCount = m, LatentCodeModel = model, Sparsity = k, NoiseStandardDeviation = 0.01f,
                ValueLowerBound = nonNegative ? 0.5f : 1f, ValueUpperBound = nonNegative ? 1.5f : 2f, Seed = seed,
            }, rows);
            var values = new float[rows * n];
            for (int t = 0; t < rows; t++)
                view.GetFeatures(t).CopyTo(values, t * n);
            truth = view.Dictionary;
            return new DenseRows(values, rows, n);
        }

        private static double MaxColumnError(float[] weights, float[][] truth)
        {
            int n = truth[0].Length;
            var columns = Enumerable.Range(0, weights.Length / n).Select(i => weights.AsSpan(i * n, n).ToArray()).ToArray();
            return DictionaryRecovery.Evaluate(columns, truth, allowSignFlips: true).MaxColumnError;
        }

        [TestMethod]
        public void SpectralSearchIsBitIdenticalOnOneTwoAndThreeThreads()
        {
            DenseRows rows = SparseRows(LatentCodeModel.NonNegativeSparseCoding, n: 40, m: 30, k: 2, rows: 4000, seed: 17, out _);
            // A short stopping window so that pairs, the residual search and the consolidation all run.
            var settings = new SpectralSettings { ExpectedSparsity = 2, StallPairs = 20, SampleCount = 1500 };
            var (one, oneReport) = SpectralInitializer.Create(rows, 30, settings, seed: 3, numberOfThreads: 1);
            Assert.IsGreaterThan(0, oneReport.PairsTried);
            foreach (int threads in new[] { 2, 3 })
            {
                var (other, report) = SpectralInitializer.Create(rows, 30, settings, seed: 3, numberOfThreads: threads);
                CollectionAssert.AreEqual(one, other, $"{threads} threads");
                Assert.AreEqual(oneReport.ToString(), report.ToString());
            }
        }

        [TestMethod]
        public void StalledPairSearchHandsOverToTheResidualSearch()
        {
            // The small ± problem the pair search alone solves within 1,500 pairs (RecoveryFromScratchTests); a window of
            // 10 pairs stops it early, with atoms left for the residual search.
            const int m = 40, k = 3;
            DenseRows rows = SparseRows(LatentCodeModel.SparseCoding, n: 80, m, k, rows: 12000, seed: 5, out float[][] truth);
            SpectralSettings Settings(int stall) => new SpectralSettings { ExpectedSparsity = k, MaxPairs = 1500, StallPairs = stall };
            var (stopped, stoppedReport) = SpectralInitializer.Create(rows, m, Settings(10), seed: 3, numberOfThreads: 2);
            var (full, fullReport) = SpectralInitializer.Create(rows, m, Settings(0), seed: 3, numberOfThreads: 2);
            Assert.IsLessThan(fullReport.PairsTried, stoppedReport.PairsTried, $"{stoppedReport} / {fullReport}");
            Assert.IsGreaterThan(0, stoppedReport.ResidualColumns, stoppedReport.ToString());
            Assert.AreEqual(0, stoppedReport.CompletedColumns, stoppedReport.ToString());
            Assert.IsLessThan(0.2, MaxColumnError(stopped, truth), stoppedReport.ToString());
            Assert.IsLessThan(0.2, MaxColumnError(full, truth), fullReport.ToString());
        }
    }
}
