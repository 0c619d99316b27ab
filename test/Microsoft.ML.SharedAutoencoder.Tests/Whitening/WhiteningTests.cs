using System;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Whitening
{
    [TestClass]
    public sealed class WhiteningTests
    {
        private const int N = 13;
        private const int Rows = 3000;

        private static (MLContext Ml, IDataView Data, float[][] Rows) Correlated(int seed = 1)
        {
            var ml = new MLContext(seed: 1);
            float[][] rows = WhiteningData.Correlated(Rows, N, seed);
            return (ml, WhiteningData.Load(ml, rows), rows);
        }

        [TestMethod]
        [DataRow(WhiteningKind.Zca)]
        [DataRow(WhiteningKind.Pca)]
        public void WhitenedTrainingRowsHaveIdentityCovariance(WhiteningKind kind)
        {
            var (ml, data, rows) = Correlated();
            double before = WhiteningData.MaxDistanceFromIdentity(WhiteningData.Covariance(rows));
            Assert.IsGreaterThan(1.0, before, "the synthetic data must be far from white");

            var model = ml.Transforms.Whiten("White", "Features", kind, epsilon: 1e-7f).Fit(data);
            float[][] white = WhiteningData.Column(model.Transform(data), "White");
            Assert.HasCount(N, white[0]);
            double after = WhiteningData.MaxDistanceFromIdentity(WhiteningData.Covariance(white));
            Assert.IsLessThan(1e-3, after, $"{kind}: max |cov − I| = {after}");
        }

        [TestMethod]
        public void ZcaIsSymmetricAndClosestToTheInput()
        {
            var (ml, data, rows) = Correlated();
            var zca = ml.Transforms.Whiten("White", "Features", WhiteningKind.Zca, epsilon: 1e-7f).Fit(data);
            var pca = ml.Transforms.Whiten("White", "Features", WhiteningKind.Pca, epsilon: 1e-7f).Fit(data);
            float[] w = zca.GetWhiteningMatrix();
            for (int i = 0; i < N; i++)
            {
                for (int j = 0; j < N; j++)
                    Assert.AreEqual(w[i * N + j], w[j * N + i], $"W must equal Wᵀ at ({i}, {j})");
            }

            float[] mean = zca.GetMean();
            float[][] zcaOut = WhiteningData.Column(zca.Transform(data), "White");
            float[][] pcaOut = WhiteningData.Column(pca.Transform(data), "White");
            // Any whitening is Q·W_zca with Q orthogonal; ZCA minimizes E‖z − (x − μ)‖². Compare with PCA (another Q) and
            // with the ZCA output turned by a fixed rotation in the first two coordinates.
            double zcaDistance = 0, pcaDistance = 0, rotatedDistance = 0;
            double cos = Math.Cos(0.3), sin = Math.Sin(0.3);
            for (int t = 0; t < Rows; t++)
            {
                for (int j = 0; j < N; j++)
                {
                    double x = rows[t][j] - mean[j];
                    zcaDistance += Square(zcaOut[t][j] - x);
                    pcaDistance += Square(pcaOut[t][j] - x);
                    double rotated = j == 0 ? cos * zcaOut[t][0] - sin * zcaOut[t][1]
                        : j == 1 ? sin * zcaOut[t][0] + cos * zcaOut[t][1] : zcaOut[t][j];
                    rotatedDistance += Square(rotated - x);
                }
            }
            Assert.IsLessThan(pcaDistance, zcaDistance);
            Assert.IsLessThan(rotatedDistance, zcaDistance);
        }

        private static double Square(double v) => v * v;

        [TestMethod]
        public void RankRPcaGivesROutputsWithIdentityCovariance()
        {
            var (ml, data, _) = Correlated();
            var model = ml.Transforms.Whiten("White", "Features", WhiteningKind.Pca, epsilon: 1e-7f, rank: 3).Fit(data);
            IDataView output = model.Transform(data);
            Assert.AreEqual(3, ((VectorDataViewType)output.Schema["White"].Type).Size);
            Assert.AreEqual(3, model.OutputSize);
            Assert.HasCount(3, model.GetEigenvalues());
            double[,] c = WhiteningData.Covariance(WhiteningData.Column(output, "White"));
            Assert.IsLessThan(1e-3, WhiteningData.MaxDistanceFromIdentity(c));
        }

        [TestMethod]
        public void RankRZcaProjectsBackToN()
        {
            var (ml, data, _) = Correlated();
            var model = ml.Transforms.Whiten("White", "Features", WhiteningKind.Zca, epsilon: 1e-7f, rank: 4).Fit(data);
            float[][] white = WhiteningData.Column(model.Transform(data), "White");
            Assert.HasCount(N, white[0]);
            // The output covariance is the projector U_r U_rᵀ: trace r, and P² = P.
            double[,] c = WhiteningData.Covariance(white);
            double trace = 0;
            for (int i = 0; i < N; i++)
                trace += c[i, i];
            Assert.AreEqual(4, trace, 1e-3);
            for (int i = 0; i < N; i++)
            {
                for (int j = 0; j < N; j++)
                {
                    double square = 0;
                    for (int k = 0; k < N; k++)
                        square += c[i, k] * c[k, j];
                    Assert.AreEqual(c[i, j], square, 1e-3, $"P² = P at ({i}, {j})");
                }
            }
        }

        [TestMethod]
        public void EigenvaluesAndMeanMatchATwoPassComputation()
        {
            var (ml, data, rows) = Correlated();
            var model = ml.Transforms.Whiten("White", "Features").Fit(data);
            double[,] c = WhiteningData.Covariance(rows);
            double[] expected = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(c).Evd().EigenValues
                .Select(v => v.Real).OrderByDescending(v => v).ToArray();
            double[] actual = model.GetEigenvalues();
            for (int k = 0; k < N; k++)
                Assert.AreEqual(expected[k], actual[k], 1e-9 * expected[0], $"eigenvalue {k}");
            float[] mean = model.GetMean();
            for (int j = 0; j < N; j++)
                Assert.AreEqual(rows.Average(r => (double)r[j]), mean[j], 1e-4, $"mean {j}");
            Assert.AreEqual(Rows, model.RowCount);
        }

        [TestMethod]
        public void MaximumNumberOfRowsLimitsTheFit()
        {
            var (ml, data, rows) = Correlated();
            var model = ml.Transforms.Whiten("White", "Features", maximumNumberOfRows: 500).Fit(data);
            Assert.AreEqual(500, model.RowCount);
            double[,] c = WhiteningData.Covariance(rows.Take(500).ToArray());
            double[] expected = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(c).Evd().EigenValues
                .Select(v => v.Real).OrderByDescending(v => v).ToArray();
            Assert.AreEqual(expected[0], model.GetEigenvalues()[0], 1e-9 * expected[0]);
        }

        [TestMethod]
        public void OneAndTwoThreadsGiveBitIdenticalModels()
        {
            // 1,000 rows: three full blocks of 256 and a partial one; n = 13 is padded to 16.
            var ml = new MLContext(seed: 1);
            var data = WhiteningData.Load(ml, WhiteningData.Correlated(1000, N, 5));
            WhiteningTransformer Fit(int threads, WhiteningKind kind) => ml.Transforms.Whiten(new WhiteningEstimator.Options
            {
                InputColumnName = "Features",
                OutputColumnName = "White",
                Kind = kind,
                NumberOfThreads = threads,
            }).Fit(data);
            foreach (var kind in new[] { WhiteningKind.Zca, WhiteningKind.Pca })
            {
                var one = Fit(1, kind);
                var two = Fit(2, kind);
                CollectionAssert.AreEqual(one.GetMean(), two.GetMean());
                CollectionAssert.AreEqual(one.GetWhiteningMatrix(), two.GetWhiteningMatrix());
                CollectionAssert.AreEqual(one.GetEigenvalues(), two.GetEigenvalues());
            }
        }

        [TestMethod]
        public void UsableBeforeTheSharedAutoencoder()
        {
            var (ml, data, _) = Correlated();
            var pipeline = ml.Transforms.Whiten("White", "Features", rank: 8, kind: WhiteningKind.Pca)
                .Append(ml.Transforms.SharedAutoencoder("Code", "White", hiddenUnits: 4, maximumNumberOfIterations: 3, encoding: CodeEncoding.Activation, initialization: WeightInitialization.Random, normalization: InputNormalization.None, splitPolarity: false));
            var model = pipeline.Fit(data);
            Assert.AreEqual(4, ((VectorDataViewType)model.Transform(data).Schema["Code"].Type).Size);
        }
    }
}
