using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Data
{
    [TestClass]
    public sealed class IdxTests
    {
        // Three 2×3 images and their labels 2, 0, 1.
        private static readonly byte[] Pixels = { 0, 255, 51, 102, 153, 204, 1, 2, 3, 4, 5, 6, 250, 0, 0, 0, 0, 128 };
        private static readonly byte[] Labels = { 2, 0, 1 };

        private string _directory = null!;

        [TestInitialize]
        public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("idx-tests-").FullName;

        [TestCleanup]
        public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

        private static byte[] Idx(byte type, int[] dims, byte[] data)
        {
            var bytes = new byte[4 + 4 * dims.Length + data.Length];
            bytes[2] = type;
            bytes[3] = (byte)dims.Length;
            for (int d = 0; d < dims.Length; d++)
                BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
            data.CopyTo(bytes, 4 + 4 * dims.Length);
            return bytes;
        }

        private static byte[] Gzip(byte[] bytes)
        {
            using var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
                gzip.Write(bytes);
            return output.ToArray();
        }

        private string Write(string name, byte[] bytes)
        {
            string path = Path.Combine(_directory, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }

        private (string Images, string Labels) WriteValid(bool gzip)
        {
            byte[] images = Idx(0x08, new[] { 3, 2, 3 }, Pixels), labels = Idx(0x08, new[] { 3 }, Labels);
            return gzip
                ? (Write("images.gz", Gzip(images)), Write("labels.gz", Gzip(labels)))
                : (Write("images", images), Write("labels", labels));
        }

        private static List<(ulong Id, float[] Features, uint Label)> ReadAll(IDataView view, Random? rand = null)
        {
            var rows = new List<(ulong, float[], uint)>();
            using DataViewRowCursor cursor = view.GetRowCursor(view.Schema, rand);
            var features = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
            var label = cursor.GetGetter<uint>(view.Schema["Label"]);
            var id = cursor.GetIdGetter();
            while (cursor.MoveNext())
            {
                VBuffer<float> values = default;
                uint key = 0;
                DataViewRowId rowId = default;
                features(ref values);
                label(ref key);
                id(ref rowId);
                rows.Add((rowId.Low, values.DenseValues().ToArray(), key));
            }
            return rows;
        }

        [TestMethod]
        [DataRow(false)]
        [DataRow(true)]
        public void ReadsPixelsScaledToUnitIntervalAndLabelsAsKeys(bool gzip)
        {
            var (images, labels) = WriteValid(gzip);
            IdxDataView view = new MLContext(1).Data.LoadFromIdx(images, labels);

            Assert.AreEqual(3L, view.GetRowCount());
            Assert.AreEqual(2, view.ImageHeight);
            Assert.AreEqual(3, view.ImageWidth);
            Assert.AreEqual(3, view.LabelCount);
            Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 6), view.Schema["Features"].Type);
            Assert.AreEqual(new KeyDataViewType(typeof(uint), 3), view.Schema["Label"].Type);

            var rows = ReadAll(view);
            Assert.HasCount(3, rows);
            for (int r = 0; r < 3; r++)
            {
                Assert.AreEqual((ulong)r, rows[r].Id);
                CollectionAssert.AreEqual(Pixels.Skip(6 * r).Take(6).Select(b => b / 255f).ToArray(), rows[r].Features);
                Assert.AreEqual(Labels[r] + 1u, rows[r].Label, "label v is key v + 1");
            }
            Assert.AreEqual(1f, rows[0].Features[1]);
            Assert.AreEqual(0.2f, rows[0].Features[2]);
        }

        [TestMethod]
        public void KeyValuesGiveBackTheLabels()
        {
            var (images, labels) = WriteValid(gzip: false);
            var context = new MLContext(1);
            IDataView mapped = context.Transforms.Conversion.MapKeyToValue("LabelText", "Label").Fit(context.Data.LoadFromIdx(images, labels)).Transform(context.Data.LoadFromIdx(images, labels));
            string[] texts = mapped.GetColumn<ReadOnlyMemory<char>>("LabelText").Select(t => t.ToString()).ToArray();
            CollectionAssert.AreEqual(new[] { "2", "0", "1" }, texts);
        }

        [TestMethod]
        [DataRow(false)]
        [DataRow(true)]
        public void RowLimitReadsTheFirstRowsAndKeepsTheKeyCount(bool gzip)
        {
            var (images, labels) = WriteValid(gzip);
            IdxDataView view = new MLContext(1).Data.LoadFromIdx(images, labels, rowLimit: 1);
            Assert.AreEqual(1L, view.RowCount);
            Assert.AreEqual(3, view.LabelCount, "the key count comes from the whole labels file");
            var rows = ReadAll(view);
            Assert.HasCount(1, rows);
            Assert.AreEqual(3u, rows[0].Label);
            Assert.AreEqual(3L, new MLContext(1).Data.LoadFromIdx(images, labels, rowLimit: 100).RowCount);
        }

        [TestMethod]
        public void LabelCountCanBeGivenButMustExceedEveryLabel()
        {
            var (images, labels) = WriteValid(gzip: false);
            var data = new MLContext(1).Data;
            Assert.AreEqual(new KeyDataViewType(typeof(uint), 10), data.LoadFromIdx(images, labels, labelCount: 10).Schema["Label"].Type);
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => data.LoadFromIdx(images, labels, labelCount: 2));
            StringAssert.Contains(e.Message, "label 2");
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => data.LoadFromIdx(images, labels, labelCount: 0));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => data.LoadFromIdx(images, labels, rowLimit: 0));
        }

        [TestMethod]
        public void WithoutLabelsOnlyFeatures()
        {
            var (images, _) = WriteValid(gzip: true);
            IdxDataView view = new MLContext(1).Data.LoadFromIdx(images);
            Assert.AreEqual(1, view.Schema.Count);
            Assert.IsNull(view.LabelCount);
            float[][] features = view.GetColumn<float[]>("Features").ToArray();
            Assert.HasCount(3, features);
            Assert.AreEqual(128 / 255f, features[2][5]);
        }

        [TestMethod]
        public void ShuffledCursorVisitsEveryRowOnceWithItsOwnData()
        {
            byte[] pixels = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
            byte[] labels = Enumerable.Range(0, 200).Select(i => (byte)(i % 7)).ToArray();
            string imagesPath = Write("many-images", Idx(0x08, new[] { 200, 1, 1 }, pixels));
            string labelsPath = Write("many-labels", Idx(0x08, new[] { 200 }, labels));
            IdxDataView view = new MLContext(1).Data.LoadFromIdx(imagesPath, labelsPath);
            var rows = ReadAll(view, new Random(5));
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 200).Select(i => (ulong)i).ToArray(), rows.Select(r => r.Id).ToArray());
            CollectionAssert.AreNotEqual(Enumerable.Range(0, 200).Select(i => (ulong)i).ToArray(), rows.Select(r => r.Id).ToArray(), "the order is shuffled");
            foreach (var (id, features, label) in rows)
            {
                Assert.AreEqual(id / 255f, features[0]);
                Assert.AreEqual((uint)(id % 7) + 1, label);
            }
        }

        [TestMethod]
        public void AbsentFileNamesThePath()
        {
            var (images, _) = WriteValid(gzip: false);
            string absent = Path.Combine(_directory, "t10k-labels-idx1-ubyte.gz");
            var e = Assert.ThrowsExactly<FileNotFoundException>(() => new MLContext(1).Data.LoadFromIdx(images, absent));
            StringAssert.Contains(e.Message, absent);
            Assert.ThrowsExactly<FileNotFoundException>(() => new MLContext(1).Data.LoadFromIdx(Path.Combine(_directory, "none")));
            Assert.ThrowsExactly<ArgumentException>(() => new MLContext(1).Data.LoadFromIdx(" "));
        }

        private void AssertFormatError(byte[] bytes, string expected, bool labels = false)
        {
            foreach (bool gzip in new[] { false, true })
            {
                string path = Write(gzip ? "bad.gz" : "bad", gzip ? Gzip(bytes) : bytes);
                var data = new MLContext(1).Data;
                var e = Assert.ThrowsExactly<FormatException>(() =>
                {
                    if (labels)
                        data.LoadFromIdx(WriteValid(gzip: false).Images, path);
                    else
                        data.LoadFromIdx(path);
                });
                StringAssert.Contains(e.Message, expected, $"gzip: {gzip}");
                StringAssert.Contains(e.Message, path);
            }
        }

        [TestMethod]
        public void WrongMagicIsAFormatError()
        {
            AssertFormatError("hello, world"u8.ToArray(), "not an IDX images file");
            AssertFormatError(Idx(0x0D, new[] { 3, 2, 3 }, new byte[72]), "32-bit float");
            AssertFormatError(Idx(0x08, new[] { 3 }, Labels), "swapped");
            AssertFormatError(Idx(0x08, new[] { 3, 2, 3 }, Pixels), "swapped", labels: true);
        }

        [TestMethod]
        public void TruncatedFileIsAFormatError()
        {
            byte[] whole = Idx(0x08, new[] { 3, 2, 3 }, Pixels);
            AssertFormatError(whole[..^1], "truncated");
            AssertFormatError(whole[..10], "truncated inside its header");
            AssertFormatError(Array.Empty<byte>(), "truncated inside its header");
            AssertFormatError(Idx(0x08, new[] { 3 }, Labels)[..^1], "truncated", labels: true);
        }

        [TestMethod]
        public void BytesAfterTheDeclaredDataAreAFormatError()
            => AssertFormatError(Idx(0x08, new[] { 3, 2, 3 }, Pixels.Concat(new byte[] { 7 }).ToArray()), "after the");

        [TestMethod]
        public void DamagedGzipIsAFormatError()
        {
            byte[] compressed = Gzip(Idx(0x08, new[] { 3, 2, 3 }, Pixels));
            string path = Write("cut.gz", compressed[..(compressed.Length / 2)]);
            var e = Assert.ThrowsExactly<FormatException>(() => new MLContext(1).Data.LoadFromIdx(path));
            StringAssert.Contains(e.Message, path);
        }

        [TestMethod]
        public void HugeDimensionsInTheHeaderFailFastWithoutAllocating()
        {
            // Each declares far more data than follows; none may hang or run out of memory.
            AssertFormatError(Idx(0x08, new[] { int.MaxValue, 28, 28 }, Pixels), "");
            AssertFormatError(Idx(0x08, new[] { 2_000_000, 28, 28 }, Pixels), "truncated");
            AssertFormatError(Idx(0x08, new[] { 3, 65536, 65536 }, Pixels), "");
            AssertFormatError(Idx(0x08, new[] { int.MaxValue }, Labels), "", labels: true);
            byte[] beyondInt = Idx(0x08, new[] { 3, 2, 3 }, Pixels);
            beyondInt[8] = 0xFF; // rows = 0xFF000002 > int.MaxValue
            AssertFormatError(beyondInt, "dimension 1");
            AssertFormatError(Idx(0x08, new[] { 3, 0, 3 }, Array.Empty<byte>()), "dimension 1");
        }

        [TestMethod]
        public void ImagesAndLabelsCountsMustAgree()
        {
            string images = Write("images", Idx(0x08, new[] { 3, 2, 3 }, Pixels));
            string labels = Write("labels", Idx(0x08, new[] { 2 }, Labels[..2]));
            var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(1).Data.LoadFromIdx(images, labels));
            StringAssert.Contains(e.Message, "3 images");
            StringAssert.Contains(e.Message, "2 labels");
            Assert.ThrowsExactly<ArgumentException>(() => new MLContext(1).Data.LoadFromIdx(images, labels, rowLimit: 2), "the header counts must agree even with a row limit");
        }
    }
}
