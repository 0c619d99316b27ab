using System;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Initialization
{
    /// <summary>The greedy k-means++ draws of <see cref="SamplesInitializer"/> against a plain one-candidate-at-a-time loop.</summary>
    [TestClass]
    public sealed class SamplesInitializerTests
    {
        /// <summary>Rows of odd sizes (not a multiple of a vector or of the 4-row block), a few of them zero.</summary>
        private static DenseRows Rows(int rows, int n, int seed)
        {
            var random = new Random(seed);
            var values = new float[rows * n];
            for (int i = 0; i < values.Length; i++)
                values[i] = (float)(random.NextDouble() * 2 - 1);
            for (int t = 5; t < rows; t += 37)
                values.AsSpan(t * n, n).Clear();
            return new DenseRows(values, rows, n);
        }

        [TestMethod]
        [DataRow(1)]
        [DataRow(2)]
        [DataRow(7)]
        public void SameColumnsOnAnyThreadCount(int threads)
        {
            DenseRows rows = Rows(301, 13, seed: 1);
            float[] one = SamplesInitializer.Create(rows, 40, new Random(4), maxThreads: 1);
            CollectionAssert.AreEqual(one, SamplesInitializer.Create(rows, 40, new Random(4), maxThreads: threads));
        }

        [TestMethod]
        public void MatchesTheOneCandidateAtATimeReference()
        {
            DenseRows rows = Rows(203, 11, seed: 2);
            const int m = 30;
            float[] weights = SamplesInitializer.Create(rows, m, new Random(9), maxThreads: 2);
            float[] expected = Reference(rows, m, new Random(9));
            // The same rows are chosen; the dot products may round differently, so the columns agree to float precision.
            for (int k = 0; k < expected.Length; k++)
                Assert.AreEqual(expected[k], weights[k], 1e-6, $"value {k}");
        }

        /// <summary>Greedy k-means++ as written in the textbook: D² draws one at a time, each scored by its own pass.</summary>
        private static float[] Reference(DenseRows rows, int m, Random random)
        {
            int n = rows.Dimension, count = rows.RowCount;
            double[][] unit = Enumerable.Range(0, count).Select(t =>
            {
                double[] y = rows.Row(t).ToArray().Select(v => (double)v).ToArray();
                double norm = Math.Sqrt(y.Sum(v => v * v));
                return norm > 0 ? y.Select(v => v / norm).ToArray() : y;
            }).ToArray();
            bool[] zero = unit.Select(y => y.All(v => v == 0)).ToArray();
            double[] distances = zero.Select(z => z ? 0.0 : 4.0).ToArray();
            int trials = 2 + (int)Math.Log(m);
            var weights = new float[m * n];
            for (int i = 0; i < m; i++)
            {
                double total = distances.Sum();
                int chosen = -1;
                double bestPotential = double.PositiveInfinity;
                double[]? best = null;
                for (int a = 0; a < trials; a++)
                {
                    double target = random.NextDouble() * total, cumulative = 0;
                    int candidate = -1;
                    for (int t = 0; t < count && candidate < 0; t++)
                    {
                        cumulative += distances[t];
                        if (distances[t] > 0 && cumulative > target)
                            candidate = t;
                    }
                    double[] trial = distances.Select((d, t) => d == 0 ? 0 : Math.Min(d, Math.Max(0, 2 - 2 * unit[t].Zip(unit[candidate], (p, q) => p * q).Sum()))).ToArray();
                    trial[candidate] = 0;
                    if (trial.Sum() < bestPotential)
                        (bestPotential, chosen, best) = (trial.Sum(), candidate, trial);
                }
                for (int j = 0; j < n; j++)
                    weights[i * n + j] = (float)unit[chosen][j];
                distances = best!;
            }
            return weights;
        }
    }
}
