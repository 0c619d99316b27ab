using System;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Training
{
    [TestClass]
    public sealed class GradientTests
    {
        // The paper's formula, written as plainly as possible in double precision: the reference the fused kernel must match.
        private static double[] PlainGradient(float[] rows, int count, int n, float[] w, float[] b, AutoencoderActivation kind, float lambda, out double loss, out bool[,] pattern)
        {
            int m = b.Length;
            var g = new double[m * n];
            pattern = new bool[count, m];
            loss = 0;
            for (int t = 0; t < count; t++)
            {
                var z = new double[m];
                var x = new double[m];
                for (int i = 0; i < m; i++)
                {
                    double s = b[i];
                    for (int j = 0; j < n; j++)
                        s += w[i * n + j] * (double)rows[t * n + j];
                    z[i] = s;
                    bool active = kind == AutoencoderActivation.Relu ? s > 0 : Math.Abs(s) > lambda;
                    pattern[t, i] = active;
                    x[i] = active ? s : 0;
                }
                var r = new double[n];
                for (int j = 0; j < n; j++)
                {
                    double yhat = 0;
                    for (int i = 0; i < m; i++)
                        yhat += x[i] * w[i * n + j];
                    r[j] = rows[t * n + j] - yhat;
                    loss += 0.5 * r[j] * r[j];
                }
                for (int i = 0; i < m; i++)
                {
                    if (!pattern[t, i])
                        continue;
                    double c = 0;
                    for (int j = 0; j < n; j++)
                        c += w[i * n + j] * r[j];
                    for (int j = 0; j < n; j++)
                        g[i * n + j] -= (z[i] * r[j] + c * rows[t * n + j]) / count;
                }
            }
            loss /= count;
            return g;
        }

        private static (float[] Rows, float[] W, float[] B) RandomProblem(int seed, int n, int m, int count, float bias)
        {
            var random = new Random(seed);
            var a = TestData.RandomDictionary(n, m, random);
            var (rows, _) = TestData.Mixture(a, n, m, count, 0.2, random);
            var w = TestData.RandomDictionary(n, m, random);
            // Start near the truth so units fire on a good share of rows.
            for (int j = 0; j < w.Length; j++)
                w[j] = a[j] + 0.3f * w[j];
            var b = new float[m];
            Array.Fill(b, bias);
            return (rows, w, b);
        }

        [TestMethod]
        [DataRow(AutoencoderActivation.Relu, -0.1f)]
        [DataRow(AutoencoderActivation.HardThreshold, 0.05f)]
        public void FusedGradientEqualsPlainLoop(AutoencoderActivation kind, float bias)
        {
            const int n = 23, m = 7, count = 3000; // 3000 rows: three partitions, so the reduction is exercised too
            var (rows, w, b) = RandomProblem(1, n, m, count, bias);
            var expected = PlainGradient(rows, count, n, w, b, kind, 0.5f, out double expectedLoss, out _);

            var pass = new GradientPass(new DenseRows(rows, count, n), m, maxThreads: 2);
            var result = new PassResult(n, m);
            pass.Run(w, b, new EncoderActivation(kind, 0.5f), result, default);

            Assert.AreEqual(expectedLoss, result.Loss, 1e-5 * expectedLoss);
            double scale = 0;
            foreach (double v in expected)
                scale = Math.Max(scale, Math.Abs(v));
            Assert.IsGreaterThan(1e-3, scale, "the test problem must have a non-trivial gradient");
            for (int j = 0; j < expected.Length; j++)
                Assert.AreEqual(expected[j], result.Gradient[j], 1e-4 * scale, $"gradient entry {j}");
            long active = 0;
            foreach (long c in result.ActiveCounts)
                active += c;
            Assert.IsGreaterThan(0L, active);
            Assert.IsLessThan((long)count * m, active, "some units must be inactive, or the indicator is not tested");
        }

        [TestMethod]
        [DataRow(AutoencoderActivation.Relu, -0.1f)]
        [DataRow(AutoencoderActivation.HardThreshold, 0.05f)]
        public void GradientMatchesFiniteDifferencesAwayFromKinks(AutoencoderActivation kind, float bias)
        {
            const int n = 9, m = 4, count = 200;
            const float lambda = 0.5f;
            var (rows, w, b) = RandomProblem(2, n, m, count, bias);
            var pass = new GradientPass(new DenseRows(rows, count, n), m, maxThreads: 1);
            var result = new PassResult(n, m);
            pass.Run(w, b, new EncoderActivation(kind, lambda), result, default);
            PlainGradient(rows, count, n, w, b, kind, lambda, out _, out bool[,] basePattern);

            const float h = 1e-3f;
            int compared = 0;
            for (int j = 0; j < w.Length; j++)
            {
                float saved = w[j];
                w[j] = saved + h;
                PlainGradient(rows, count, n, w, b, kind, lambda, out double lossPlus, out bool[,] plus);
                w[j] = saved - h;
                PlainGradient(rows, count, n, w, b, kind, lambda, out double lossMinus, out bool[,] minus);
                w[j] = saved;
                if (!SamePattern(basePattern, plus) || !SamePattern(basePattern, minus))
                    continue; // the perturbation crossed an activation kink: the loss is not differentiable there
                double numeric = (lossPlus - lossMinus) / (2.0 * ((double)(saved + h) - saved));
                Assert.AreEqual(numeric, result.Gradient[j], 2e-3 * Math.Max(1, Math.Abs(numeric)), $"entry {j}");
                compared++;
            }
            Assert.IsGreaterThanOrEqualTo(w.Length * 9 / 10, compared, "most entries must be away from kinks");
        }

        private static bool SamePattern(bool[,] a, bool[,] b)
        {
            for (int t = 0; t < a.GetLength(0); t++)
            {
                for (int i = 0; i < a.GetLength(1); i++)
                {
                    if (a[t, i] != b[t, i])
                        return false;
                }
            }
            return true;
        }

        [TestMethod]
        public void PassIsBitIdenticalOnOneAndTwoThreads()
        {
            const int n = 31, m = 6, count = 5000;
            var (rows, w, b) = RandomProblem(3, n, m, count, 0f);
            var data = new DenseRows(rows, count, n);
            var one = new PassResult(n, m);
            var two = new PassResult(n, m);
            new GradientPass(data, m, 1).Run(w, b, new EncoderActivation(AutoencoderActivation.HardThreshold, 0.5f), one, default);
            new GradientPass(data, m, 2).Run(w, b, new EncoderActivation(AutoencoderActivation.HardThreshold, 0.5f), two, default);
            Assert.AreEqual(one.Loss, two.Loss);
            CollectionAssert.AreEqual(one.Gradient, two.Gradient);
            CollectionAssert.AreEqual(one.ActiveCounts, two.ActiveCounts);
        }
    }
}
