using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Training
{
    /// <summary>
    /// The fast paths (blocked SIMD kernel, chunked parallel pass, streamed rows, mini-batches, fast PCA) against plain
    /// references, and their determinism across thread counts and data sources.
    /// </summary>
    [TestClass]
    public sealed class PerformancePathTests
    {
        /// <summary>Hides a <see cref="DenseRows"/> behind the interface, so the pass takes its streaming path.</summary>
        private sealed class StreamedRows : ITrainingRows
        {
            private readonly DenseRows _rows;

            public StreamedRows(DenseRows rows) => _rows = rows;

            public int Dimension => _rows.Dimension;

            public long RowCount => _rows.RowCount;

            public int ReadersOpened { get; private set; }

            public ITrainingRowReader OpenReader()
            {
                ReadersOpened++;
                return _rows.OpenReader();
            }

            public DenseRows Head(int maxRows) => _rows.Head(maxRows);
        }

        private static DenseRows SparseCodingRows(int n, int m, int count, int seed, out float[] dictionary)
        {
            var random = new Random(seed);
            dictionary = TestData.RandomDictionary(n, m, random);
            var values = new float[count * n];
            for (int t = 0; t < count; t++)
            {
                Span<float> y = values.AsSpan(t * n, n);
                for (int j = 0; j < n; j++)
                    y[j] = (float)(0.01 * TestData.Normal(random));
                for (int s = 0; s < 2; s++)
                {
                    int atom = random.Next(m);
                    float sign = random.Next(2) == 0 ? -1f : 1f;
                    for (int j = 0; j < n; j++)
                        y[j] += sign * dictionary[atom * n + j];
                }
            }
            return new DenseRows(values, count, n);
        }

        private static float[] NearTruth(float[] dictionary, int n, int m, int seed)
        {
            var noise = TestData.RandomDictionary(n, m, new Random(seed));
            var w = new float[dictionary.Length];
            for (int k = 0; k < w.Length; k++)
                w[k] = dictionary[k] + 0.6f * noise[k];
            return w;
        }

        private static TrainerSettings Settings(int m, float[] initial, int iterations, int threads, long batchSize = 0) => new TrainerSettings
        {
            HiddenUnits = m,
            Activation = AutoencoderActivation.Relu,
            Threshold = 0.5f,
            InitialBias = -0.15f,
            BiasDecay = 2,
            LearningRate = m / 2f,
            MaximumNumberOfIterations = iterations,
            DivergenceFactor = double.MaxValue, // the reference has no guard
            Initialization = WeightInitialization.Given,
            InitialWeights = initial,
            Seed = 1,
            NumberOfThreads = threads,
            BatchSize = batchSize,
        };

        // The update written as plainly as possible, in double: gradient by loops, W ← normalize(W − ζg), b ← b/C.
        private static double[] PlainTraining(DenseRows data, float[] initial, int m, double learningRate, double bias0, double decay, int steps)
        {
            int n = data.Dimension;
            int count = data.RowCount;
            double[] w = initial.Select(v => (double)v).ToArray();
            for (int i = 0; i < m; i++)
                Normalize(w, i, n);
            double b = bias0;
            for (int step = 0; step < steps; step++)
            {
                var g = new double[m * n];
                for (int t = 0; t < count; t++)
                {
                    ReadOnlySpan<float> y = data.Row(t);
                    var z = new double[m];
                    var r = new double[n];
                    for (int j = 0; j < n; j++)
                        r[j] = y[j];
                    for (int i = 0; i < m; i++)
                    {
                        double s = b;
                        for (int j = 0; j < n; j++)
                            s += w[i * n + j] * y[j];
                        z[i] = s;
                        if (s > 0)
                        {
                            for (int j = 0; j < n; j++)
                                r[j] -= s * w[i * n + j];
                        }
                    }
                    for (int i = 0; i < m; i++)
                    {
                        if (!(z[i] > 0))
                            continue;
                        double c = 0;
                        for (int j = 0; j < n; j++)
                            c += w[i * n + j] * r[j];
                        for (int j = 0; j < n; j++)
                            g[i * n + j] -= (z[i] * r[j] + c * y[j]) / count;
                    }
                }
                for (int k = 0; k < w.Length; k++)
                    w[k] -= learningRate * g[k];
                for (int i = 0; i < m; i++)
                    Normalize(w, i, n);
                b /= decay;
            }
            return w;
        }

        private static void Normalize(double[] w, int unit, int n)
        {
            double norm = 0;
            for (int j = 0; j < n; j++)
                norm += w[unit * n + j] * w[unit * n + j];
            norm = Math.Sqrt(norm);
            for (int j = 0; j < n; j++)
                w[unit * n + j] /= norm;
        }

        private static float[] Weights(SharedAutoencoderModelParameters model) => model.WeightsUnitMajor.ToArray();

        [TestMethod]
        public void FastTrainingMatchesThePlainUpdateAfterFiftySteps()
        {
            const int n = 784, m = 10, count = 2000, steps = 50;
            DenseRows data = SparseCodingRows(n, m, count, seed: 11, out float[] truth);
            float[] initial = NearTruth(truth, n, m, seed: 12);
            var (model, history) = AutoencoderTrainer.Train(data, Settings(m, initial, steps, threads: 2), new TestMonitor());
            double[] expected = PlainTraining(data, initial, m, m / 2.0, -0.15, 2, steps);

            Assert.IsTrue(history.Iterations.All(e => !e.Undone));
            double active = history.Iterations[1].ActiveFraction;
            Assert.IsTrue(active > 0.02 && active < 0.9, $"units must fire on some rows but not all (active fraction {active})");
            float[] actual = Weights(model);
            double[] start = PlainTraining(data, initial, m, m / 2.0, -0.15, 2, steps: 0);
            double maxDifference = 0, moved = 0;
            for (int k = 0; k < actual.Length; k++)
            {
                maxDifference = Math.Max(maxDifference, Math.Abs(actual[k] - expected[k]));
                moved = Math.Max(moved, Math.Abs(actual[k] - start[k]));
            }
            Console.WriteLine($"max |W_fast − W_plain| = {maxDifference:E3}, largest move from W⁰ = {moved:F4}");
            Assert.IsLessThanOrEqualTo(1e-4, maxDifference, $"max |W_fast − W_plain| after {steps} steps");
            Assert.IsGreaterThan(1e-2, moved, "training must move W, or the comparison proves nothing");
        }

        [TestMethod]
        public void TrainingIsBitIdenticalOnOneAndTwoThreadsAndWhenStreamed()
        {
            // 20,000 rows of n = 40: 20 chunks, so the streamed pass reads three waves, the last one partial.
            const int n = 40, m = 6, count = 20_000;
            DenseRows data = SparseCodingRows(n, m, count, seed: 21, out float[] truth);
            float[] initial = NearTruth(truth, n, m, seed: 22);
            var one = AutoencoderTrainer.Train(data, Settings(m, initial, 8, threads: 1), new TestMonitor()).Model;
            var two = AutoencoderTrainer.Train(data, Settings(m, initial, 8, threads: 2), new TestMonitor()).Model;
            var streamedRows = new StreamedRows(data);
            var streamed = AutoencoderTrainer.Train(streamedRows, Settings(m, initial, 8, threads: 2), new TestMonitor());

            CollectionAssert.AreEqual(Weights(one), Weights(two));
            CollectionAssert.AreEqual(Weights(one), Weights(streamed.Model));
            CollectionAssert.AreEqual(one.GetBias(), streamed.Model.GetBias());
            Assert.AreEqual(9, streamedRows.ReadersOpened, "one read of the data per pass: W⁰ and 8 steps");
        }

        [TestMethod]
        [DataRow(AutoencoderActivation.Relu, 0)]
        [DataRow(AutoencoderActivation.HardThreshold, 0)]
        [DataRow(AutoencoderActivation.TopK, 2)]
        public void WithoutStepsTheLossOnlyPassRecordsExactlyWhatTheFullPassRecords(AutoencoderActivation activation, int k)
        {
            // 20,000 rows: 20 chunks, three waves when streamed. Half the rows start at the true dictionary (fits close
            // enough for the explicit residual) and the reseeding hook runs its pass too.
            const int n = 40, m = 6, count = 20_000;
            DenseRows data = SparseCodingRows(n, m, count, seed: 41, out float[] truth);
            foreach (float[] initial in new[] { truth, NearTruth(truth, n, m, seed: 42) })
            {
                TrainingHistory? reference = null;
                float[]? referenceWeights = null;
                foreach (bool skip in new[] { false, true })
                {
                    foreach (int threads in new[] { 1, 2 })
                    {
                        foreach (bool streamed in new[] { false, true })
                        {
                            var settings = new TrainerSettings
                            {
                                HiddenUnits = m, Activation = activation, Threshold = 0.5f, ActiveUnits = k, InitialBias = -0.15f, BiasDecay = 2,
                                LearningRate = 1, MaximumNumberOfIterations = 0, Initialization = WeightInitialization.Given, InitialWeights = initial,
                                Seed = 1, NumberOfThreads = threads, ReseedDeadUnits = true, SkipUnusedGradient = skip,
                            };
                            ITrainingRows rows = streamed ? new StreamedRows(data) : data;
                            var (model, history) = AutoencoderTrainer.Train(rows, settings, new TestMonitor());
                            reference ??= history;
                            referenceWeights ??= Weights(model);
                            CollectionAssert.AreEqual(referenceWeights, Weights(model));
                            string label = $"{activation}, skip {skip}, {threads} thread(s), streamed {streamed}";
                            Assert.HasCount(reference.Iterations.Count, history.Iterations, label);
                            for (int e = 0; e < history.Iterations.Count; e++)
                            {
                                Assert.AreEqual(BitConverter.DoubleToInt64Bits(reference.Iterations[e].Loss), BitConverter.DoubleToInt64Bits(history.Iterations[e].Loss), label);
                                Assert.AreEqual(reference.Iterations[e].ActiveFraction, history.Iterations[e].ActiveFraction, label);
                                Assert.AreEqual(reference.Iterations[e].DeadUnits, history.Iterations[e].DeadUnits, label);
                            }
                            Assert.AreEqual(reference.DeadUnitFraction, history.DeadUnitFraction, label);
                            Assert.AreEqual(reference.CodesNearlyConstant, history.CodesNearlyConstant, label);
                            Assert.AreEqual(reference.StopReason, history.StopReason, label);
                            Assert.IsGreaterThan(0, history.Iterations[0].Loss, "a zero loss would make the comparison trivial");
                        }
                    }
                }
            }
        }

        [TestMethod]
        public void MiniBatchesTrainDeterministicallyAndAFullSizeBatchIsFullBatch()
        {
            const int n = 40, m = 6, count = 5000;
            DenseRows data = SparseCodingRows(n, m, count, seed: 31, out float[] truth);
            float[] initial = NearTruth(truth, n, m, seed: 32);
            var (full, _) = AutoencoderTrainer.Train(data, Settings(m, initial, 5, threads: 2), new TestMonitor());
            var (wholeBatch, _) = AutoencoderTrainer.Train(data, Settings(m, initial, 5, threads: 2, batchSize: count), new TestMonitor());
            CollectionAssert.AreEqual(Weights(full), Weights(wholeBatch), "B = N is full batch");

            var (one, history) = AutoencoderTrainer.Train(data, Settings(m, initial, 5, threads: 1, batchSize: 700), new TestMonitor());
            var (two, _) = AutoencoderTrainer.Train(new StreamedRows(data), Settings(m, initial, 5, threads: 2, batchSize: 700), new TestMonitor());
            CollectionAssert.AreEqual(Weights(one), Weights(two), "mini-batch training is the same on 1 and 2 threads, in memory and streamed");
            CollectionAssert.AreNotEqual(Weights(full), Weights(one), "mini-batches take more (different) steps");
            Assert.AreEqual(6, history.Iterations.Count);
            Assert.IsLessThan(history.Iterations[0].Loss, history.Iterations[^1].Loss, "the epochs reduce the loss");
        }

        [TestMethod]
        [DataRow(200, 6, 3000)] // n > 128: subspace iteration on the data
        [DataRow(50, 4, 800)] // small n: Gram matrix and full eigendecomposition
        public void PcaEqualsTheExactTopSingularVectors(int n, int m, int count)
        {
            DenseRows data = SparseCodingRows(n, m, count, seed: 41, out _);
            float[] fast = PcaInitializer.TopRightSingularVectors(data, m);

            var y = Matrix<double>.Build.Dense(count, n, (t, j) => data.Values[t * n + j]);
            var svd = y.Svd(computeVectors: true);
            for (int i = 0; i < m; i++)
            {
                var exact = svd.VT.Row(i);
                double dot = 0, norm = 0;
                for (int j = 0; j < n; j++)
                {
                    dot += fast[i * n + j] * exact[j];
                    norm += fast[i * n + j] * (double)fast[i * n + j];
                }
                Assert.AreEqual(1.0, Math.Sqrt(norm), 1e-5, $"vector {i} has unit norm");
                Assert.AreEqual(1.0, Math.Abs(dot), 1e-5, $"vector {i} is the exact singular vector up to sign");
            }

            float[] again = PcaInitializer.TopRightSingularVectors(data, m, numberOfThreads: 1);
            CollectionAssert.AreEqual(fast, again, "PCA does not depend on the thread count");
        }
    
        [TestMethod]
        public void EstimatorStreamsFromTheLazyLoaderUnderASmallBudgetWithTheSameResult()
        {
            var ml = new MLContext(1);
            var data = ml.Data.LoadFromBilinearModel(new BilinearModelOptions { FeatureCount = 30, AtomCount = 5, Sparsity = 1, NoiseStandardDeviation = 0.05f, Seed = 3 }, 6000);
            SharedAutoencoderEstimator Estimator(int? budget) => ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation,
                HiddenUnits = 5,
                MaximumNumberOfIterations = 10,
                Seed = 4,
                MaximumInMemoryRows = budget,
            });
            var messages = new System.Collections.Generic.List<string>();
            ml.Log += (_, e) => messages.Add(e.Message);
            var inMemory = Estimator(null).Fit(data).Model;
            Assert.IsFalse(messages.Any(x => x.Contains("Streaming", StringComparison.Ordinal)));
            var streamed = Estimator(1000).Fit(data).Model;
            Assert.IsTrue(messages.Any(x => x.Contains("Streaming 6000 rows", StringComparison.Ordinal)), "a budget of 1000 rows must stream 6000");
            CollectionAssert.AreEqual(Weights(inMemory), Weights(streamed));
            CollectionAssert.AreEqual(inMemory.GetBias(), streamed.GetBias());
        }

        [TestMethod]
        public void BatchSizeAndMemoryBudgetAreValidated()
        {
            var ml = new MLContext(1);
            var batch = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, HiddenUnits = 10, MaximumNumberOfIterations = 50, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, BatchSize = 0 }));
            StringAssert.Contains(batch.Message, "BatchSize");
            var budget = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, HiddenUnits = 10, MaximumNumberOfIterations = 50, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, MaximumInMemoryRows = -1 }));
            StringAssert.Contains(budget.Message, "MaximumInMemoryRows");
        }
    }
}
