using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Tests.Whitening;

namespace Microsoft.ML.SharedAutoencoder.Tests.Onnx
{
    /// <summary>
    /// Parity of the whitening transform's ONNX export: ONNX Runtime gives ML.NET's whitened rows (ZCA, PCA, PCA with a
    /// rank), its NaN and infinite outputs, and a downstream autoencoder's and classifier's outputs, to 1e-5.
    /// </summary>
    [TestClass]
    public sealed class WhiteningOnnxExportTests
    {
        private const int N = 9, TrainRows = 500, HeldOutRows = 150;
        private const float Tolerance = 1e-5f;

        public TestContext TestContext { get; set; } = null!;

        private static (MLContext Ml, IDataView Train, float[][] HeldOut) Data()
        {
            var ml = new MLContext(seed: 1);
            // Centered at 40 + j like pixels; whitened values are of order 1, so 1e-5 is a relative bound too.
            float[][] train = WhiteningData.Correlated(TrainRows, N, 5);
            float[][] heldOut = WhiteningData.Correlated(HeldOutRows, N, 6);
            return (ml, WhiteningData.Load(ml, train), heldOut);
        }

        private double AssertParity(IDataView expected, Dictionary<string, float[]> actual, string column)
        {
            double difference = OnnxExportTests.MaxAbsDifference(OnnxExportTests.Flat(expected, column), actual[column + ".output"]);
            TestContext.WriteLine($"{column}: max |ML.NET − ONNX| = {difference:G3}");
            Assert.IsLessThanOrEqualTo(Tolerance, difference, $"column {column}");
            return difference;
        }

        [TestMethod]
        [DataRow(WhiteningKind.Zca, 0)]
        [DataRow(WhiteningKind.Pca, 0)]
        [DataRow(WhiteningKind.Pca, 4)]
        [DataRow(WhiteningKind.Zca, 3)]
        public void ExportedWhiteningEqualsMLNet(WhiteningKind kind, int rank)
        {
            var (ml, train, heldOut) = Data();
            var model = ml.Transforms.Whiten("White", "Features", kind, rank: rank).Fit(train);
            byte[] onnx = OnnxExportTests.Export(ml, model, train);
            var actual = OnnxExportTests.Run(onnx, "Features", heldOut);
            TestContext.WriteLine($"{kind}, rank {rank}: {model.OutputSize} outputs, ONNX model {onnx.Length} bytes");
            Assert.HasCount(HeldOutRows * model.OutputSize, actual["White.output"]);
            AssertParity(model.Transform(WhiteningData.Load(ml, heldOut)), actual, "White");
        }

        [TestMethod]
        public void RowsWithNaNOrInfinityGiveWhatMLNetGives()
        {
            var (ml, train, heldOut) = Data();
            var model = ml.Transforms.Whiten("White", "Features", WhiteningKind.Zca).Fit(train);
            byte[] onnx = OnnxExportTests.Export(ml, model, train);
            float[][] rows = heldOut.Take(5).Select(r => (float[])r.Clone()).ToArray();
            rows[1][3] = float.NaN;
            rows[2][0] = float.PositiveInfinity;
            rows[4][N - 1] = float.NegativeInfinity;
            var actual = OnnxExportTests.Run(onnx, "Features", rows);
            var expected = model.Transform(WhiteningData.Load(ml, rows));
            float[] mlnet = OnnxExportTests.Flat(expected, "White");
            float[] white = actual["White.output"];
            for (int i = 0; i < white.Length; i++)
            {
                // Equal infinities and NaN in both count as equal; finite values agree to the tolerance.
                if (mlnet[i] == white[i] || (float.IsNaN(mlnet[i]) && float.IsNaN(white[i])))
                    continue;
                Assert.IsTrue(float.IsFinite(mlnet[i]) && float.IsFinite(white[i]) && Math.Abs(mlnet[i] - white[i]) <= Tolerance,
                    $"value {i} (row {i / N}): ML.NET {mlnet[i]}, ONNX {white[i]}");
            }
            Assert.IsTrue(white.AsSpan(1 * N, N).ToArray().All(float.IsNaN), "a NaN makes the whole row NaN");
            Assert.IsTrue(white.AsSpan(0, N).ToArray().All(float.IsFinite), "a finite row stays finite");
        }

        [TestMethod]
        public void OutputNamedAsItsInputReplacesItInTheGraph()
        {
            var (ml, train, heldOut) = Data();
            var model = ml.Transforms.Whiten("Features", kind: WhiteningKind.Pca, rank: 5).Fit(train);
            byte[] onnx = OnnxExportTests.Export(ml, model, train);
            var actual = OnnxExportTests.Run(onnx, "Features", heldOut);
            AssertParity(model.Transform(WhiteningData.Load(ml, heldOut)), actual, "Features");
        }

        [TestMethod]
        public void WhitenThenAutoencoderThenClassifierGivesMLNetScores()
        {
            var ml = new MLContext(seed: 1);
            var random = new Random(11);
            const int n = 16, m = 6;
            var a = TestData.RandomDictionary(n, m, random);
            var (trainRows, trainLabels) = TestData.Mixture(a, n, m, 600, 0.1, random);
            var (heldOutRows, heldOutLabels) = TestData.Mixture(a, n, m, 200, 0.1, random);
            var train = TestData.MixtureView(ml, trainRows, trainLabels, n);
            var heldOut = TestData.MixtureView(ml, heldOutRows, heldOutLabels, n);
            var labeled = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
            var keyedTrain = labeled.Transform(train);
            var model = ml.Transforms.Whiten("White", "Features", WhiteningKind.Zca, epsilon: 0.1f)
                .Append(ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
                {
                    // Whitened upstream: no normalization inside the model.
                    Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                    InputColumnName = "White",
                    HiddenUnits = m,
                    MaximumNumberOfIterations = 20,
                    Initialization = WeightInitialization.Pca,
                    Seed = 3,
                }))
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Code", maximumNumberOfIterations: 20))
                .Fit(keyedTrain);
            byte[] onnx = OnnxExportTests.Export(ml, model, keyedTrain);
            TestContext.WriteLine($"Whiten → SharedAutoencoder → SdcaMaximumEntropy: ONNX model {onnx.Length} bytes");

            var expected = model.Transform(labeled.Transform(heldOut));
            var actual = OnnxExportTests.Run(onnx, "Features", heldOut.GetColumn<float[]>("Features").ToArray());
            AssertParity(expected, actual, "White");
            AssertParity(expected, actual, "Code");
            AssertParity(expected, actual, "Score");
            var metrics = ml.MulticlassClassification.Evaluate(expected);
            TestContext.WriteLine($"macro accuracy {metrics.MacroAccuracy:F3}");
            Assert.IsGreaterThan(0.8, metrics.MacroAccuracy, $"macro accuracy {metrics.MacroAccuracy}");
        }

        [TestMethod]
        public void TheAnomalyDetectorRefusesExportNamingItself()
        {
            var (ml, train, _) = Data();
            var detector = ml.AnomalyDetection.Trainers.SharedAutoencoder(hiddenUnits: 3, maximumNumberOfIterations: 3, seed: 2).Fit(train);
            var error = Assert.Throws<Exception>(() => OnnxExportTests.Export(ml, detector, train));
            TestContext.WriteLine(error.Message);
            StringAssert.Contains(error.Message, "anomaly detector cannot be exported to ONNX");
        }
    }
}
