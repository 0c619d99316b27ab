using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SharedAutoencoder.Tests.Whitening
{
    [TestClass]
    public sealed class WhiteningModelFileTests
    {
        private const int N = 7;
        private const int Rows = 400;

        private static (MLContext Ml, IDataView Data, float[][] Rows, WhiteningTransformer Model, byte[] File) Saved(WhiteningKind kind, int rank = 0)
        {
            var ml = new MLContext(seed: 1);
            float[][] rows = WhiteningData.Correlated(Rows, N, 3);
            IDataView data = WhiteningData.Load(ml, rows);
            var model = ml.Transforms.Whiten("White", "Features", kind, rank: rank).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            return (ml, data, rows, model, stream.ToArray());
        }

        private static void AssertBitIdentical(float[][] expected, float[][] actual)
        {
            Assert.HasCount(expected.Length, actual);
            for (int t = 0; t < expected.Length; t++)
                CollectionAssert.AreEqual(expected[t], actual[t], $"row {t}");
        }

        [TestMethod]
        [DataRow(WhiteningKind.Zca, 0)]
        [DataRow(WhiteningKind.Pca, 0)]
        [DataRow(WhiteningKind.Pca, 3)]
        [DataRow(WhiteningKind.Zca, 2)]
        public void SaveLoadIsBitIdentical(WhiteningKind kind, int rank)
        {
            var (ml, data, _, model, file) = Saved(kind, rank);
            ITransformer loaded = ml.Model.Load(new MemoryStream(file), out var schema);
            Assert.IsInstanceOfType<WhiteningTransformer>(loaded);
            var whitening = (WhiteningTransformer)loaded;
            Assert.AreEqual(kind, whitening.Kind);
            Assert.AreEqual(model.Rank, whitening.Rank);
            Assert.AreEqual(model.Epsilon, whitening.Epsilon);
            Assert.AreEqual(model.RowCount, whitening.RowCount);
            CollectionAssert.AreEqual(model.GetEigenvalues(), whitening.GetEigenvalues());
            AssertBitIdentical(WhiteningData.Column(model.Transform(data), "White"), WhiteningData.Column(loaded.Transform(data), "White"));
            Assert.AreEqual(data.Schema["Features"].Type, schema["Features"].Type);
        }

        [TestMethod]
        public void SavedModelLoadsInAFreshProcessWithIdenticalOutput()
        {
            var (_, data, rows, model, file) = Saved(WhiteningKind.Zca);
            float[][] expected = WhiteningData.Column(model.Transform(data), "White");
            string directory = Path.Combine(Path.GetTempPath(), "saew-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            try
            {
                string modelPath = Path.Combine(directory, "model.zip");
                string rowsPath = Path.Combine(directory, "rows.bin");
                string outputPath = Path.Combine(directory, "white.bin");
                File.WriteAllBytes(modelPath, file);
                LoadProbe.WriteRows(rowsPath, Rows, N, rows.SelectMany(r => r).ToArray());
                LoadProbe.Run(modelPath, rowsPath, outputPath, "White");

                using var reader = new BinaryReader(File.OpenRead(outputPath));
                Assert.AreEqual(Rows, reader.ReadInt32());
                Assert.AreEqual(N, reader.ReadInt32());
                for (int t = 0; t < Rows; t++)
                {
                    for (int j = 0; j < N; j++)
                        Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[t][j]), BitConverter.SingleToInt32Bits(reader.ReadSingle()), $"row {t}, value {j}");
                }
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        // The zip entry holding the whitening model: the one containing the saved mean.
        private static (string Name, byte[] Content, int MeanOffset) ModelEntry(byte[] file, WhiteningTransformer model)
        {
            byte[] mean = MemoryMarshal.AsBytes(model.GetMean().AsSpan()).ToArray();
            using var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read);
            foreach (var entry in zip.Entries)
            {
                using var stream = new MemoryStream();
                using (var source = entry.Open())
                    source.CopyTo(stream);
                byte[] content = stream.ToArray();
                int offset = content.AsSpan().IndexOf(mean);
                if (offset >= 0)
                    return (entry.FullName, content, offset);
            }
            throw new AssertFailedException("no entry holds the model's mean");
        }

        private static byte[] ReplaceEntry(byte[] file, string name, byte[] content) => Reliability.ZipEntries.Replace(file, content, name);

        private static void AssertLoadFails(MLContext ml, byte[] file, string fragment)
        {
            Exception error = Assert.Throws<Exception>(() => ml.Model.Load(new MemoryStream(file), out _));
            Exception? format = error;
            while (format != null && format is not FormatException)
                format = format.InnerException;
            Assert.IsNotNull(format, $"expected a FormatException, got {error}");
            StringAssert.Contains(format.Message, fragment);
        }

        [TestMethod]
        public void ANonFiniteMatrixEntryIsRefused()
        {
            var (ml, _, _, model, file) = Saved(WhiteningKind.Pca);
            var (name, content, meanOffset) = ModelEntry(file, model);
            BitConverter.TryWriteBytes(content.AsSpan(meanOffset + 4 * N + 4 * 5), float.NaN);
            AssertLoadFails(ml, ReplaceEntry(file, name, content), "matrix contains NaN");
        }

        [TestMethod]
        public void AnAsymmetricZcaMatrixIsRefused()
        {
            var (ml, _, _, model, file) = Saved(WhiteningKind.Zca);
            var (name, content, meanOffset) = ModelEntry(file, model);
            int offset = meanOffset + 4 * N + 4 * (1 * N + 0);
            BitConverter.TryWriteBytes(content.AsSpan(offset), BitConverter.ToSingle(content, offset) + 1);
            AssertLoadFails(ml, ReplaceEntry(file, name, content), "not symmetric");
        }

        [TestMethod]
        public void AnImpossibleRankIsRefused()
        {
            var (ml, _, _, model, file) = Saved(WhiteningKind.Pca);
            var (name, content, meanOffset) = ModelEntry(file, model);
            // The rank precedes the row count (8 bytes) just before the mean.
            int rankOffset = meanOffset - 8 - 4;
            Assert.AreEqual(N, BitConverter.ToInt32(content, rankOffset));
            BitConverter.TryWriteBytes(content.AsSpan(rankOffset), N + 1);
            AssertLoadFails(ml, ReplaceEntry(file, name, content), "impossible");
        }

        [TestMethod]
        public void AHugeDimensionIsRefusedBeforeReading()
        {
            var (ml, _, _, model, file) = Saved(WhiteningKind.Pca);
            var (name, content, meanOffset) = ModelEntry(file, model);
            int nOffset = meanOffset - 8 - 4 - 4;
            Assert.AreEqual(N, BitConverter.ToInt32(content, nOffset));
            BitConverter.TryWriteBytes(content.AsSpan(nOffset), 1_000_000);
            AssertLoadFails(ml, ReplaceEntry(file, name, content), "truncated");
        }

        [TestMethod]
        public void ACutShortEntryIsRefused()
        {
            var (ml, _, _, model, file) = Saved(WhiteningKind.Zca);
            var (name, content, meanOffset) = ModelEntry(file, model);
            AssertLoadFails(ml, ReplaceEntry(file, name, content.AsSpan(0, meanOffset + 10).ToArray()), "");
        }

        [TestMethod]
        public void AChangedValueThatPassesTheRangeChecksFailsTheChecksum()
        {
            var (ml, _, _, model, file) = Saved(WhiteningKind.Pca);
            var (name, content, meanOffset) = ModelEntry(file, model);
            // A plausible mean: finite, so only the checksum can tell.
            BitConverter.TryWriteBytes(content.AsSpan(meanOffset), BitConverter.ToSingle(content, meanOffset) + 0.5f);
            byte[] damaged = ReplaceEntry(file, name, content);
            AssertLoadFails(ml, damaged, "checksum");
            var error = Assert.ThrowsExactly<FormatException>(() => ml.Model.LoadWhitening(new MemoryStream(damaged), out _));
            StringAssert.Contains(error.Message, "Cannot load a whitening model from the stream: The model file is damaged: the transformer's checksum");
        }

        [TestMethod]
        public void LoadWhiteningReturnsTheTransformerAndRefusesOtherModels()
        {
            var (ml, data, _, model, file) = Saved(WhiteningKind.Zca);
            WhiteningTransformer loaded = ml.Model.LoadWhitening(new MemoryStream(file), out var schema);
            AssertBitIdentical(WhiteningData.Column(model.Transform(data), "White"), WhiteningData.Column(loaded.Transform(data), "White"));
            Assert.AreEqual(data.Schema["Features"].Type, schema["Features"].Type);

            var normalizer = ml.Transforms.NormalizeMinMax("Features").Fit(data);
            using var other = new MemoryStream();
            ml.Model.Save(normalizer, data.Schema, other);
            var error = Assert.ThrowsExactly<FormatException>(() => ml.Model.LoadWhitening(new MemoryStream(other.ToArray()), out _));
            StringAssert.Contains(error.Message, "is a NormalizingTransformer, not a WhiteningTransformer");
            var truncated = Assert.ThrowsExactly<FormatException>(() => ml.Model.LoadWhitening(new MemoryStream(file.AsSpan(0, file.Length / 2).ToArray()), out _));
            StringAssert.Contains(truncated.Message, "not a readable zip archive");
        }
    }
}
