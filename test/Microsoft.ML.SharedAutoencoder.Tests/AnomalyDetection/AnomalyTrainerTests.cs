using System;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.AnomalyDetection
{
    /// <summary>The anomaly trainer's score, threshold, evaluation and typed prediction.</summary>
    [TestClass]
    public sealed class AnomalyTrainerTests
    {
        private const int N = 12;

        private static SharedAutoencoderAnomalyTrainer.Options Options(double quantile = 0.99) => new()
        {
            HiddenUnits = 6,
            MaximumNumberOfIterations = 20,
            ThresholdQuantile = quantile,
            Seed = 5,
        };

        [TestMethod]
        public void ScoreIsHalfSquaredResidualOfTheCenteredRow()
        {
            var ml = new MLContext(1);
            var train = AnomalyTestData.Clusters(N, 200, seed: 1);
            var model = ml.AnomalyDetection.Trainers.SharedAutoencoder(Options()).Fit(AnomalyTestData.View(ml, train));
            var test = AnomalyTestData.Clusters(N, 30, seed: 2).Concat(AnomalyTestData.Uniform(N, 30, seed: 3)).ToArray();
            float[] scores = model.Transform(AnomalyTestData.View(ml, test)).GetColumn<float>("Score").ToArray();

            var parameters = model.Model;
            float[] mean = parameters.GetMean();
            float[][] w = parameters.Autoencoder.GetWeights();
            float[] b = parameters.Autoencoder.GetBias();
            Assert.AreNotEqual(0f, mean.Max(), "the model is centered on the training mean");
            for (int t = 0; t < test.Length; t++)
            {
                // The plain loop: y − μ, x = ReLU(Wᵀ(y − μ) + b), ŷ = Wx, ½‖(y − μ) − ŷ‖², in double.
                var y = test[t].Select((v, j) => (double)v - mean[j]).ToArray();
                var x = w.Select((column, i) => Math.Max(0, column.Select((v, j) => v * y[j]).Sum() + b[i])).ToArray();
                double expected = 0;
                for (int j = 0; j < N; j++)
                {
                    double reconstruction = 0;
                    for (int i = 0; i < w.Length; i++)
                        reconstruction += w[i][j] * x[i];
                    expected += (y[j] - reconstruction) * (y[j] - reconstruction);
                }
                expected /= 2;
                Assert.AreEqual(expected, scores[t], 1e-6 * Math.Max(1, expected), $"row {t}");
                Assert.AreEqual(scores[t], parameters.Score(test[t]), "Score(span) is the column's value");
            }
        }

        [TestMethod]
        public void UncenteredScoreIsTheTransformsReconstructionErrorBitForBit()
        {
            var ml = new MLContext(1);
            var train = AnomalyTestData.Clusters(N, 200, seed: 1);
            IDataView trainView = AnomalyTestData.View(ml, train);
            var options = Options();
            options.EnsureZeroMean = false;
            options.Initialization = WeightInitialization.Random;
            var model = ml.AnomalyDetection.Trainers.SharedAutoencoder(options).Fit(trainView);
            var transform = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                HiddenUnits = 6,
                MaximumNumberOfIterations = 20,
                Initialization = WeightInitialization.Random,
                Seed = 5,
                ReconstructionErrorColumnName = "Error",
            }).Fit(trainView);
            CollectionAssert.AreEqual(transform.Model.GetBias(), model.Model.Autoencoder.GetBias(), "the same training, so the same model");

            IDataView test = AnomalyTestData.View(ml, AnomalyTestData.Uniform(N, 50, seed: 3));
            float[] errors = transform.Transform(test).GetColumn<float>("Error").ToArray();
            float[] scores = model.Transform(test).GetColumn<float>("Score").ToArray();
            CollectionAssert.AreEqual(errors.Select(BitConverter.SingleToInt32Bits).ToArray(), scores.Select(BitConverter.SingleToInt32Bits).ToArray());
        }

        [TestMethod]
        public void EvaluateWorksOnTheOutputAndMatchesTheExactAuc()
        {
            var ml = new MLContext(1);
            var model = ml.AnomalyDetection.Trainers.SharedAutoencoder(Options()).Fit(AnomalyTestData.View(ml, AnomalyTestData.Clusters(N, 200, seed: 1)));
            var test = AnomalyTestData.Clusters(N, 40, seed: 2).Concat(AnomalyTestData.Uniform(N, 40, seed: 3)).ToArray();
            float[] labels = Enumerable.Range(0, 80).Select(i => i < 40 ? 0f : 1f).ToArray();
            IDataView scored = model.Transform(AnomalyTestData.View(ml, test, labels));

            AnomalyDetectionMetrics metrics = ml.AnomalyDetection.Evaluate(scored);
            double exact = AnomalyTestData.Auc(scored.GetColumn<float>("Score").ToArray(), labels);
            Assert.AreEqual(exact, metrics.AreaUnderRocCurve, 1e-9);
            Assert.IsTrue(metrics.AreaUnderRocCurve > 0.95, $"uniform noise is far from the clusters: AUC {metrics.AreaUnderRocCurve}");
            Assert.IsTrue(metrics.DetectionRateAtFalsePositiveCount > 0);
        }

        [TestMethod]
        [DataRow(0.9, 20)]
        [DataRow(0.99, 2)]
        [DataRow(0.5, 100)]
        [DataRow(1.0, 0)]
        public void TheThresholdQuantileFlagsTheDocumentedShareOfTrainingRows(double quantile, int flagged)
        {
            var ml = new MLContext(1);
            IDataView train = AnomalyTestData.View(ml, AnomalyTestData.Clusters(N, 200, seed: 1));
            var model = ml.AnomalyDetection.Trainers.SharedAutoencoder(Options(quantile)).Fit(train);
            IDataView scored = model.Transform(train);
            float[] scores = scored.GetColumn<float>("Score").ToArray();
            bool[] predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();

            Assert.AreEqual(200, scores.Distinct().Count(), "distinct training scores, so the count is exact");
            Assert.AreEqual(flagged, predicted.Count(p => p), "N − ⌈q·N⌉ training rows are flagged");
            Assert.AreEqual(scores.OrderBy(s => s).ElementAt((int)Math.Ceiling(Math.Round(quantile * 200, 9)) - 1), model.Model.TrainingThreshold);
            Assert.AreEqual(quantile, model.Model.ThresholdQuantile);
            for (int t = 0; t < scores.Length; t++)
                Assert.AreEqual(scores[t] > model.Model.TrainingThreshold, predicted[t], $"row {t}: PredictedLabel is Score > threshold");
        }

        [TestMethod]
        public void ChangeModelThresholdChangesPredictedLabel()
        {
            var ml = new MLContext(1);
            IDataView train = AnomalyTestData.View(ml, AnomalyTestData.Clusters(N, 200, seed: 1));
            var model = ml.AnomalyDetection.Trainers.SharedAutoencoder(Options()).Fit(train);
            float[] scores = model.Transform(train).GetColumn<float>("Score").ToArray();
            float median = scores.OrderBy(s => s).ElementAt(99);

            var changed = ml.AnomalyDetection.ChangeModelThreshold(model, median);
            bool[] predicted = changed.Transform(train).GetColumn<bool>("PredictedLabel").ToArray();
            Assert.AreEqual(100, predicted.Count(p => p), "half the rows are above the median");
            Assert.AreEqual(2, model.Transform(train).GetColumn<bool>("PredictedLabel").Count(p => p), "the original model keeps its threshold");
        }

        [TestMethod]
        public void PredictionEngineWorksWithTypedClasses()
        {
            var ml = new MLContext(1);
            var train = AnomalyTestData.Clusters(N, 200, seed: 1);
            var model = ml.AnomalyDetection.Trainers.SharedAutoencoder(Options()).Fit(AnomalyTestData.View(ml, train));
            var schema = SchemaDefinition.Create(typeof(AnomalyTestData.Row));
            schema[nameof(AnomalyTestData.Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, N);
            var engine = ml.Model.CreatePredictionEngine<AnomalyTestData.Row, Prediction>(model, inputSchemaDefinition: schema);

            var normal = engine.Predict(new AnomalyTestData.Row { Features = train[3] });
            var odd = engine.Predict(new AnomalyTestData.Row { Features = Enumerable.Repeat(5f, N).ToArray() });
            Assert.AreEqual(model.Model.Score(train[3]), normal.Score);
            Assert.IsFalse(normal.PredictedLabel && normal.Score <= model.Model.TrainingThreshold);
            Assert.IsTrue(odd.PredictedLabel, $"a row far from the data is flagged (score {odd.Score})");
        }

        [TestMethod]
        public void RowsFromTheBilinearModelAreSeparatedFromRowsOffItsSpan()
        {
            var ml = new MLContext(1);
            const int n = 40, atoms = 8;
            var options = new BilinearModelOptions { FeatureCount = n, AtomCount = atoms, Sparsity = 2, NoiseStandardDeviation = 0.01f, Seed = 3 };
            var source = ml.Data.LoadFromBilinearModel(options, 1500);
            float[][] rows = source.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToArray();
            float[][] train = rows.Take(1000).ToArray();
            float[][] normal = rows.Skip(1000).ToArray();
            float[][] off = OffSpan(source.Dictionary, 500, normal.Select(r => Math.Sqrt(r.Sum(v => (double)v * v))).Average(), seed: 4);

            var model = ml.AnomalyDetection.Trainers.SharedAutoencoder(new SharedAutoencoderAnomalyTrainer.Options { HiddenUnits = 16, Seed = 1 })
                .Fit(AnomalyTestData.View(ml, train));
            float[] labels = Enumerable.Repeat(0f, 500).Concat(Enumerable.Repeat(1f, 500)).ToArray();
            var metrics = ml.AnomalyDetection.Evaluate(model.Transform(AnomalyTestData.View(ml, normal.Concat(off).ToArray(), labels)));
            Console.WriteLine($"AUC {metrics.AreaUnderRocCurve}");
            Assert.IsTrue(metrics.AreaUnderRocCurve >= 0.99, $"AUC {metrics.AreaUnderRocCurve}");
        }

        /// <summary>Gaussian rows projected off span(A) (Gram–Schmidt basis), scaled to norm <paramref name="norm"/>.</summary>
        private static float[][] OffSpan(float[][] dictionary, int count, double norm, int seed)
        {
            var basis = new System.Collections.Generic.List<double[]>();
            foreach (float[] atom in dictionary)
            {
                var v = atom.Select(x => (double)x).ToArray();
                foreach (var q in basis)
                {
                    double dot = v.Zip(q, (a, c) => a * c).Sum();
                    for (int j = 0; j < v.Length; j++)
                        v[j] -= dot * q[j];
                }
                double length = Math.Sqrt(v.Sum(x => x * x));
                basis.Add(v.Select(x => x / length).ToArray());
            }
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var g = Enumerable.Range(0, dictionary[0].Length).Select(_ => AnomalyTestData.Gaussian(random)).ToArray();
                foreach (var q in basis)
                {
                    double dot = g.Zip(q, (a, c) => a * c).Sum();
                    for (int j = 0; j < g.Length; j++)
                        g[j] -= dot * q[j];
                }
                double length = Math.Sqrt(g.Sum(x => x * x));
                return g.Select(x => (float)(x * norm / length)).ToArray();
            }).ToArray();
        }

        public sealed class Prediction
        {
            public float Score { get; set; }

            public bool PredictedLabel { get; set; }
        }
    }
}
