using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>Damaged or foreign model files fail on load with a clear <see cref="FormatException"/>, never a wrong model.</summary>
    [TestClass]
    public sealed class ModelFileTests
    {
        private const int N = 6, M = 3;
        private const string ModelEntry = ZipEntries.ModelEntry;

        // ML.NET's ModelHeader (src/Microsoft.ML.Core/Data/ModelHeader.cs): the component's signature and versions.
        private const int ModelSignatureOffset = 0x40, ModelVerWrittenOffset = 0x48, ModelVerReadableOffset = 0x4C;

        private static (MLContext Ml, IDataView Data, SharedAutoencoderTransformer Model, byte[] File) Saved()
        {
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, 60, seed: 3), N);
            var model = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = M, MaximumNumberOfIterations = 4, Seed = 2 }).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            return (ml, data, model, stream.ToArray());
        }

        private static byte[] ReadEntry(byte[] file, string name = ModelEntry) => ZipEntries.Read(file, name);

        private static byte[] ReplaceEntry(byte[] file, byte[] content, string name = ModelEntry) => ZipEntries.Replace(file, content, name);

        private static byte[] Patch(byte[] file, Action<byte[]> change)
        {
            byte[] entry = ReadEntry(file);
            change(entry);
            return ReplaceEntry(file, entry);
        }

        /// <summary>The offset of W in the entry: the first occurrence of W's first two values.</summary>
        private static int WeightsOffset(byte[] entry, SharedAutoencoderTransformer model)
        {
            float[] w = model.Model.GetWeights()[0];
            byte[] pattern = BitConverter.GetBytes(w[0]).Concat(BitConverter.GetBytes(w[1])).ToArray();
            int offset = entry.AsSpan().IndexOf(pattern);
            Assert.IsGreaterThan(0, offset, "W must be found in the model entry");
            Assert.AreEqual(-1, entry.AsSpan(offset + 1).IndexOf(pattern), "W's first values must be unique in the entry");
            return offset;
        }

        private static FormatException AssertLoadFails(MLContext ml, byte[] file, string fragment)
        {
            var error = Assert.Throws<FormatException>(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(file), out _));
            Console.WriteLine(error.Message);
            StringAssert.Contains(error.Message, fragment);
            // Plain Model.Load fails too (the checks live in the transformer's loader); ML.NET may wrap the cause.
            var plain = Assert.Throws<Exception>(() => ml.Model.Load(new MemoryStream(file), out _));
            Assert.IsTrue(plain is FormatException || plain.InnerException?.InnerException is FormatException, plain.ToString());
            return error;
        }

        [TestMethod]
        public void AnIntactFileLoadsThroughTheHelperWithIdenticalOutputs()
        {
            var (ml, data, model, file) = Saved();
            var loaded = ml.Model.LoadSharedAutoencoder(new MemoryStream(file), out var schema);
            Assert.AreEqual(N, ((VectorDataViewType)schema["Features"].Type).Size);
            CollectionAssert.AreEqual(ReliabilityData.Codes(model.Transform(data)).SelectMany(c => c).ToArray(),
                ReliabilityData.Codes(loaded.Transform(data)).SelectMany(c => c).ToArray());

            string path = Path.Combine(ReliabilityData.TempDirectory(), "model.zip");
            try
            {
                File.WriteAllBytes(path, file);
                Assert.AreEqual(M, ml.Model.LoadSharedAutoencoder(path, out _).Model.HiddenUnits);
            }
            finally
            {
                Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
            }
        }

        [TestMethod]
        public void EmptyRandomAndTruncatedFilesAreNotModels()
        {
            var (ml, _, _, file) = Saved();
            var random = new byte[2048];
            new Random(5).NextBytes(random);
            AssertLoadFails(ml, Array.Empty<byte>(), "zip archive");
            AssertLoadFails(ml, random, "zip archive");
            AssertLoadFails(ml, file.AsSpan(0, file.Length / 2).ToArray(), "zip archive");
            AssertLoadFails(ml, file.AsSpan(0, file.Length - 1).ToArray(), "zip archive");
        }

        [TestMethod]
        [DataRow(0.3)]
        [DataRow(0.6)]
        [DataRow(0.99)]
        public void AModelEntryCutShortIsRefused(double keep)
        {
            // A zip whose directory is intact but whose model entry was cut (an interrupted copy of the entry).
            var (ml, _, _, file) = Saved();
            byte[] entry = ReadEntry(file);
            var error = Assert.Throws<FormatException>(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(ReplaceEntry(file, entry.AsSpan(0, (int)(entry.Length * keep)).ToArray())), out _));
            Console.WriteLine(error.Message);
            StringAssert.StartsWith(error.Message, "Cannot load a shared autoencoder model from the stream: ");
        }

        [TestMethod]
        public void AnotherTransformerIsNamedWhenASharedAutoencoderIsExpected()
        {
            var (ml, data, _, _) = Saved();
            var normalizer = ml.Transforms.NormalizeMinMax("Features").Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(normalizer, data.Schema, stream);
            var error = Assert.Throws<FormatException>(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(stream.ToArray()), out _));
            Console.WriteLine(error.Message);
            StringAssert.Contains(error.Message, "is a NormalizingTransformer, not a SharedAutoencoderTransformer");

            var pipeline = ml.Transforms.NormalizeMinMax("Features").Append(ml.Transforms.SharedAutoencoder("Code", "Features", hiddenUnits: 2, maximumNumberOfIterations: 2, encoding: CodeEncoding.Activation, initialization: WeightInitialization.Random, normalization: InputNormalization.None, splitPolarity: false)).Fit(data);
            using var chainStream = new MemoryStream();
            ml.Model.Save(pipeline, data.Schema, chainStream);
            error = Assert.Throws<FormatException>(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(chainStream.ToArray()), out _));
            StringAssert.Contains(error.Message, "is a chain of NormalizingTransformer, SharedAutoencoderTransformer");
        }

        [TestMethod]
        public void AFormatNewerThanTheCodeIsRefused()
        {
            var (ml, _, _, file) = Saved();
            byte[] entry = ReadEntry(file);
            Assert.AreEqual("SHAUTOEN", System.Text.Encoding.ASCII.GetString(entry, ModelSignatureOffset, 8), "the header layout this test patches");
            Assert.AreEqual(0x00010004u, BitConverter.ToUInt32(entry, ModelVerWrittenOffset));

            // Written by a future version that older code can still read: loads.
            var readable = Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(ModelVerWrittenOffset), 0x00010005u));
            Assert.AreEqual(M, ml.Model.LoadSharedAutoencoder(new MemoryStream(readable), out _).Model.HiddenUnits);

            // Written by a future version that older code cannot read: refused with the versions.
            var tooNew = Patch(file, e =>
            {
                BitConverter.TryWriteBytes(e.AsSpan(ModelVerWrittenOffset), 0x00020001u);
                BitConverter.TryWriteBytes(e.AsSpan(ModelVerReadableOffset), 0x00020001u);
            });
            var error = AssertLoadFails(ml, tooNew, "The model was written in format 0x00020001 of Microsoft.ML.SharedAutoencoder, readable only from format 0x00020001; this version reads formats up to 0x00010004. Update the package");
        }

        [TestMethod]
        public void NaNOrAnyDamageInTheWeightsIsRefused()
        {
            var (ml, _, model, file) = Saved();
            int offset = WeightsOffset(ReadEntry(file), model);
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(offset), float.NaN)), "The model's weights contain NaN or infinity.");
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(offset + 4 * (N + 2)), float.NegativeInfinity)), "The model's weights contain NaN or infinity.");
            // A finite but wrong value (one flipped exponent bit) breaks the unit norm of its column.
            AssertLoadFails(ml, Patch(file, e => e[offset + 4 * N + 3] ^= 0x40), "weight column 1 has norm");
        }

        [TestMethod]
        public void NaNInTheBiasIsRefused()
        {
            var (ml, _, model, file) = Saved();
            int biasOffset = WeightsOffset(ReadEntry(file), model) + 4 * N * M;
            Assert.AreEqual(model.Model.GetBias()[0], BitConverter.ToSingle(ReadEntry(file), biasOffset), "b follows W");
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(biasOffset + 4), float.NaN)), "The model's bias contains NaN or infinity.");
        }

        [TestMethod]
        public void ImpossibleSizesAreRefused()
        {
            var (ml, _, model, file) = Saved();
            int offset = WeightsOffset(ReadEntry(file), model);
            // n and m precede W, then the activation and λ: int n, int m, int activation, float λ.
            int nOffset = offset - 16;
            Assert.AreEqual(N, BitConverter.ToInt32(ReadEntry(file), nOffset));
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(nOffset), -N)), $"sizes n = {-N}, m = {M} are impossible");
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(nOffset + 8), 7)), "activation code 7 is unknown");
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(nOffset + 12), float.NaN)), "threshold NaN is not positive and finite");
        }

        private static Exception LoadWithin(Func<object> load, int seconds = 20)
        {
            var task = Task.Run(() =>
            {
                try
                {
                    load();
                    return null;
                }
                catch (Exception error)
                {
                    return error;
                }
            });
            Assert.IsTrue(task.Wait(TimeSpan.FromSeconds(seconds)), "the load must not hang");
            Assert.IsNotNull(task.Result, "the load must fail");
            return task.Result;
        }

        [TestMethod]
        [DataRow(0, 1_000_000, "W and b (n = 1000000, m = 3) needs 12000012 bytes")]
        [DataRow(4, 1_000_000, "W and b (n = 6, m = 1000000) needs 28000000 bytes")]
        [DataRow(4, 300_000_000, "W and b (n = 6, m = 300000000) needs 8400000000 bytes")]
        public void ASizeLargerThanTheFileIsRefusedBeforeReading(int fieldOffset, int value, string fragment)
        {
            // ML.NET's array reader loops forever when the data run out: before the fix these loads hung.
            var (ml, _, model, file) = Saved();
            int nOffset = WeightsOffset(ReadEntry(file), model) - 16;
            byte[] damaged = Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(nOffset + fieldOffset), value));
            var error = LoadWithin(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(damaged), out _));
            Assert.IsInstanceOfType<FormatException>(error);
            StringAssert.Contains(error.Message, fragment);
            var plain = LoadWithin(() => ml.Model.Load(new MemoryStream(damaged), out _));
            StringAssert.Contains(plain.InnerException?.InnerException?.Message, fragment, plain.ToString());
            Assert.IsInstanceOfType<FormatException>(plain.InnerException?.InnerException);
        }

        [TestMethod]
        public void AHistoryLengthLargerThanTheFileIsRefusedBeforeReading()
        {
            var (ml, _, model, file) = Saved();
            int historyOffset = WeightsOffset(ReadEntry(file), model) + 4 * (N * M + M) + EncodingBytes + 4;
            Assert.AreEqual(model.History.Iterations.Count, BitConverter.ToInt32(ReadEntry(file), historyOffset), "the history length follows W, b, the encoding and the stop reason");
            byte[] damaged = Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(historyOffset), 100_000_000));
            var error = LoadWithin(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(damaged), out _));
            Assert.IsInstanceOfType<FormatException>(error);
            StringAssert.Contains(error.Message, "100000000 history entries needs 4500000000 bytes");
        }

        [TestMethod]
        public void ANegativeColumnCountIsRefused()
        {
            // ML.NET's base class would allocate a negative-length array (OverflowException).
            var (ml, _, _, file) = Saved();
            byte[] damaged = Patch(file, e => e[0x100 + 3] = 0x80);
            AssertLoadFails(ml, damaged, "The model has -2147483647 output columns; a shared autoencoder has 1 to 3.");
        }

        // Format 0x00010004: int encoding, byte split, float α, int k, byte normalization (0: none, so no μ and s), double
        // dead-unit fraction, byte constant codes after b.
        private const int EncodingBytes = 4 + 1 + 4 + 4 + 1 + 8 + 1;

        public static IEnumerable<object[]> PlausibleChanges()
        {
            // Changes every range check accepts: only the checksum can tell.
            yield return new object[] { "activation ReLU → hard threshold", (Func<SharedAutoencoderTransformer, int>)(model => -8), (Action<byte[], int>)((e, at) => e[at] = 1) };
            yield return new object[] { "threshold", (Func<SharedAutoencoderTransformer, int>)(model => -4), (Action<byte[], int>)((e, at) => e[at + 3] ^= 0x01) };
            yield return new object[] { "last bit of a bias value", (Func<SharedAutoencoderTransformer, int>)(model => 4 * N * M), (Action<byte[], int>)((e, at) => e[at] ^= 0x01) };
            yield return new object[] { "last bit of a weight", (Func<SharedAutoencoderTransformer, int>)(model => 4), (Action<byte[], int>)((e, at) => e[at] ^= 0x01) };
            yield return new object[] { "encoding Activation → SoftThreshold (α = 0)", (Func<SharedAutoencoderTransformer, int>)(model => 4 * (N * M + M)), (Action<byte[], int>)((e, at) => e[at] ^= 0x01) };
            yield return new object[] { "polarity split flag", (Func<SharedAutoencoderTransformer, int>)(model => 4 * (N * M + M) + 4), (Action<byte[], int>)((e, at) => e[at] ^= 0x01) };
            yield return new object[] { "dead-unit fraction", (Func<SharedAutoencoderTransformer, int>)(model => 4 * (N * M + M) + 14), (Action<byte[], int>)((e, at) => e[at] ^= 0x01) };
            yield return new object[] { "stop reason", (Func<SharedAutoencoderTransformer, int>)(model => 4 * (N * M + M) + EncodingBytes), (Action<byte[], int>)((e, at) => e[at] ^= 0x01) };
            yield return new object[] { "a history loss", (Func<SharedAutoencoderTransformer, int>)(model => 4 * (N * M + M) + EncodingBytes + 8 + 4), (Action<byte[], int>)((e, at) => e[at] ^= 0x01) };
        }

        [TestMethod]
        [DynamicData(nameof(PlausibleChanges))]
        public void AChangeThatPassesEveryRangeCheckIsFoundByTheChecksum(string what, Func<SharedAutoencoderTransformer, int> offsetFromWeights, Action<byte[], int> change)
        {
            var (ml, _, model, file) = Saved();
            int at = WeightsOffset(ReadEntry(file), model) + offsetFromWeights(model);
            Console.WriteLine(what);
            AssertLoadFails(ml, Patch(file, e => change(e, at)), "The model file is damaged: the transformer's checksum is");
        }

        [TestMethod]
        public void ARenamedColumnIsFoundByTheChecksum()
        {
            // ML.NET keeps the column names in the model's string table, outside the transformer's data; the checksum covers them.
            var (ml, _, _, file) = Saved();
            byte[] name = System.Text.Encoding.Unicode.GetBytes("Features");
            int at = ReadEntry(file).AsSpan().IndexOf(name);
            Assert.IsGreaterThan(0, at);
            AssertLoadFails(ml, Patch(file, e => e[at] = (byte)'G'), "The model file is damaged: the transformer's checksum is");
        }

        [TestMethod]
        public void ADamagedZipEntryIsFoundByItsCrc()
        {
            // Without the check, a changed deflate byte can decode to different data without any error.
            var (ml, _, _, file) = Saved();
            int failures = 0;
            for (int at = 0; at < file.Length; at++)
            {
                byte[] damaged = (byte[])file.Clone();
                damaged[at] ^= 0x04;
                try
                {
                    ml.Model.LoadSharedAutoencoder(new MemoryStream(damaged), out _);
                }
                catch (FormatException error) when (error.Message.Contains("is damaged: it holds"))
                {
                    failures++;
                }
                catch (FormatException)
                {
                }
            }
            Assert.IsGreaterThan(100, failures, "the CRC-32 of the entries must be compared");
        }

        [TestMethod]
        public void AZipThatIsNotAModelIsAFormatException()
        {
            var (ml, _, _, _) = Saved();
            using var stream = new MemoryStream();
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            {
                using var entry = zip.CreateEntry("notes.txt").Open();
                entry.Write("not a model"u8);
            }
            var error = Assert.Throws<FormatException>(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(stream.ToArray()), out _));
            Assert.AreEqual("Cannot load a shared autoencoder model from the stream: it is a zip archive but not an ML.NET model: it has no 'TransformerChain/Model.key' entry.", error.Message);
        }

        [TestMethod]
        public void AFileOfTheFirstFormatStillLoadsWithItsCodes()
        {
            // Written by format 0x00010001 (no checksum): N = 6, M = 3, 40 mixture rows (seed 3), Iterations = 3, Seed = 2.
            var ml = new MLContext(1);
            string path = Path.Combine(AppContext.BaseDirectory, "Reliability", "Data", "model-format-00010001.zip");
            Assert.AreEqual(0x00010001u, BitConverter.ToUInt32(ReadEntry(File.ReadAllBytes(path)), ModelVerWrittenOffset));
            var model = ml.Model.LoadSharedAutoencoder(path, out _);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, 40, seed: 3).Take(5).ToArray(), N);
            // The codes as that version computed them (one dot product per unit). The transform now computes Wᵀy with the
            // blocked projection kernel (another summation order): the same zeros, the values within a few float32 ulps.
            int[] expected = { 0, 0, 0, 0, 0, 1019168228, 0, 0, 0, 0, 0, 0, 0, 1064051903, 1059939537 };
            float[] codes = ReliabilityData.Codes(model.Transform(data)).SelectMany(c => c).ToArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.AreEqual(BitConverter.Int32BitsToSingle(expected[i]), codes[i], 8e-7f * Math.Abs(BitConverter.Int32BitsToSingle(expected[i])), $"code value {i}");
            Assert.AreEqual(CodeEncoding.Activation, model.Model.Encoding.Kind);
            Assert.IsFalse(model.Model.Encoding.SplitPolarity);
            Assert.HasCount(4, model.History.Iterations);

            // Saving it again writes the current format, which loads with the same codes.
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            Assert.AreEqual(0x00010004u, BitConverter.ToUInt32(ReadEntry(stream.ToArray()), ModelVerWrittenOffset));
            var again = ml.Model.LoadSharedAutoencoder(new MemoryStream(stream.ToArray()), out _);
            CollectionAssert.AreEqual(ReliabilityData.Bits(codes), ReliabilityData.Bits(ReliabilityData.Codes(again.Transform(data)).SelectMany(c => c).ToArray()));
        }

        [TestMethod]
        public void AFileOfTheEncodingFormatStillLoadsWithItsCodesAndNoNormalization()
        {
            // Written by format 0x00010003 (before the normalization), the code of commit e5d7db2: n = 6, 40 rows
            // y_tj = sin(0.37 t + 1.3 j) + 0.5, HiddenUnits = 3, 3 iterations, Seed = 2, split soft threshold α = 0.1, with a
            // reconstruction column (the writer: a console program, kept next to the file's description in the history).
            var ml = new MLContext(1);
            string path = Path.Combine(AppContext.BaseDirectory, "Reliability", "Data", "model-format-00010003.zip");
            Assert.AreEqual(0x00010003u, BitConverter.ToUInt32(ReadEntry(File.ReadAllBytes(path)), ModelVerWrittenOffset));
            var model = ml.Model.LoadSharedAutoencoder(path, out _);
            Assert.AreEqual(InputNormalization.None, model.Model.Normalization);
            Assert.AreEqual(CodeEncodingSettings.SoftThreshold(0.1f, splitPolarity: true), model.Model.Encoding);
            float[][] rows = Enumerable.Range(0, 5).Select(t => Enumerable.Range(0, 6).Select(j => (float)Math.Sin(0.37 * t + 1.3 * j) + 0.5f).ToArray()).ToArray();
            var data = ReliabilityData.View(ml, rows, 6);
            // What that version computed (the same projection kernel): bit for bit.
            int[] expected = { 0, 1062864653, 0, 1064839710, 0, 1069785975, 0, 1059934514, 0, 1068752343, 0, 1072390590, 0, 1057490444, 0,
                1071826448, 0, 1073743403, 0, 1054761863, 0, 1073822268, 0, 1073665835, 0, 1053581635, 0, 1074220974, 0, 1072163871 };
            int[] expectedReconstruction = { 1061560032, 1070617668, 1065613644, 1051771851, 1066349985, 1071599248, 1065370036, 1073306548,
                1065758663, 1046600920, 1068362674, 1074507550 };
            var output = model.Transform(data);
            CollectionAssert.AreEqual(expected, ReliabilityData.Bits(ReliabilityData.Codes(output).SelectMany(c => c).ToArray()));
            CollectionAssert.AreEqual(expectedReconstruction, ReliabilityData.Bits(ReliabilityData.Codes(output, "Reconstruction").Take(2).SelectMany(c => c).ToArray()));

            // Saved again: the current format, no normalization, the same codes.
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            Assert.AreEqual(0x00010004u, BitConverter.ToUInt32(ReadEntry(stream.ToArray()), ModelVerWrittenOffset));
            var again = ml.Model.LoadSharedAutoencoder(new MemoryStream(stream.ToArray()), out _);
            CollectionAssert.AreEqual(expected, ReliabilityData.Bits(ReliabilityData.Codes(again.Transform(data)).SelectMany(c => c).ToArray()));
        }

        [TestMethod]
        public void ADamagedNormalizationIsRefused()
        {
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, 40, seed: 3).Select(r => r.Select(v => 10 * v + 2).ToArray()).ToArray(), N);
            var model = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { HiddenUnits = M, Seed = 2 }).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            byte[] file = stream.ToArray();
            // After b: int encoding, byte split, float α, int k, then the normalization kind, s and μ.
            int kind = WeightsOffset(ReadEntry(file), model) + 4 * (N * M + M) + 4 + 1 + 4 + 4;
            Assert.AreEqual(1, ReadEntry(file)[kind], "CenterAndScale");
            Assert.AreEqual(model.Model.Scale, BitConverter.ToSingle(ReadEntry(file), kind + 1));
            AssertLoadFails(ml, Patch(file, e => e[kind] = 7), "The model's normalization 7 is unknown.");
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(kind + 1), -1f)), "The model's normalization scale -1 is not positive and finite.");
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(kind + 5 + 4 * 2), float.NaN)), "The model's normalization center contains NaN or infinity.");
            // A plausible change of μ: only the checksum can tell.
            AssertLoadFails(ml, Patch(file, e => e[kind + 5] ^= 0x01), "The model file is damaged: the transformer's checksum is");
        }
    }
}
