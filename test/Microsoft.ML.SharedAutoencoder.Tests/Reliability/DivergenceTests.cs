using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>A run whose loss cannot be brought back by the divergence guard stops with the last good iteration.</summary>
    [TestClass]
    public sealed class DivergenceTests
    {
        private const int N = 10, M = 3, Count = 300;

        private static TrainerSettings Settings(int halvings = 4, double divergenceFactor = 2) => new()
        {
            HiddenUnits = M, Activation = AutoencoderActivation.Relu, Threshold = 0.5f, InitialBias = -0.1f, BiasDecay = 2,
            LearningRate = M, MaximumNumberOfIterations = 20, Initialization = WeightInitialization.Random, Seed = 2,
            MaxLearningRateHalvings = halvings, DivergenceFactor = divergenceFactor,
        };

        private static DenseRows Rows() => new(ReliabilityData.Flatten(ReliabilityData.Mixture(N, M, Count, seed: 9)), Count, N);

        [TestMethod]
        public void AFiniteRiseNoStepSizeRemovesIsKeptOnceTheStepNoLongerMovesW()
        {
            // A divergence factor far below 1 rejects every step, whatever ζ: like a rise caused by the bias schedule
            // b ← b/C, which halving ζ cannot undo. Once ζ/2³⁰ no longer moves W the step is kept (with a warning) and
            // the next iteration starts again from the full learning rate, instead of failing the whole run.
            var monitor = new TestMonitor();
            var settings = Settings(halvings: 30, divergenceFactor: 1e-9);
            var (model, history) = AutoencoderTrainer.Train(Rows(), settings, monitor);
            var accepted = history.Iterations.Where(e => !e.Undone).ToList();
            Assert.HasCount(21, accepted);
            Assert.IsTrue(accepted.Skip(1).All(e => e.LearningRate == M / MathF.Pow(2, 30)), "each kept step was made with ζ / 2³⁰");
            Assert.AreEqual(20 * 30, history.Iterations.Count(e => e.Undone));
            Assert.AreEqual(20, monitor.Warnings.Count(w => w.Contains("the step is kept")));
            Assert.IsTrue(model.GetWeights().All(c => c.All(float.IsFinite)));
        }

        [TestMethod]
        public void ARiseThatPersistsWhileTheStepStillMovesWIsDivergence()
        {
            // With only 4 halvings ζ/16 still moves W: the rise is the step's fault, so training stops and says so.
            var monitor = new TestMonitor();
            var error = Assert.Throws<InvalidOperationException>(() => AutoencoderTrainer.Train(Rows(), Settings(halvings: 4, divergenceFactor: 1e-9), monitor));
            Console.WriteLine(error.Message);
            StringAssert.Contains(error.Message, "halving the learning rate 4 times");
            StringAssert.Contains(error.Message, "The last good iteration was 0");
            Assert.HasCount(4, monitor.Warnings);
        }

        [TestMethod]
        public void LossTurningNonFiniteAfterIterationKReportsK()
        {
            // After three accepted steps the data turn into values whose loss overflows float32: every further step is
            // non-finite whatever ζ, so training must stop and name iteration 3 (and its loss) as the last good one.
            const int k = 3;
            var rows = Rows();
            var monitor = new TestMonitor
            {
                OnIterationStart = check =>
                {
                    // Check 0 is before the initial pass; check i (i ≥ 1) starts iteration i.
                    if (check == k + 1)
                        Array.Fill(rows.Values, 1e30f);
                },
            };
            var error = Assert.Throws<InvalidOperationException>(() => AutoencoderTrainer.Train(rows, Settings(), monitor));
            Console.WriteLine(error.Message);
            StringAssert.Contains(error.Message, $"The last good iteration was {k} (loss ");
            var lastInfo = monitor.Infos.Last();
            StringAssert.StartsWith(lastInfo, $"Iteration {k}/20: loss ");
            string loss = Regex.Match(lastInfo, @"loss ([^,]+),").Groups[1].Value;
            StringAssert.Contains(error.Message, $"(loss {loss})", "the reported loss is that of the last accepted iteration");
            StringAssert.Contains(error.Message, "largest feature magnitude is 1E+30");
        }

        [TestMethod]
        public void APerfectFitNeitherDivergesNorMoves()
        {
            // Found by PropertyTests: data made of W⁰'s own columns give loss 0; every step's rounding (≈1e-15) is then
            // "more than 2× the previous loss", so the guard used to halve ζ 30 times and report divergence.
            // The case it found: the data's dictionary and W⁰ come from the same seed, and σ ≈ 0, so the rows are W⁰'s columns.
            var shape = new PropertyTests.Shape(9, 5, 4, 1, AutoencoderActivation.HardThreshold, WeightInitialization.Random, 0.3442623f, 2.421E-75, 357099);
            const int n = 9, m = 5;
            var rows = new DenseRows(shape.Data(), shape.Rows, n);
            var settings = new TrainerSettings
            {
                HiddenUnits = m, Activation = AutoencoderActivation.HardThreshold, Threshold = shape.Lambda, BiasDecay = 1, LearningRate = m,
                MaximumNumberOfIterations = 5, Initialization = WeightInitialization.Random, Seed = shape.Seed,
            };
            float[] w = WeightInitializer.Create(settings, rows, new Random(shape.Seed));
            var monitor = new TestMonitor();
            var (model, history) = AutoencoderTrainer.Train(rows, settings, monitor);
            // The fused kernel leaves a rounding-level loss (≈1e-15) rather than exactly 0; either way the fit is perfect.
            Assert.IsLessThan(1e-12, history.Iterations[0].Loss);
            Assert.IsTrue(history.Iterations.All(e => e.Loss < 1e-12), "the loss stays at rounding level");
            if (history.Iterations[0].Loss == 0)
            {
                Assert.AreEqual(TrainingStopReason.Converged, history.StopReason);
                Assert.HasCount(1, history.Iterations);
            }
            Assert.IsEmpty(monitor.Warnings, string.Join("; ", monitor.Warnings));
            float[] final = ReliabilityData.Flatten(model.GetWeights());
            for (int j = 0; j < w.Length; j++)
                Assert.AreEqual(w[j], final[j], 1e-5f, $"weight {j}");
        }

        [TestMethod]
        public void ALossThatCreepsUpOverManyAcceptedStepsIsReported()
        {
            // Rows of norm ≈ 5 (the paper's A_i ~ N(0, I/√n) read literally) with ζ = m: each step raises the loss by
            // less than the guard's 2×, but the run ends far above its best.
            const int n = 64, m = 5, count = 2000;
            var random = new Random(11);
            var (rows, _) = TestData.Mixture(TestData.RandomDictionary(n, m, random), n, m, count, 0.01, random);
            for (int j = 0; j < rows.Length; j++)
                rows[j] *= 5.3f;
            var settings = new TrainerSettings
            {
                HiddenUnits = m, Activation = AutoencoderActivation.Relu, InitialBias = -1.25f, BiasDecay = 2, LearningRate = m,
                MaximumNumberOfIterations = 50, Initialization = WeightInitialization.Random, Seed = 3,
            };
            var monitor = new TestMonitor();
            var (_, history) = AutoencoderTrainer.Train(new DenseRows(rows, count, n), settings, monitor);

            var accepted = history.Iterations.Where(e => !e.Undone).ToList();
            double lowest = accepted.Min(e => e.Loss);
            Assert.IsGreaterThan(2 * lowest, accepted[^1].Loss, "the scenario must creep above 2× its lowest loss");
            Assert.IsTrue(monitor.Warnings.Any(w => w.Contains("its lowest value", StringComparison.Ordinal)), string.Join("; ", monitor.Warnings));
        }

        [TestMethod]
        public void HugeLearningRateThroughTheEstimatorNeverReturnsNaN()
        {
            // Normalized steps keep W on the unit sphere, so even ζ = float.MaxValue gives a finite model or a clear error.
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, Count, seed: 9), N);
            var options = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = M, MaximumNumberOfIterations = 10, Seed = 1, LearningRate = float.MaxValue };
            var model = ml.Transforms.SharedAutoencoder(options).Fit(data);
            Assert.IsTrue(model.Model.GetWeights().All(c => c.All(float.IsFinite)));
            Assert.IsTrue(model.History.Iterations.Where(e => !e.Undone).All(e => double.IsFinite(e.Loss)));
            Assert.IsTrue(ReliabilityData.Codes(model.Transform(data)).All(c => c.All(float.IsFinite)));
        }
    }
}
