using System;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Initialization
{
    /// <summary>
    /// The parts of <see cref="WeightInitialization.Spectral"/> that make sparse codes recoverable from scratch: the
    /// consolidation after polishing and the residual search after the pair budget. The non-negative model is tested at
    /// the size (one seed of the 20-seed targets, ≈ 25 s): at smaller sizes it is not recovered, see
    /// docs/recovery-from-scratch.md.
    /// </summary>
    [TestClass]
    public sealed class SpectralAcceptanceTests
    {
        private static (DenseRows Rows, float[][] Truth, BilinearModelDataView View) Generate(LatentCodeModel model, int n, int m, int k, int rows, int seed)
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
            return (new DenseRows(values, rows, n), view.Dictionary, view);
        }

        private static double MaxColumnError(float[] weights, float[][] truth, bool allowSignFlips)
        {
            int n = truth[0].Length;
            var columns = Enumerable.Range(0, weights.Length / n).Select(i => weights.AsSpan(i * n, n).ToArray()).ToArray();
            return DictionaryRecovery.Evaluate(columns, truth, allowSignFlips).MaxColumnError;
        }

        [TestMethod]
        public void ResidualSearchFindsTheAtomsAnExhaustedPairBudgetMissed()
        {
            // 150 pairs find only part of the 64 atoms; before the residual search the rest were completed from data rows,
            // which are sums of k atoms, not atoms.
            const int n = 64, m = 64, k = 3;
            var (rows, truth, _) = Generate(LatentCodeModel.SparseCoding, n, m, k, rows: 10000, seed: 21);
            var (weights, report) = SpectralInitializer.Create(rows, m, new SpectralSettings { MaxPairs = 150, ExpectedSparsity = k }, seed: 2, numberOfThreads: 2);
            Assert.IsGreaterThan(0, report.ResidualColumns, report.ToString());
            Assert.AreEqual(0, report.CompletedColumns, report.ToString());
            Assert.IsLessThan(0.25, MaxColumnError(weights, truth, allowSignFlips: true), report.ToString());
        }

        private static double RecoverFromScratch(LatentCodeModel model, int seed)
        {
            const int n = 64, m = 64, k = 3;
            var (_, truth, view) = Generate(model, n, m, k, rows: 10000, seed: seed);
            bool nonNegative = model == LatentCodeModel.NonNegativeSparseCoding;
            var transformer = new MLContext(seed: 1).Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                HiddenUnits = m, Activation = AutoencoderActivation.HardThreshold, Threshold = 0.5f, InitialBias = 0, BiasDecay = 1,
                ExpectedSparsity = k, LearningRate = nonNegative ? 1f : 0.5f * m / k, MaximumNumberOfIterations = 20,
                Initialization = WeightInitialization.Spectral, Seed = 5, FinalRefitIterations = 3,
            }).Fit(view);
            return DictionaryRecovery.Evaluate(transformer.Model.GetWeights(), truth, allowSignFlips: !nonNegative).MaxColumnError;
        }

        [TestMethod]
        public void SparseCodingIsRecoveredFromScratch()
        {
            Assert.IsLessThanOrEqualTo(0.1, RecoverFromScratch(LatentCodeModel.SparseCoding, seed: 21));
        }

        [TestMethod]
        public void NonNegativeSparseCodingIsRecoveredFromScratchThroughTheEstimator()
        {
            // The non-negative target, seed 0 of the 20-seed table: n = 100, m = 150, k = 4, x ∈ [0.5, 1.5].
            var ml = new MLContext(seed: 0);
            var data = ml.Data.LoadFromBilinearModel(new BilinearModelOptions
            {
                FeatureCount = 100, AtomCount = 150, LatentCodeModel = LatentCodeModel.NonNegativeSparseCoding, Sparsity = 4,
                NoiseStandardDeviation = 0.01f, ValueLowerBound = 0.5f, ValueUpperBound = 1.5f, Seed = 1000,
            }, 20_000);
            var model = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                HiddenUnits = 150, Activation = AutoencoderActivation.HardThreshold, Threshold = 0.5f, InitialBias = 0, BiasDecay = 1,
                ExpectedSparsity = 4, LearningRate = 1, MaximumNumberOfIterations = 50, Initialization = WeightInitialization.Spectral, Seed = 0,
                FinalRefitIterations = 3,
            }).Fit(data);

            var report = model.History.Initialization!;
            Assert.AreEqual(0, report.CompletedColumns, report.ToString());
            var metrics = DictionaryRecovery.Evaluate(model.Model.GetWeights(), data.Dictionary, allowSignFlips: false);
            Assert.IsLessThanOrEqualTo(0.1, metrics.MaxColumnError, $"largest column error; {report}");
        }
    }
}
