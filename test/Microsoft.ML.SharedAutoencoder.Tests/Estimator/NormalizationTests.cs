using System;
using System.IO;
using System.Linq;
using System.Numerics.Tensors;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Tests.Reliability;

namespace Microsoft.ML.SharedAutoencoder.Tests.Estimator
{
    /// <summary>
    /// <see cref="InputNormalization.CenterAndScale"/>, the default: μ and s fitted on the training rows, applied to every
    /// row encoded, undone on the reconstruction, saved with the model.
    /// </summary>
    [TestClass]
    public sealed class NormalizationTests
    {
        private const int N = 12, M = 6, Rows = 300;

        // A mixture far from order 1: ×40, +7.
        private static (MLContext Ml, IDataView Data, float[][] Rows) Data(int count = Rows)
        {
            var ml = new MLContext(seed: 1);
            float[][] rows = ReliabilityData.Mixture(N, M, count, seed: 5).Select(r => r.Select(v => 40 * v + 7).ToArray()).ToArray();
            return (ml, ReliabilityData.View(ml, rows, N), rows);
        }

        private static SharedAutoencoderEstimator.Options Options() => new()
        {
            HiddenUnits = M, Seed = 4, SplitPolarity = true,
            ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error",
        };

        [TestMethod]
        public void TheFittedCenterAndScaleAreTheRowsMeanAndRootMeanSquare()
        {
            var (ml, data, rows) = Data();
            var model = ml.Transforms.SharedAutoencoder(Options()).Fit(data).Model;
            Assert.AreEqual(InputNormalization.CenterAndScale, model.Normalization);
            double[] mean = Enumerable.Range(0, N).Select(j => rows.Average(r => (double)r[j])).ToArray();
            double meanSquare = rows.Sum(r => r.Select((v, j) => (v - mean[j]) * (v - mean[j])).Sum()) / (Rows * (double)N);
            float[] center = model.GetCenter();
            for (int j = 0; j < N; j++)
                Assert.AreEqual(mean[j], center[j], 1e-5 * Math.Abs(mean[j]), $"μ_{j}");
            Assert.AreEqual(Math.Sqrt(meanSquare), model.Scale, 1e-5 * Math.Sqrt(meanSquare));
        }

        [TestMethod]
        public void CodesReconstructionsAndErrorsFollowAPlainReferenceLoop()
        {
            var (ml, data, rows) = Data();
            var transformer = ml.Transforms.SharedAutoencoder(Options()).Fit(data);
            var model = transformer.Model;
            var output = transformer.Transform(data);
            float[][] codes = ReliabilityData.Codes(output);
            float[][] reconstructions = ReliabilityData.Codes(output, "Reconstruction");
            float[] errors = output.GetColumn<float>("Error").ToArray();
            float[] center = model.GetCenter();
            float scale = model.Scale;
            // The same encoder without normalization, fed rows normalized by hand: the model's codes, bit for bit.
            var plain = new CodeEncoder(model.GetWeights().SelectMany(c => c).ToArray(), model.GetBias(), N, model.Activation, model.Threshold, model.Encoding);
            var normalized = new float[N];
            var expected = new float[model.CodeLength];
            int nonzeros = 0;
            for (int t = 0; t < Rows; t++)
            {
                TensorPrimitives.Subtract(rows[t], center, normalized);
                TensorPrimitives.Divide(normalized, scale, normalized);
                plain.Encode(normalized, expected);
                CollectionAssert.AreEqual(ReliabilityData.Bits(expected), ReliabilityData.Bits(codes[t]), $"row {t}");
                nonzeros += expected.Count(v => v != 0);

                // ŷ = s·W(x⁺ − x⁻) + μ, in input units; the error against the row as given.
                var weights = model.GetWeights();
                for (int j = 0; j < N; j++)
                {
                    double sum = 0;
                    for (int i = 0; i < M; i++)
                        sum += weights[i][j] * (double)(expected[i] - expected[M + i]);
                    double reference = scale * sum + center[j];
                    Assert.AreEqual(reference, reconstructions[t][j], 1e-5 * (Math.Abs(reference) + scale), $"row {t}, ŷ_{j}");
                }
                double error = 0.5 * rows[t].Zip(reconstructions[t], (y, r) => (double)(y - r) * (y - r)).Sum();
                Assert.AreEqual(error, errors[t], 1e-4 * (1 + error), $"row {t}: error");
                var decoded = new float[N];
                model.Decode(codes[t], decoded);
                CollectionAssert.AreEqual(ReliabilityData.Bits(reconstructions[t]), ReliabilityData.Bits(decoded), $"row {t}: Decode");
                var encoded = new float[model.CodeLength];
                model.Encode(rows[t], encoded);
                CollectionAssert.AreEqual(ReliabilityData.Bits(codes[t]), ReliabilityData.Bits(encoded), $"row {t}: Encode");
            }
            Assert.IsGreaterThan(Rows, nonzeros, "the codes must not be nearly all zero");
        }

        [TestMethod]
        public void StreamedRowsGiveTheSameModelAsRowsInMemory()
        {
            var (ml, data, _) = Data();
            var options = Options();
            options.MaximumNumberOfIterations = 5;
            options.Initialization = WeightInitialization.Random;
            var inMemory = ml.Transforms.SharedAutoencoder(options).Fit(data).Model;
            options.MaximumInMemoryRows = 0;
            var streamed = ml.Transforms.SharedAutoencoder(options).Fit(data).Model;
            CollectionAssert.AreEqual(ReliabilityData.Bits(inMemory.GetCenter()), ReliabilityData.Bits(streamed.GetCenter()));
            Assert.AreEqual(inMemory.Scale, streamed.Scale);
            CollectionAssert.AreEqual(ReliabilityData.Bits(ReliabilityData.Flatten(inMemory.GetWeights())), ReliabilityData.Bits(ReliabilityData.Flatten(streamed.GetWeights())));
        }

        [TestMethod]
        public void SaveAndLoadKeepTheNormalizationBitForBitInAFreshProcess()
        {
            var (ml, data, rows) = Data();
            var model = ml.Transforms.SharedAutoencoder(Options()).Fit(data);
            var output = model.Transform(data);
            float[][] expected = ReliabilityData.Codes(output);
            float[][] reconstructions = ReliabilityData.Codes(output, "Reconstruction");
            string directory = ReliabilityData.TempDirectory();
            try
            {
                string modelPath = Path.Combine(directory, "model.zip");
                ml.Model.SaveAtomically(model, data.Schema, modelPath);
                var loaded = new MLContext(seed: 9).Model.LoadSharedAutoencoder(modelPath, out _);
                Assert.AreEqual(InputNormalization.CenterAndScale, loaded.Model.Normalization);
                Assert.AreEqual(model.Model.Scale, loaded.Model.Scale);
                CollectionAssert.AreEqual(ReliabilityData.Bits(model.Model.GetCenter()), ReliabilityData.Bits(loaded.Model.GetCenter()));
                var again = loaded.Transform(data);
                float[][] codes = ReliabilityData.Codes(again);
                float[][] decoded = ReliabilityData.Codes(again, "Reconstruction");
                for (int t = 0; t < Rows; t++)
                {
                    CollectionAssert.AreEqual(ReliabilityData.Bits(expected[t]), ReliabilityData.Bits(codes[t]), $"row {t}");
                    CollectionAssert.AreEqual(ReliabilityData.Bits(reconstructions[t]), ReliabilityData.Bits(decoded[t]), $"row {t}: reconstruction");
                }

                string rowsPath = Path.Combine(directory, "rows.bin");
                string codesPath = Path.Combine(directory, "codes.bin");
                LoadProbe.WriteRows(rowsPath, Rows, N, ReliabilityData.Flatten(rows));
                LoadProbe.Run(modelPath, rowsPath, codesPath);
                using var reader = new BinaryReader(File.OpenRead(codesPath));
                Assert.AreEqual(Rows, reader.ReadInt32());
                Assert.AreEqual(model.Model.CodeLength, reader.ReadInt32());
                for (int t = 0; t < Rows; t++)
                {
                    for (int i = 0; i < model.Model.CodeLength; i++)
                        Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[t][i]), BitConverter.SingleToInt32Bits(reader.ReadSingle()), $"fresh process: row {t}, value {i}");
                }
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [TestMethod]
        public void RowsThatAreAllTheSameAreRefusedWithTheReason()
        {
            var ml = new MLContext(seed: 1);
            var data = ReliabilityData.View(ml, ReliabilityData.Constant(20, N, 3.5f), N);
            var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.SharedAutoencoder(Options()).Fit(data));
            StringAssert.Contains(error.Message, "has the same value in all 20 rows: after centering there is nothing to encode");
        }

        [TestMethod]
        public void NoneKeepsTheRowsAsTheyAre()
        {
            var (ml, data, _) = Data();
            var options = Options();
            options.Normalization = InputNormalization.None;
            var model = ml.Transforms.SharedAutoencoder(options).Fit(data).Model;
            Assert.AreEqual(InputNormalization.None, model.Normalization);
            Assert.AreEqual(1f, model.Scale);
            Assert.IsTrue(model.GetCenter().All(v => v == 0));
        }
    }
}
