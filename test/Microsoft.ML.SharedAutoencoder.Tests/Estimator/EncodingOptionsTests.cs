using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Tests.Reliability;

namespace Microsoft.ML.SharedAutoencoder.Tests.Estimator
{
    /// <summary>
    /// The encoding options of the estimator: validated with a remedy, stored in the model (bit-identical codes after a
    /// save and load, in this process and in a fresh one), and the transform's code column equal to the CodeEncoder.
    /// </summary>
    [TestClass]
    public sealed class EncodingOptionsTests
    {
        private const int N = 12, M = 6, Rows = 150;

        private static (MLContext Ml, IDataView Data, float[][] Rows) Data()
        {
            var ml = new MLContext(seed: 1);
            float[][] rows = ReliabilityData.Mixture(N, M, Rows, seed: 5);
            return (ml, ReliabilityData.View(ml, rows, N), rows);
        }

        private static SharedAutoencoderEstimator.Options Options(CodeEncoding encoding, bool split, float? alpha = null, int? k = null) => new()
        {
            // The paper's settings (the defaults before format 0x00010004).
            Normalization = InputNormalization.None, Initialization = WeightInitialization.Random,
            HiddenUnits = M,
            MaximumNumberOfIterations = 5,
            Seed = 4,
            Encoding = encoding,
            SplitPolarity = split,
            EncodingThreshold = alpha,
            ActiveUnits = k,
            ReconstructionColumnName = "Reconstruction",
            ReconstructionErrorColumnName = "Error",
        };

        public static IEnumerable<object?[]> EveryEncoding()
        {
            foreach (bool split in new[] { false, true })
            {
                yield return new object?[] { CodeEncoding.Activation, split, null, null };
                yield return new object?[] { CodeEncoding.SoftThreshold, split, 0.05f, null };
                yield return new object?[] { CodeEncoding.SoftThreshold, split, null, null };
                yield return new object?[] { CodeEncoding.TopK, split, null, 3 };
                yield return new object?[] { CodeEncoding.TopK, split, null, null };
                yield return new object?[] { CodeEncoding.OrthogonalMatchingPursuit, split, null, 2 };
            }
        }

        [TestMethod]
        [DynamicData(nameof(EveryEncoding))]
        public void CodeColumnEqualsTheCodeEncoderAndReconstructionDecodesIt(CodeEncoding encoding, bool split, float? alpha, int? k)
        {
            var (ml, data, rows) = Data();
            var model = ml.Transforms.SharedAutoencoder(Options(encoding, split, alpha, k)).Fit(data);
            var settings = model.Model.Encoding;
            Assert.AreEqual(encoding, settings.Kind);
            Assert.AreEqual(split, settings.SplitPolarity);
            Assert.AreEqual(alpha ?? (encoding == CodeEncoding.SoftThreshold ? 0.5f : 0f), settings.Threshold);
            Assert.AreEqual(k ?? (encoding is CodeEncoding.TopK or CodeEncoding.OrthogonalMatchingPursuit ? Math.Min(10, split && encoding == CodeEncoding.TopK ? 2 * M : M) : 0), settings.ActiveUnits);
            Assert.AreEqual(split ? 2 * M : M, model.Model.CodeLength);

            var output = model.Transform(data);
            Assert.AreEqual(model.Model.CodeLength, ((VectorDataViewType)output.Schema["Code"].Type).Size);
            float[][] codes = ReliabilityData.Codes(output);
            float[][] reconstructions = ReliabilityData.Codes(output, "Reconstruction");
            float[] errors = output.GetColumn<float>("Error").ToArray();
            var reference = new CodeEncoder(model.Model.WeightsUnitMajor, model.Model.BiasSpan, N, model.Model.Activation, model.Model.Threshold, settings);
            var expected = new float[model.Model.CodeLength];
            var decoded = new float[N];
            int nonzeros = 0;
            for (int t = 0; t < rows.Length; t++)
            {
                reference.Encode(rows[t], expected);
                CollectionAssert.AreEqual(ReliabilityData.Bits(expected), ReliabilityData.Bits(codes[t]), $"row {t}");
                var fromParameters = new float[model.Model.CodeLength];
                model.Model.Encode(rows[t], fromParameters);
                CollectionAssert.AreEqual(ReliabilityData.Bits(expected), ReliabilityData.Bits(fromParameters), $"row {t}: model parameters' Encode");
                model.Model.Decode(expected, decoded);
                CollectionAssert.AreEqual(ReliabilityData.Bits(decoded), ReliabilityData.Bits(reconstructions[t]), $"row {t}: reconstruction");
                double error = 0.5 * rows[t].Zip(decoded, (y, r) => (double)(y - r) * (y - r)).Sum();
                Assert.AreEqual(error, errors[t], 1e-5 * (1 + error), $"row {t}: error");
                nonzeros += expected.Count(v => v != 0);
                if (encoding == CodeEncoding.TopK)
                    Assert.IsLessThanOrEqualTo(settings.ActiveUnits, expected.Count(v => v != 0));
            }
            Assert.IsGreaterThan(0, nonzeros, "the codes must not be all zero");
        }

        [TestMethod]
        [DynamicData(nameof(EveryEncoding))]
        public void SaveAndLoadKeepsTheEncodingAndTheCodesBitForBit(CodeEncoding encoding, bool split, float? alpha, int? k)
        {
            var (ml, data, rows) = Data();
            var model = ml.Transforms.SharedAutoencoder(Options(encoding, split, alpha, k)).Fit(data);
            float[][] expected = ReliabilityData.Codes(model.Transform(data));
            string directory = ReliabilityData.TempDirectory();
            try
            {
                string modelPath = Path.Combine(directory, "model.zip");
                ml.Model.Save(model, data.Schema, modelPath);
                var loaded = new MLContext(seed: 9).Model.LoadSharedAutoencoder(modelPath, out _);
                Assert.AreEqual(model.Model.Encoding, loaded.Model.Encoding);
                float[][] again = ReliabilityData.Codes(loaded.Transform(data));
                for (int t = 0; t < rows.Length; t++)
                    CollectionAssert.AreEqual(ReliabilityData.Bits(expected[t]), ReliabilityData.Bits(again[t]), $"row {t}");

                // A fresh process (only for one configuration per encoding: each run starts a process).
                if (alpha is null && k is null && encoding is CodeEncoding.Activation or CodeEncoding.SoftThreshold || k is not null)
                {
                    string rowsPath = Path.Combine(directory, "rows.bin");
                    string codesPath = Path.Combine(directory, "codes.bin");
                    LoadProbe.WriteRows(rowsPath, rows.Length, N, ReliabilityData.Flatten(rows));
                    LoadProbe.Run(modelPath, rowsPath, codesPath);
                    using var reader = new BinaryReader(File.OpenRead(codesPath));
                    Assert.AreEqual(rows.Length, reader.ReadInt32());
                    Assert.AreEqual(model.Model.CodeLength, reader.ReadInt32());
                    for (int t = 0; t < rows.Length; t++)
                    {
                        for (int i = 0; i < model.Model.CodeLength; i++)
                            Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[t][i]), BitConverter.SingleToInt32Bits(reader.ReadSingle()), $"fresh process: row {t}, value {i}");
                    }
                }
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        public static IEnumerable<object[]> BadCombinations()
        {
            yield return new object[] { new SharedAutoencoderEstimator.Options { HiddenUnits = 10, SplitPolarity = false, Encoding = CodeEncoding.Activation, EncodingThreshold = 0.5f }, "EncodingThreshold", "set Encoding = SoftThreshold" };
            yield return new object[] { new SharedAutoencoderEstimator.Options { HiddenUnits = 10, SplitPolarity = false, Encoding = CodeEncoding.SoftThreshold, EncodingThreshold = -1 }, "EncodingThreshold", "at least 0" };
            yield return new object[] { new SharedAutoencoderEstimator.Options { HiddenUnits = 10, SplitPolarity = false, Encoding = CodeEncoding.SoftThreshold, EncodingThreshold = float.NaN }, "EncodingThreshold", "finite" };
            yield return new object[] { new SharedAutoencoderEstimator.Options { HiddenUnits = 10, SplitPolarity = false, Encoding = CodeEncoding.Activation, ActiveUnits = 3 }, "ActiveUnits", "TopK or OrthogonalMatchingPursuit" };
            yield return new object[] { new SharedAutoencoderEstimator.Options { HiddenUnits = 10, SplitPolarity = false, Encoding = CodeEncoding.SoftThreshold, ActiveUnits = 3 }, "ActiveUnits", "leave ActiveUnits null" };
            yield return new object[] { new SharedAutoencoderEstimator.Options { HiddenUnits = 10, SplitPolarity = false, Encoding = CodeEncoding.TopK, ActiveUnits = 0 }, "ActiveUnits", "between 1 and 10" };
            yield return new object[] { new SharedAutoencoderEstimator.Options { HiddenUnits = 10, SplitPolarity = false, Encoding = CodeEncoding.TopK, ActiveUnits = 11 }, "ActiveUnits", "between 1 and 10 (the code length)" };
            yield return new object[] { new SharedAutoencoderEstimator.Options { HiddenUnits = 10, Encoding = CodeEncoding.TopK, SplitPolarity = true, ActiveUnits = 21 }, "ActiveUnits", "between 1 and 20" };
            yield return new object[] { new SharedAutoencoderEstimator.Options { HiddenUnits = 10, SplitPolarity = false, Encoding = CodeEncoding.OrthogonalMatchingPursuit, ActiveUnits = 11 }, "ActiveUnits", "number of hidden units" };
            yield return new object[] { new SharedAutoencoderEstimator.Options { HiddenUnits = 10, SplitPolarity = false, Encoding = (CodeEncoding)7 }, "Encoding", "choose one of Activation, SoftThreshold, TopK, OrthogonalMatchingPursuit" };
        }

        [TestMethod]
        [DynamicData(nameof(BadCombinations))]
        public void EveryBadEncodingOptionIsRefusedWithARemedy(SharedAutoencoderEstimator.Options options, string option, string remedy)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext().Transforms.SharedAutoencoder(options));
            StringAssert.Contains(error.Message, option);
            StringAssert.Contains(error.Message, remedy);
        }

        [TestMethod]
        public void OmpWithMoreAtomsThanDimensionsIsRefusedAtFit()
        {
            var (ml, data, _) = Data();
            var options = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, HiddenUnits = 20, Encoding = CodeEncoding.OrthogonalMatchingPursuit, ActiveUnits = N + 1, MaximumNumberOfIterations = 1 };
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SharedAutoencoder(options).Fit(data));
            StringAssert.Contains(error.Message, $"choose ActiveUnits ≤ {N}");
        }
    }
}
