using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Training
{
    /// <summary>
    /// The top-k training activation (Makhzani &amp; Frey's k-sparse autoencoder): the fused gradient against a plain loop and
    /// finite differences, exactly k units per row, the transform equal to the training activation, determinism over threads.
    /// </summary>
    [TestClass]
    public sealed class TopKActivationTests
    {
        /// <summary>The k largest positive values of z, ties to the lower index, in increasing index order.</summary>
        internal static int[] ReferenceSupport(double[] z, int k)
            => Enumerable.Range(0, z.Length).Where(i => z[i] > 0).OrderByDescending(i => z[i]).ThenBy(i => i).Take(k).OrderBy(i => i).ToArray();

        private static double[] Preactivations(float[] rows, int t, int n, double[] w, float[] b)
        {
            int m = b.Length;
            var z = new double[m];
            for (int i = 0; i < m; i++)
            {
                double s = b[i];
                for (int j = 0; j < n; j++)
                    s += w[i * n + j] * (double)rows[t * n + j];
                z[i] = s;
            }
            return z;
        }

        /// <summary>Mean ½‖y − Wx‖², x = top-k(Wᵀy + b), in double; the support is chosen afresh at every W.</summary>
        private static double Loss(float[] rows, int count, int n, double[] w, float[] b, int k, long[]? counts = null)
        {
            double loss = 0;
            for (int t = 0; t < count; t++)
            {
                double[] z = Preactivations(rows, t, n, w, b);
                int[] support = ReferenceSupport(z, k);
                for (int j = 0; j < n; j++)
                {
                    double r = rows[t * n + j];
                    foreach (int i in support)
                        r -= z[i] * w[i * n + j];
                    loss += 0.5 * r * r;
                }
                if (counts != null)
                {
                    foreach (int i in support)
                        counts[i]++;
                }
            }
            return loss / count;
        }

        /// <summary>The gradient of the loss with the support held fixed, written plainly in double: Σ_{i ∈ S}(z_i r + y W_iᵀr) per row.</summary>
        private static double[] PlainGradient(float[] rows, int count, int n, float[] w, float[] b, int k)
        {
            int m = b.Length;
            double[] wd = w.Select(v => (double)v).ToArray();
            var g = new double[m * n];
            for (int t = 0; t < count; t++)
            {
                double[] z = Preactivations(rows, t, n, wd, b);
                int[] support = ReferenceSupport(z, k);
                var r = new double[n];
                for (int j = 0; j < n; j++)
                {
                    r[j] = rows[t * n + j];
                    foreach (int i in support)
                        r[j] -= z[i] * wd[i * n + j];
                }
                foreach (int i in support)
                {
                    double projection = 0;
                    for (int j = 0; j < n; j++)
                        projection += wd[i * n + j] * r[j];
                    for (int j = 0; j < n; j++)
                        g[i * n + j] -= (z[i] * r[j] + projection * rows[t * n + j]) / count;
                }
            }
            return g;
        }

        /// <summary>
        /// k-sparse non-negative codes (Makhzani &amp; Frey's setting, the paper's sparse-coding model with positive
        /// coefficients): y = Σ_{i ∈ S} x_i A_i + σ·noise, |S| = k uniform, x_i uniform in [1, 2].
        /// </summary>
        internal static (float[] Rows, float[] Dictionary) KSparse(int n, int m, int count, int k, int seed, double sigma = 0.02)
        {
            var random = new Random(seed);
            float[] a = TestData.RandomDictionary(n, m, random);
            var rows = new float[count * n];
            for (int t = 0; t < count; t++)
            {
                foreach (int i in Enumerable.Range(0, m).OrderBy(_ => random.Next()).Take(k))
                {
                    double x = 1 + random.NextDouble();
                    for (int j = 0; j < n; j++)
                        rows[t * n + j] += (float)(x * a[i * n + j]);
                }
                for (int j = 0; j < n; j++)
                    rows[t * n + j] += (float)(sigma * TestData.Normal(random));
            }
            return (rows, a);
        }

        private static float[] NearTruth(float[] a, int n, int m, int seed)
        {
            float[] w = TestData.RandomDictionary(n, m, new Random(seed));
            for (int j = 0; j < w.Length; j++)
                w[j] = a[j] + 0.3f * w[j];
            for (int i = 0; i < m; i++)
                WeightInitializer.NormalizeInPlace(w.AsSpan(i * n, n));
            return w;
        }

        [TestMethod]
        [DataRow(23, 9, 3, 3000, 2)]   // three chunks: the reduction over chunks is exercised
        [DataRow(16, 6, 1, 1031, 1)]   // k = 1; a 3-row tail block
        [DataRow(40, 10, 10, 515, 2)]  // k = m: top-k is then the ReLU
        public void FusedGradientEqualsPlainLoopWithTheSupportFixed(int n, int m, int k, int count, int threads)
        {
            var (rows, a) = KSparse(n, m, count, Math.Min(3, m), seed: n);
            float[] w = NearTruth(a, n, m, seed: m);
            var b = new float[m];
            Array.Fill(b, -0.05f);
            double[] expected = PlainGradient(rows, count, n, w, b, k);
            var expectedCounts = new long[m];
            double expectedLoss = Loss(rows, count, n, w.Select(v => (double)v).ToArray(), b, k, expectedCounts);

            var result = new PassResult(n, m);
            new GradientPass(new DenseRows(rows, count, n), m, threads).Run(w, b, new EncoderActivation(AutoencoderActivation.TopK, 0.5f, k), result, default);

            CollectionAssert.AreEqual(expectedCounts, result.ActiveCounts, "the support of every row must be the reference top-k");
            Assert.AreEqual(expectedLoss, result.Loss, 1e-5 * expectedLoss, "loss");
            double scale = expected.Max(Math.Abs);
            Assert.IsGreaterThan(1e-3, scale, "the test problem must have a non-trivial gradient");
            for (int j = 0; j < expected.Length; j++)
                Assert.AreEqual(expected[j], result.Gradient[j], 1e-4 * scale, $"gradient entry {j}");
            Assert.IsLessThanOrEqualTo((long)count * k, result.ActiveCounts.Sum(), "at most k units fire per row");
        }

        [TestMethod]
        public void GradientEqualsFiniteDifferencesOfTheLossOnATinyProblem()
        {
            const int n = 5, m = 4, k = 2, count = 6;
            // The finite differences see the loss with its support chosen at every W; they equal the fixed-support
            // gradient only away from a change of support: the first seed whose k-th value of every row is clearly above
            // the (k+1)-th and above 0 (a fixed choice: the seeds are deterministic).
            double Gap(float[] rows, double[] w, float[] b) => Enumerable.Range(0, count).Min(t =>
            {
                double[] sorted = Preactivations(rows, t, n, w, b).OrderByDescending(v => v).ToArray();
                return Math.Min(sorted[k - 1] - Math.Max(sorted[k], 0), sorted[k - 1]);
            });
            var b = new float[m];
            var (rows, w, wd) = Enumerable.Range(1, 100).Select(seed =>
            {
                var (r, a) = KSparse(n, m, count, 2, seed, sigma: 0.1);
                float[] weights = NearTruth(a, n, m, seed + 100);
                return (r, weights, weights.Select(v => (double)v).ToArray());
            }).First(p => Gap(p.r, p.Item3, b) > 0.05);

            var result = new PassResult(n, m);
            new GradientPass(new DenseRows(rows, count, n), m, 1).Run(w, b, new EncoderActivation(AutoencoderActivation.TopK, 0.5f, k), result, default);

            const double h = 1e-5;
            for (int e = 0; e < wd.Length; e++)
            {
                double saved = wd[e];
                wd[e] = saved + h;
                double plus = Loss(rows, count, n, wd, b, k);
                wd[e] = saved - h;
                double minus = Loss(rows, count, n, wd, b, k);
                wd[e] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.AreEqual(numeric, result.Gradient[e], 1e-4 * Math.Max(1, Math.Abs(numeric)), $"∂L/∂W entry {e}");
            }
        }

        private static (MLContext Ml, IDataView Train, IDataView HeldOut, float[] Dictionary) Data(int n, int m, int trueSparsity, int trainRows = 2000)
        {
            var ml = new MLContext(seed: 1);
            var (rows, a) = KSparse(n, m, trainRows + 300, trueSparsity, seed: 17);
            IDataView View(int from, int count) => TestData.MixtureView(ml, rows.AsSpan(from * n, count * n).ToArray(), new int[count], n);
            return (ml, View(0, trainRows), View(trainRows, 300), a);
        }

        private static SharedAutoencoderEstimator.Options TopKOptions(int m, int k, int threads = 2) => new()
        {
            HiddenUnits = m,
            Activation = AutoencoderActivation.TopK,
            ActiveUnits = k,
            MaximumNumberOfIterations = 15,
            LearningRate = 0.2f,
            Initialization = WeightInitialization.Samples,
            Seed = 5,
            NumberOfThreads = threads,
            // The code is the trained activation on the rows as given (the paper's settings, not the featurizer defaults).
            Normalization = InputNormalization.None,
            Encoding = CodeEncoding.Activation,
            SplitPolarity = false,
        };

        [TestMethod]
        public void TheTransformKeepsExactlyKUnitsAsTrainingDid()
        {
            const int n = 20, m = 12, k = 3;
            var (ml, train, heldOut, _) = Data(n, m, k);
            var model = ml.Transforms.SharedAutoencoder(TopKOptions(m, k)).Fit(train);
            Assert.AreEqual(AutoencoderActivation.TopK, model.Model.Activation);
            Assert.AreEqual(k, model.Model.ActiveUnits);
            Assert.IsTrue(model.History.Iterations.Any(i => i.Iteration > 0 && !i.Undone), "training must take steps");

            float[][] inputs = heldOut.GetColumn<float[]>("Features").ToArray();
            float[][] codes = model.Transform(heldOut).GetColumn<VBuffer<float>>("Code").Select(c => c.DenseValues().ToArray()).ToArray();
            double[] weights = model.Model.GetWeights().SelectMany(c => c.Select(v => (double)v)).ToArray();
            float[] bias = model.Model.GetBias();
            var single = new float[m];
            int exactlyK = 0;
            for (int t = 0; t < inputs.Length; t++)
            {
                double[] z = Preactivations(inputs[t], 0, n, weights, bias);
                int[] support = Enumerable.Range(0, m).Where(i => codes[t][i] != 0).ToArray();
                Assert.HasCount(Math.Min(k, z.Count(v => v > 0)), support, $"row {t}: exactly k nonzeros, or every positive one when fewer");
                exactlyK += support.Length == k ? 1 : 0;
                CollectionAssert.AreEqual(ReferenceSupport(z, k), support, $"row {t}: the k largest pre-activations");
                foreach (int i in support)
                    Assert.AreEqual(z[i], codes[t][i], 1e-5, "linear on the support");
                model.Model.Encode(inputs[t], single);
                CollectionAssert.AreEqual(codes[t], single, "Encode and the transform agree bit for bit");
            }
            Assert.IsGreaterThan(0.9 * inputs.Length, exactlyK, "most rows have at least k positive pre-activations");

            // The training pass at the final W chooses the same supports as the transform, row for row.
            float[] trainRows = train.GetColumn<float[]>("Features").SelectMany(r => r).ToArray();
            int rowCount = trainRows.Length / n;
            var result = new PassResult(n, m);
            float[] unitMajor = model.Model.GetWeights().SelectMany(c => c).ToArray();
            new GradientPass(new DenseRows(trainRows, rowCount, n), m, 2).Run(unitMajor, bias, new EncoderActivation(AutoencoderActivation.TopK, 0.5f, k), result, default);
            var transformCounts = new long[m];
            foreach (VBuffer<float> code in model.Transform(train).GetColumn<VBuffer<float>>("Code"))
            {
                int i = 0;
                foreach (float v in code.DenseValues())
                    transformCounts[i++] += v != 0 ? 1 : 0;
            }
            CollectionAssert.AreEqual(transformCounts, result.ActiveCounts);
        }

        [TestMethod]
        public void TrainingIsBitIdenticalOnAnyThreadCountAndInMiniBatches()
        {
            const int n = 20, m = 12, k = 3;
            var (ml, train, _, _) = Data(n, m, k, trainRows: 2500); // three chunks of rows
            int[] Bits(SharedAutoencoderEstimator.Options o) => ml.Transforms.SharedAutoencoder(o).Fit(train).Model.GetWeights()
                .SelectMany(c => c).Select(BitConverter.SingleToInt32Bits).ToArray();

            int[] one = Bits(TopKOptions(m, k, threads: 1));
            CollectionAssert.AreEqual(one, Bits(TopKOptions(m, k, threads: 2)));
            CollectionAssert.AreEqual(one, Bits(TopKOptions(m, k, threads: 3)));
            var batched = TopKOptions(m, k, threads: 1);
            batched.BatchSize = 700;
            int[] batchedOne = Bits(batched);
            batched.NumberOfThreads = 3;
            CollectionAssert.AreEqual(batchedOne, Bits(batched));
        }

        [TestMethod]
        public void ItRecoversAKSparseDictionary()
        {
            const int n = 30, m = 8, k = 2;
            var (ml, train, _, a) = Data(n, m, k, trainRows: 3000);
            var options = TopKOptions(m, k);
            options.MaximumNumberOfIterations = 30;
            // The paper's local regime: W⁰ a perturbation of A (each column moved by about 0.5·‖A_i‖).
            options.Initialization = WeightInitialization.Given;
            float[] start = TestData.RandomDictionary(n, m, new Random(3));
            options.InitialWeights = TestData.Columns(a.Select((v, j) => v + 0.5f * start[j]).ToArray(), n);
            options.GroundTruthDictionary = TestData.Columns(a, n);
            var history = ml.Transforms.SharedAutoencoder(options).Fit(train).History;
            double before = history.Iterations[0].RecoveryError!.Value;
            double after = history.Iterations.Last(i => !i.Undone).RecoveryError!.Value;
            Console.WriteLine($"‖π(W) − A‖_F: {before:F3} at W⁰, {after:F3} after training");
            Assert.IsLessThan(before / 2, after, "top-k training must move W toward A");
        }

        [TestMethod]
        public void TheDefaultKIsTenOrM()
        {
            var (ml, train, _, _) = Data(20, 12, 3, trainRows: 200);
            var options = TopKOptions(12, 3);
            options.ActiveUnits = null;
            options.MaximumNumberOfIterations = 1;
            Assert.AreEqual(10, ml.Transforms.SharedAutoencoder(options).Fit(train).Model.ActiveUnits);
            options.HiddenUnits = 4;
            Assert.AreEqual(4, ml.Transforms.SharedAutoencoder(options).Fit(train).Model.ActiveUnits);
            options.Activation = AutoencoderActivation.Relu;
            Assert.AreEqual(0, ml.Transforms.SharedAutoencoder(options).Fit(train).Model.ActiveUnits);
        }

        public static IEnumerable<object[]> InvalidOptions()
        {
            object[] Case(string name, Action<SharedAutoencoderEstimator.Options> change, string option, string fragment) => new object[] { name, change, option, fragment };
            yield return Case("k 0", o => o.ActiveUnits = 0, "ActiveUnits", "between 1 and 12");
            yield return Case("k > m", o => o.ActiveUnits = 13, "ActiveUnits", "between 1 and 12 (the number of hidden units, from which the top-k activation picks), got 13");
            yield return Case("k > m with a split top-k code", o =>
            {
                o.Encoding = CodeEncoding.TopK;
                o.SplitPolarity = true;
                o.ActiveUnits = 20;
            }, "ActiveUnits", "between 1 and 12");
            yield return Case("refit", o => o.FinalRefitIterations = 2, "FinalRefitIterations", "not supported with Activation = TopK");
            yield return Case("k without top-k", o => o.Activation = AutoencoderActivation.Relu, "ActiveUnits", "used only by Activation = TopK and by Encoding = TopK or OrthogonalMatchingPursuit");
        }

        [TestMethod]
        [DynamicData(nameof(InvalidOptions))]
        public void InvalidOptionsAreRefusedWithTheRemedy(string name, Action<SharedAutoencoderEstimator.Options> change, string option, string fragment)
        {
            var options = TopKOptions(12, 3);
            change(options);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(1).Transforms.SharedAutoencoder(options), name);
            StringAssert.Contains(error.Message, option, name);
            StringAssert.Contains(error.Message, fragment, name);
        }

        [TestMethod]
        public void TheCoreRefusesAMissingOrOversizedK()
        {
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new EncoderActivation(AutoencoderActivation.TopK, 0.5f));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new EncoderActivation(AutoencoderActivation.Relu, 0.5f, 3));
            Assert.ThrowsExactly<InvalidOperationException>(() => new EncoderActivation(AutoencoderActivation.TopK, 0.5f, 2).IsActive(1f));
            float[] w = TestData.RandomDictionary(4, 3, new Random(1));
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
                () => new SharedAutoencoderModelParameters(4, w, new float[3], AutoencoderActivation.TopK, 0.5f, activeUnits: 4));
            StringAssert.Contains(error.Message, "choose k ≤ 3");
            Assert.ThrowsExactly<ArgumentException>(() => new CodeEncoder(w, new float[3], 4, AutoencoderActivation.TopK, 0.5f, CodeEncodingSettings.Activation()));
        }
    }
}
