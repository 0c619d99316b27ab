using System;
using Microsoft.ML.SharedAutoencoder.Whitening;

namespace Microsoft.ML.SharedAutoencoder.Tests.Whitening
{
    [TestClass]
    public sealed class CovarianceAccumulatorTests
    {
        [TestMethod]
        [DataRow(1, 1)]
        [DataRow(5, 3)]
        [DataRow(300, 9)]
        [DataRow(513, 16)]
        public void MatchesATwoPassComputation(int count, int n)
        {
            float[][] rows = WhiteningData.Correlated(count, n, count + n);
            var accumulator = new CovarianceAccumulator(n, threads: 2);
            foreach (float[] row in rows)
                accumulator.Add(row);
            var (mean, covariance) = accumulator.Finish();
            double[,] expected = WhiteningData.Covariance(rows);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                    Assert.AreEqual(expected[i, j], covariance[i * n + j], 1e-9 * (1 + Math.Abs(expected[i, i])), $"({i}, {j})");
            }
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                foreach (float[] row in rows)
                    sum += row[j];
                Assert.AreEqual(sum / count, mean[j], 1e-9 * Math.Abs(sum / count));
            }
        }

        [TestMethod]
        public void ThreadCountDoesNotChangeABit()
        {
            float[][] rows = WhiteningData.Correlated(700, 21, 4);
            (double[], double[]) Run(int threads)
            {
                var accumulator = new CovarianceAccumulator(21, threads);
                foreach (float[] row in rows)
                    accumulator.Add(row);
                return accumulator.Finish();
            }
            var (mean1, cov1) = Run(1);
            var (mean3, cov3) = Run(3);
            CollectionAssert.AreEqual(mean1, mean3);
            CollectionAssert.AreEqual(cov1, cov3);
        }
    }
}
