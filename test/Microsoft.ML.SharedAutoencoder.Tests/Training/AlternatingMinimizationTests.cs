using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Microsoft.ML.SharedAutoencoder.Tests.Training
{
    /// <summary>
    /// <see cref="SharedAutoencoderEstimator.Options.AlternatingMinimizationIterations"/>: a hard-regime problem that the
    /// spectral start with gradient descent and refits does not recover and alternating minimization does, the same
    /// result on any thread count with atoms replaced, and the validation of the two options.
    /// </summary>
    [TestClass]
    public sealed class AlternatingMinimizationTests
    {
        /// <summary>
        /// k-sparse ± codes, n = 64, m = 96, k = 2, N = 6,000, σ = 0.01 (dictionary and rows from seed 1000): a cell of the
        /// issue 17 heat maps (where today's recipe recovers 4 of 10 seeds) with fewer rows, fast enough for a unit test.
        /// </summary>
        private static BilinearModelDataView HardProblem(MLContext ml) => ml.Data.LoadFromBilinearModel(new BilinearModelOptions
        {
            FeatureCount = 64, AtomCount = 96, LatentCodeModel = LatentCodeModel.SparseCoding, Sparsity = 2,
            NoiseStandardDeviation = 0.01f, ValueLowerBound = 1f, ValueUpperBound = 2f, Seed = 1000,
        }, 6000);

        /// <summary>The experiments' recipe (hard threshold, b = 0, ζ = 0.5·m/k, 3 refits) with a cheap, centered pair search.</summary>
        private static SharedAutoencoderEstimator.Options Recipe(int steps, int alternatingRounds, int threads = 2) => new()
        {
            Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,  // the paper's settings
            HiddenUnits = 96, Activation = AutoencoderActivation.HardThreshold, Threshold = 0.5f, InitialBias = 0, BiasDecay = 1,
            ExpectedSparsity = 2, LearningRate = 0.5f * 96 / 2, MaximumNumberOfIterations = steps, FinalRefitIterations = 3,
            Initialization = WeightInitialization.Spectral, SpectralMaximumPairs = 300, SpectralCenterData = true, Seed = 0,
            NumberOfThreads = threads, AlternatingMinimizationIterations = alternatingRounds,
        };

        private static DictionaryRecoveryMetrics FitAndEvaluate(SharedAutoencoderEstimator.Options options)
        {
            var ml = new MLContext(seed: 0);
            var data = HardProblem(ml);
            var model = ml.Transforms.SharedAutoencoder(options).Fit(data);
            return DictionaryRecovery.Evaluate(model.Model.GetWeights(), data.Dictionary, allowSignFlips: true);
        }

        [TestMethod]
        public void AHardRegimeProblemThatDescentAndRefitsMissIsRecoveredByAlternatingMinimization()
        {
            var today = FitAndEvaluate(Recipe(steps: 50, alternatingRounds: 0));
            var withoutDescent = FitAndEvaluate(Recipe(steps: 0, alternatingRounds: 0));
            var alternating = FitAndEvaluate(Recipe(steps: 0, alternatingRounds: 30));

            Assert.IsTrue(today.MaxColumnError > 0.1, $"today's recipe was expected to fail here, max column error {today.MaxColumnError:F3}");
            Assert.IsTrue(withoutDescent.MaxColumnError > 0.1, $"the spectral start with refits alone was expected to fail, max column error {withoutDescent.MaxColumnError:F3}");
            Assert.IsTrue(alternating.MaxColumnError <= 0.1, $"alternating minimization should recover every atom, max column error {alternating.MaxColumnError:F3}");
            Assert.AreEqual(96, alternating.ColumnErrors.Count(e => e <= 0.1));
            // At the statistical floor, not merely under the threshold: σ = 0.01 leaves column errors of order 0.01.
            Assert.IsTrue(alternating.MaxColumnError < 0.03, $"max column error {alternating.MaxColumnError:F4}");
        }

        [TestMethod]
        public void AlternatingMinimizationWithReplacementIsBitIdenticalOnOneAndTwoThreads()
        {
            // Samples on ± codes seeds +A_i and −A_i as two columns (duplicates), so atoms are replaced in the first rounds.
            float[] Train(int threads, List<string> log)
            {
                var ml = new MLContext(seed: 0);
                ml.Log += (_, e) => { if (e.Message.Contains("Alternating minimization", StringComparison.Ordinal)) log.Add(e.Message); };
                var data = ml.Data.LoadFromBilinearModel(new BilinearModelOptions
                {
                    FeatureCount = 24, AtomCount = 32, LatentCodeModel = LatentCodeModel.SparseCoding, Sparsity = 2,
                    NoiseStandardDeviation = 0.01f, ValueLowerBound = 1f, ValueUpperBound = 2f, Seed = 7,
                }, 2500);
                var model = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
                {
                    Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,  // the paper's settings
                    HiddenUnits = 32, Activation = AutoencoderActivation.HardThreshold, InitialBias = 0, BiasDecay = 1, ExpectedSparsity = 2,
                    Initialization = WeightInitialization.Samples, MaximumNumberOfIterations = 0, AlternatingMinimizationIterations = 8,
                    Seed = 3, NumberOfThreads = threads,
                }).Fit(data);
                return model.Model.GetWeights().SelectMany(c => c).ToArray();
            }

            var oneLog = new List<string>();
            var twoLog = new List<string>();
            float[] one = Train(1, oneLog);
            float[] two = Train(2, twoLog);
            CollectionAssert.AreEqual(one, two);
            CollectionAssert.AreEqual(oneLog, twoLog);
            Assert.IsTrue(oneLog.Count is > 0 and <= 8, $"{oneLog.Count} rounds");
            int replaced = oneLog.Sum(line => int.Parse(Regex.Match(line, @"(\d+) atom\(s\) replaced").Groups[1].Value));
            Assert.IsTrue(replaced > 0, "the case should exercise atom replacement: " + string.Join(" | ", oneLog));
            if (oneLog.Count == 8)
                Assert.IsTrue(oneLog.Skip(8 - 3).All(line => line.Contains(", 0 atom(s) replaced", StringComparison.Ordinal)), "no replacement in the last 3 rounds");
        }

        [TestMethod]
        [DataRow(-1)]
        [DataRow(1001)]
        public void RoundsOutsideTheRangeAreRefusedWithTheRange(int rounds)
        {
            var options = new SharedAutoencoderEstimator.Options { HiddenUnits = 3, AlternatingMinimizationIterations = rounds };
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(1).Transforms.SharedAutoencoder(options));
            Assert.AreEqual(nameof(SharedAutoencoderEstimator.Options.AlternatingMinimizationIterations), error.ParamName);
            StringAssert.Contains(error.Message, "must be in [0, 1000]");
            StringAssert.Contains(error.Message, $"got {rounds}");
        }

        [TestMethod]
        public void ReplacementWithoutAlternatingMinimizationIsRefusedWithTheFix()
        {
            var options = new SharedAutoencoderEstimator.Options { HiddenUnits = 3, ReplaceUnusedAtoms = true };
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(1).Transforms.SharedAutoencoder(options));
            Assert.AreEqual(nameof(SharedAutoencoderEstimator.Options.ReplaceUnusedAtoms), error.ParamName);
            StringAssert.Contains(error.Message, "set AlternatingMinimizationIterations > 0");
        }

        [TestMethod]
        public void NonNegativeCodesGiveColumnsOrientedLikeTheAtoms()
        {
            // Least squares fixes a column only up to sign; the code-sum orientation must give +A_i, which the non-negative
            // model's matching (no sign flips) requires.
            var ml = new MLContext(seed: 0);
            var data = ml.Data.LoadFromBilinearModel(new BilinearModelOptions
            {
                FeatureCount = 24, AtomCount = 24, LatentCodeModel = LatentCodeModel.NonNegativeSparseCoding, Sparsity = 2,
                NoiseStandardDeviation = 0.01f, ValueLowerBound = 0.5f, ValueUpperBound = 1.5f, Seed = 5,
            }, 2000);
            var model = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,  // the paper's settings
                HiddenUnits = 24, Activation = AutoencoderActivation.HardThreshold, InitialBias = 0, BiasDecay = 1, ExpectedSparsity = 2,
                Initialization = WeightInitialization.Spectral, SpectralCenterData = true, MaximumNumberOfIterations = 0,
                AlternatingMinimizationIterations = 20, Seed = 1, NumberOfThreads = 1,
            }).Fit(data);
            var metrics = DictionaryRecovery.Evaluate(model.Model.GetWeights(), data.Dictionary, allowSignFlips: false);
            Assert.IsTrue(metrics.MaxColumnError <= 0.1, $"max column error without sign flips {metrics.MaxColumnError:F3}");
        }
    }
}
