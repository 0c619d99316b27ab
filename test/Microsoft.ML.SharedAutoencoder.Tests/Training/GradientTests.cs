using System;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;
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

            var pass = new GradientPass(new DenseRows(rows, count, n), m, numberOfThreads: 2);
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
        [DataRow(16, 6, 1031, AutoencoderActivation.HardThreshold)] // units in threes, then a sweep of the norms alone; a 3-row tail block
        [DataRow(23, 8, 1026, AutoencoderActivation.Relu)]          // two units left for the norm sweep; n not a multiple of 8
        [DataRow(40, 10, 2050, AutoencoderActivation.HardThreshold)] // one unit left for the norm sweep
        [DataRow(17, 2, 515, AutoencoderActivation.Relu)]            // no full three-unit sweep at all
        public void FusedPassMatchesPlainLoopForEveryBlockShapeAndBothLossPaths(int n, int m, int count, AutoencoderActivation kind)
        {
            var (rows, w, b) = RandomProblem(7 + m, n, m, count, kind == AutoencoderActivation.Relu ? -0.1f : 0.05f);
            // Every third row is exactly 0.9·W_0: a near-perfect fit whose loss must be formed explicitly, not by the Gram expansion.
            for (int t = 0; t < count; t += 3)
            {
                for (int j = 0; j < n; j++)
                    rows[t * n + j] = 0.9f * w[j];
            }
            var expected = PlainGradient(rows, count, n, w, b, kind, 0.5f, out double expectedLoss, out _);
            double expectedZeroCodeLoss = 0;
            foreach (float v in rows)
                expectedZeroCodeLoss += 0.5 * v * v / count;

            var result = new PassResult(n, m);
            new GradientPass(new DenseRows(rows, count, n), m, numberOfThreads: 2).Run(w, b, new EncoderActivation(kind, 0.5f), result, default);

            Assert.AreEqual(expectedLoss, result.Loss, 1e-6 * expectedLoss, "loss");
            Assert.AreEqual(expectedZeroCodeLoss, result.ZeroCodeLoss, 1e-6 * expectedZeroCodeLoss, "½ mean ‖y‖²");
            double scale = 0;
            foreach (double v in expected)
                scale = Math.Max(scale, Math.Abs(v));
            for (int j = 0; j < expected.Length; j++)
                Assert.AreEqual(expected[j], result.Gradient[j], 1e-5 * scale, $"gradient entry {j}");
        }

        [TestMethod]
        public void ANearPerfectFitKeepsItsSmallLoss()
        {
            // Rows that W reconstructs to 1e-4: the Gram expansion would lose this loss in float32 cancellation.
            const int n = 32, m = 4, count = 64;
            var random = new Random(5);
            var w = TestData.RandomDictionary(n, m, random);
            var rows = new float[count * n];
            double expectedLoss = 0;
            for (int t = 0; t < count; t++)
            {
                int unit = t % m;
                for (int j = 0; j < n; j++)
                {
                    float noise = 1e-4f * (float)(random.NextDouble() - 0.5);
                    rows[t * n + j] = 2f * w[unit * n + j] + noise;
                }
            }
            var b = new float[m];
            PlainGradient(rows, count, n, w, b, AutoencoderActivation.HardThreshold, 1.5f, out expectedLoss, out _);
            var result = new PassResult(n, m);
            new GradientPass(new DenseRows(rows, count, n), m, numberOfThreads: 1).Run(w, b, new EncoderActivation(AutoencoderActivation.HardThreshold, 1.5f), result, default);
            Assert.IsGreaterThan(0.0, expectedLoss);
            Assert.AreEqual(expectedLoss, result.Loss, 1e-2 * expectedLoss);
        }

        [TestMethod]
        [DataRow(AutoencoderActivation.Relu, -0.1f)]
        [DataRow(AutoencoderActivation.HardThreshold, 0.05f)]
        public void GradientMatchesFiniteDifferencesAwayFromKinks(AutoencoderActivation kind, float bias)
        {
            const int n = 9, m = 4, count = 200;
            const float lambda = 0.5f;
            var (rows, w, b) = RandomProblem(2, n, m, count, bias);
            var pass = new GradientPass(new DenseRows(rows, count, n), m, numberOfThreads: 1);
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
        [DataRow(31, 6, 5000)]
        [DataRow(300, 220, 2100)] // m·n ≥ 2^16: Γ, the reduction and W·C are computed on several threads too
        public void PassIsBitIdenticalOnOneAndTwoThreads(int n, int m, int count)
        {
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
