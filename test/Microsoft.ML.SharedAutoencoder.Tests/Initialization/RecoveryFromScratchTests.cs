using System;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Initialization
{
    [TestClass]
    public sealed class RecoveryFromScratchTests
    {
        private static (DenseRows Rows, float[][] Truth, BilinearModelDataView View) Generate(LatentCodeModel model, int n, int m, int k, int rows, float sigma, int seed,
            float lower = 1f, float upper = 2f)
        {
            var view = new MLContext(seed: 1).Data.LoadFromBilinearModel(new BilinearModelOptions
            {
                FeatureCount = n, AtomCount = m, LatentCodeModel = model, Sparsity = k, NoiseStandardDeviation = sigma,
                ValueLowerBound = lower, ValueUpperBound = upper, Seed = seed,
            }, rows);
            var values = new float[rows * n];
            for (int t = 0; t < rows; t++)
                view.GetFeatures(t).CopyTo(values, t * n);
            return (new DenseRows(values, rows, n), view.Dictionary, view);
        }

        /// <summary>Truth columns with a learned column within <paramref name="distance"/> (up to sign when allowed).</summary>
        private static int Recovered(float[] weights, float[][] truth, double distance, bool allowSignFlips)
        {
            int n = truth[0].Length;
            int m = weights.Length / n;
            int count = 0;
            foreach (float[] atom in truth)
            {
                double best = double.MaxValue;
                for (int i = 0; i < m; i++)
                {
                    double dot = 0;
                    for (int j = 0; j < n; j++)
                        dot += weights[i * n + j] * atom[j];
                    double d = Math.Sqrt(Math.Max(0, 2 - 2 * (allowSignFlips ? Math.Abs(dot) : dot)));
                    best = Math.Min(best, d);
                }
                if (best <= distance)
                    count++;
            }
            return count;
        }

        [TestMethod]
        public void SpectralFindsTheAtomsOfASmallSparseCodingProblem()
        {
            const int n = 80, m = 40;
            var (rows, truth, _) = Generate(LatentCodeModel.SparseCoding, n, m, k: 3, rows: 12000, sigma: 0.01f, seed: 5);
            var (weights, report) = SpectralInitializer.Create(rows, m, new SpectralSettings { MaxPairs = 1500 }, seed: 3, numberOfThreads: 2);
            Assert.IsGreaterThanOrEqualTo(m - 1, Recovered(weights, truth, 0.2, allowSignFlips: true), report.ToString());
            Assert.IsGreaterThanOrEqualTo(m - 1, report.FoundColumns);
            Assert.AreEqual(m, report.FoundColumns + report.CompletedColumns);
            Assert.IsLessThanOrEqualTo(1500, report.PairsTried);
        }

        [TestMethod]
        public void SpectralFindsAndOrientsTheComponentsOfASmallMixture()
        {
            const int n = 100, m = 8;
            var (rows, truth, _) = Generate(LatentCodeModel.MixtureOfGaussians, n, m, k: 1, rows: 3000, sigma: 0.02f, seed: 9);
            var (weights, report) = SpectralInitializer.Create(rows, m, new SpectralSettings { MaxPairs = 400 }, seed: 1, numberOfThreads: 2);
            // No sign flips allowed: the orientation rule must point every component the right way.
            Assert.IsGreaterThanOrEqualTo(m - 1, Recovered(weights, truth, 0.2, allowSignFlips: false), report.ToString());
        }

        [TestMethod]
        public void SpectralIsDeterministicAndReportedThroughTheEstimator()
        {
            const int n = 60, m = 6;
            var (_, truth, view) = Generate(LatentCodeModel.MixtureOfGaussians, n, m, k: 1, rows: 2000, sigma: 0.02f, seed: 2);
            SharedAutoencoderTransformer Fit(int threads) => new MLContext(seed: 1).Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                HiddenUnits = m, Activation = AutoencoderActivation.HardThreshold, MaximumNumberOfIterations = 5, Initialization = WeightInitialization.Spectral,
                Seed = 4, NumberOfThreads = threads,
            }).Fit(view);
            var one = Fit(1);
            var two = Fit(2);
            CollectionAssert.AreEqual(one.Model.WeightsUnitMajor.ToArray(), two.Model.WeightsUnitMajor.ToArray());
            InitializationReport report = one.History.Initialization!;
            Assert.AreEqual(WeightInitialization.Spectral, report.Method);
            Assert.AreEqual(m, report.FoundColumns, report.ToString());
            Assert.IsLessThan(0.05, DictionaryRecovery.Evaluate(one.Model.GetWeights(), truth, allowSignFlips: false).MaxColumnError);
        }

        [TestMethod]
        public void SamplesPicksDistinctNormalizedRowsDeterministically()
        {
            const int n = 20, m = 12;
            var (rows, _, _) = Generate(LatentCodeModel.MixtureOfGaussians, n, 4, k: 1, rows: 300, sigma: 0.1f, seed: 1);
            float[] first = SamplesInitializer.Create(rows, m, new Random(7));
            float[] again = SamplesInitializer.Create(rows, m, new Random(7));
            float[] other = SamplesInitializer.Create(rows, m, new Random(8));
            CollectionAssert.AreEqual(first, again);
            CollectionAssert.AreNotEqual(first, other);

            var chosen = new int[m];
            for (int i = 0; i < m; i++)
            {
                var column = first.AsSpan(i * n, n).ToArray();
                Assert.AreEqual(1.0, Math.Sqrt(column.Sum(v => (double)v * v)), 1e-5);
                chosen[i] = Enumerable.Range(0, rows.RowCount).Single(t =>
                {
                    var row = rows.Row(t).ToArray();
                    double norm = Math.Sqrt(row.Sum(v => (double)v * v));
                    return row.Select((v, j) => Math.Abs(v / norm - column[j])).Max() < 1e-6;
                });
            }
            Assert.HasCount(m, chosen.Distinct());
        }

        [TestMethod]
        public void SamplesSpreadsOverTheComponentsOfAMixture()
        {
            const int n = 50, m = 5;
            var (rows, truth, _) = Generate(LatentCodeModel.MixtureOfGaussians, n, m, k: 1, rows: 1000, sigma: 0.01f, seed: 3);
            float[] weights = SamplesInitializer.Create(rows, m, new Random(1));
            // With D² seeding, picking two rows of one well-separated component has tiny probability.
            Assert.AreEqual(m, Recovered(weights, truth, 0.2, allowSignFlips: false));
        }

        private static (IDataView Data, float[][] Truth, float[][] Start) DeadUnitProblem()
        {
            const int n = 50, m = 4;
            var (_, truth, view) = Generate(LatentCodeModel.MixtureOfGaussians, n, m, k: 1, rows: 2000, sigma: 0.01f, seed: 11);
            var random = new Random(5);
            var start = truth.Select(c => c.Select(v => v + (float)(0.3 * TestData.Normal(random) / Math.Sqrt(n))).ToArray()).ToArray();
            // Unit 3 starts orthogonal to every atom: |⟨w, y⟩| stays far below λ = ½, so it never fires.
            float[] orthogonal = Enumerable.Range(0, n).Select(_ => (float)TestData.Normal(random)).ToArray();
            for (int i = 0; i < m; i++)
            {
                double dot = orthogonal.Zip(truth[i], (a, b) => (double)a * b).Sum();
                for (int j = 0; j < n; j++)
                    orthogonal[j] -= (float)(dot * truth[i][j]);
            }
            start[3] = orthogonal;
            return (view, truth, start);
        }

        private static SharedAutoencoderTransformer FitDeadUnitProblem(IDataView data, float[][] start, bool? reseed)
        {
            var options = new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                HiddenUnits = 4, Activation = AutoencoderActivation.HardThreshold, MaximumNumberOfIterations = 10,
                Initialization = WeightInitialization.Given, InitialWeights = start, NumberOfThreads = 1,
            };
            if (reseed.HasValue)
                options.ReseedDeadUnits = reseed.Value;
            return new MLContext(seed: 1).Transforms.SharedAutoencoder(options).Fit(data);
        }

        [TestMethod]
        public void DeadUnitReseedingRevivesAUnitThatNeverFires()
        {
            var (data, truth, start) = DeadUnitProblem();
            var plain = FitDeadUnitProblem(data, start, reseed: null);
            var revived = FitDeadUnitProblem(data, start, reseed: true);

            Assert.AreEqual(1, plain.History.Iterations[^1].DeadUnits);
            Assert.IsGreaterThan(1.0, DictionaryRecovery.Evaluate(plain.Model.GetWeights(), truth, allowSignFlips: false).MaxColumnError);
            Assert.AreEqual(1, revived.History.Iterations[0].DeadUnits, "the initial pass sees the dead unit");
            Assert.AreEqual(0, revived.History.Iterations[^1].DeadUnits);
            Assert.IsLessThan(0.05, DictionaryRecovery.Evaluate(revived.Model.GetWeights(), truth, allowSignFlips: false).MaxColumnError);
        }

        [TestMethod]
        public void DeadUnitReseedingIsOffByDefaultAndInertWithoutDeadUnits()
        {
            var (data, _, start) = DeadUnitProblem();
            var byDefault = FitDeadUnitProblem(data, start, reseed: null);
            // Off by default: the dead unit keeps its (normalized) initial column exactly — no gradient ever reaches it.
            float[] initial = start[3].ToArray();
            WeightInitializer.NormalizeInPlace(initial);
            CollectionAssert.AreEqual(initial, byDefault.Model.GetWeights()[3]);

            // With no dead unit the hook does nothing: the run is identical bit for bit.
            var alive = start.Take(3).Append(start[0].Select(v => -v).ToArray()).ToArray();
            var off = FitDeadUnitProblem(data, alive, reseed: null);
            var on = FitDeadUnitProblem(data, alive, reseed: true);
            Assert.IsTrue(off.History.Iterations.All(e => e.DeadUnits == 0));
            CollectionAssert.AreEqual(off.Model.WeightsUnitMajor.ToArray(), on.Model.WeightsUnitMajor.ToArray());
        }

        [TestMethod]
        public void FinalRefitRemovesTheBiasOfTheGradientFixedPoint()
        {
            const int n = 60, m = 80, k = 3;
            var (_, truth, view) = Generate(LatentCodeModel.SparseCoding, n, m, k, rows: 8000, sigma: 0.01f, seed: 21);
            var random = new Random(2);
            var start = truth.Select(c => c.Select(v => v + (float)(0.6 * TestData.Normal(random) / Math.Sqrt(n))).ToArray()).ToArray();
            SharedAutoencoderTransformer Fit(int refit) => new MLContext(seed: 1).Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                HiddenUnits = m, Activation = AutoencoderActivation.HardThreshold, ExpectedSparsity = k, LearningRate = 0.3f * m / k,
                MaximumNumberOfIterations = 25, Initialization = WeightInitialization.Given, InitialWeights = start, FinalRefitIterations = refit,
                GroundTruthDictionary = truth, GroundTruthAllowsSignFlips = true,
            }).Fit(view);
            var plain = Fit(0);
            var refit = Fit(3);
            double plateau = plain.History.Iterations[^1].MaxColumnError!.Value;
            double debiased = refit.History.Iterations[^1].MaxColumnError!.Value;
            Assert.IsGreaterThan(0.1, plateau, "the plain update stalls away from A");
            Assert.IsLessThan(0.05, debiased);
            Assert.IsLessThan(plateau / 3, debiased);
            // The refit rounds are recorded after the gradient steps with learning rate 0.
            Assert.HasCount(plain.History.Iterations.Count + 3, refit.History.Iterations);
            Assert.IsTrue(refit.History.Iterations.TakeLast(3).All(e => e.LearningRate == 0 && !e.Undone));
        }

        [TestMethod]
        public void RecoveryOptionsAreValidated()
        {
            var ml = new MLContext(seed: 1);
            void Rejects(string name, Action<SharedAutoencoderEstimator.Options> set)
            {
                var options = new SharedAutoencoderEstimator.Options();
                set(options);
                var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SharedAutoencoder(options));
                StringAssert.Contains(error.Message, name);
            }
            Rejects(nameof(SharedAutoencoderEstimator.Options.SpectralMinimumGapRatio), o => o.SpectralMinimumGapRatio = 1);
            Rejects(nameof(SharedAutoencoderEstimator.Options.SpectralMinimumGapRatio), o => o.SpectralMinimumGapRatio = double.NaN);
            Rejects(nameof(SharedAutoencoderEstimator.Options.SpectralMinimumTraceFraction), o => o.SpectralMinimumTraceFraction = -0.1);
            Rejects(nameof(SharedAutoencoderEstimator.Options.SpectralMinimumTraceFraction), o => o.SpectralMinimumTraceFraction = 1.5);
            Rejects(nameof(SharedAutoencoderEstimator.Options.SpectralDuplicateDistance), o => o.SpectralDuplicateDistance = 0);
            Rejects(nameof(SharedAutoencoderEstimator.Options.SpectralDuplicateDistance), o => o.SpectralDuplicateDistance = 1.5);
            Rejects(nameof(SharedAutoencoderEstimator.Options.SpectralMaximumPairs), o => o.SpectralMaximumPairs = 0);
            Rejects(nameof(SharedAutoencoderEstimator.Options.SpectralSampleCount), o => o.SpectralSampleCount = 1);
            Rejects(nameof(SharedAutoencoderEstimator.Options.FinalRefitIterations), o => o.FinalRefitIterations = -1);
            Rejects(nameof(SharedAutoencoderEstimator.Options.FinalRefitIterations), o => o.FinalRefitIterations = 101);

            var defaults = new SharedAutoencoderEstimator.Options();
            Assert.IsFalse(defaults.ReseedDeadUnits);
            Assert.AreEqual(0, defaults.FinalRefitIterations);
            Assert.AreEqual(1.5, defaults.SpectralMinimumGapRatio);
            Assert.AreEqual(0.02, defaults.SpectralMinimumTraceFraction);
            Assert.AreEqual(0.5, defaults.SpectralDuplicateDistance);
        }
    }
}
