using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Training
{
    [TestClass]
    public sealed class TrainerTests
    {
        private static float[] Perturbed(float[] a, int n, double delta, Random random)
        {
            var w = new float[a.Length];
            for (int j = 0; j < w.Length; j++)
                w[j] = (float)(a[j] + delta * TestData.Normal(random) / Math.Sqrt(n));
            return w;
        }

        private static double Norm(ReadOnlySpan<float> v)
        {
            double s = 0;
            foreach (float x in v)
                s += (double)x * x;
            return Math.Sqrt(s);
        }

        [TestMethod]
        public void ColumnsHaveUnitNormAfterEveryStep()
        {
            const int n = 40, m = 6, count = 2000;
            var random = new Random(5);
            var a = TestData.RandomDictionary(n, m, random);
            var (rows, _) = TestData.Mixture(a, n, m, count, 0.05, random);
            int steps = 0;
            var settings = new TrainerSettings
            {
                HiddenUnits = m, Activation = AutoencoderActivation.Relu, Threshold = 0.5f, InitialBias = -0.2f, BiasDecay = 2,
                LearningRate = m, MaximumNumberOfIterations = 20, Initialization = WeightInitialization.Random, Seed = 3,
                RecoveryProbe = w =>
                {
                    steps++;
                    for (int i = 0; i < m; i++)
                        Assert.AreEqual(1.0, Norm(w.AsSpan(i * n, n)), 1e-5, $"column {i} after step {steps - 1}");
                    return (0, 0);
                },
            };
            var (model, history) = AutoencoderTrainer.Train(new DenseRows(rows, count, n), settings, new TestMonitor());
            Assert.AreEqual(21, steps, "the probe sees W⁰ and every accepted step");
            Assert.AreEqual(21, history.Iterations.Count(e => !e.Undone));
            foreach (var column in model.GetWeights())
                Assert.AreEqual(1.0, Norm(column), 1e-5);
            var bias = model.GetBias();
            Assert.AreEqual(-0.2f / Math.Pow(2, 20), bias[0], 1e-12, "b ← b / C after each of the 20 steps");
        }

        [TestMethod]
        public void StepKeepsAColumnWhoseUpdateVanishes()
        {
            const int n = 3;
            float[] w = { 1, 0, 0, 0, 1, 0 };
            // Column 0's update W_0 − ζg_0 is exactly zero; column 1 moves.
            float[] g = { 0.5f, 0, 0, 0, 0, -1 };
            var result = new float[6];
            AutoencoderTrainer.Step(w, g, 2f, n, result);
            CollectionAssert.AreEqual(new float[] { 1, 0, 0 }, result.AsSpan(0, 3).ToArray());
            Assert.AreEqual(1 / Math.Sqrt(5), result[4], 1e-6);
            Assert.AreEqual(2 / Math.Sqrt(5), result[5], 1e-6);
        }

        [TestMethod]
        public void DivergenceGuardUndoesAHugeStepAndHalvesTheRate()
        {
            const int n = 50, m = 4, count = 1000;
            var random = new Random(11);
            var a = TestData.RandomDictionary(n, m, random);
            var (rows, _) = TestData.Mixture(a, n, m, count, 0.01, random);
            var monitor = new TestMonitor();
            var settings = new TrainerSettings
            {
                HiddenUnits = m, Activation = AutoencoderActivation.HardThreshold, Threshold = 0.5f, InitialBias = 0, BiasDecay = 1,
                LearningRate = 1e6f, MaximumNumberOfIterations = 5, Initialization = WeightInitialization.Given,
                InitialWeights = Perturbed(a, n, 0.1, random), Seed = 1,
            };
            var (model, history) = AutoencoderTrainer.Train(new DenseRows(rows, count, n), settings, monitor);

            var undone = history.Iterations.Where(e => e.Undone).ToList();
            Assert.IsNotEmpty(undone, "a step of size 1e6 must be undone");
            Assert.HasCount(undone.Count, monitor.Warnings);
            var accepted = history.Iterations.Where(e => !e.Undone).ToList();
            Assert.HasCount(6, accepted, "undone attempts do not use up iterations");
            Assert.IsLessThan(1e6f, accepted.Last().LearningRate);
            Assert.AreEqual(1e6f / Math.Pow(2, undone.Count), accepted.Last().LearningRate, 1e-3);
            for (int s = 1; s < accepted.Count; s++)
                Assert.IsLessThanOrEqualTo(2 * accepted[s - 1].Loss, accepted[s].Loss);
            Assert.IsTrue(model.GetWeights().All(c => c.All(float.IsFinite)));
        }

        [TestMethod]
        public void SmallLossIncreasesAreNotTreatedAsDivergence()
        {
            // ReLU with a halving bias at ζ = m: the loss rises by less than 2× at step 4 (seen: 0.0198 → 0.0288).
            // The guard must leave such a run exactly as it would be without any guard.
            const int n = 60, m = 5, count = 3000;
            var random = new Random(21);
            var a = TestData.RandomDictionary(n, m, random);
            var (rows, _) = TestData.Mixture(a, n, m, count, 0.02, random);
            float[] start = Perturbed(a, n, 0.5, random);
            TrainerSettings Settings(double factor) => new TrainerSettings
            {
                HiddenUnits = m, Activation = AutoencoderActivation.Relu, Threshold = 0.5f, InitialBias = -0.5f, BiasDecay = 2,
                LearningRate = m, MaximumNumberOfIterations = 4, Initialization = WeightInitialization.Given, InitialWeights = start, Seed = 1,
                DivergenceFactor = factor,
            };
            var data = new DenseRows(rows, count, n);
            var (guarded, history) = AutoencoderTrainer.Train(data, Settings(2), new TestMonitor());
            var (unguarded, _) = AutoencoderTrainer.Train(data, Settings(double.MaxValue), new TestMonitor());

            var losses = history.Iterations.Select(e => e.Loss).ToArray();
            Assert.IsTrue(Enumerable.Range(1, losses.Length - 1).Any(s => losses[s] > losses[s - 1]), "the run must contain a loss increase");
            Assert.IsFalse(history.Iterations.Any(e => e.Undone));
            CollectionAssert.AreEqual(unguarded.GetWeights().SelectMany(c => c).ToArray(), guarded.GetWeights().SelectMany(c => c).ToArray());
        }
    }
}
