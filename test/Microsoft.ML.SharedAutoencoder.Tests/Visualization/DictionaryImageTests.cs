using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Visualization;

using Png = Microsoft.ML.SharedAutoencoder.Tests.PngDecoder.Png;

namespace Microsoft.ML.SharedAutoencoder.Tests.Visualization
{
    [TestClass]
    public sealed class DictionaryImageTests
    {
        // 2×3 atoms: entry r·3 + c is the tile's pixel (r, c).
        private static readonly float[] Known = { 0f, 2f, -2f, 0.5f, -0.5f, 1f };
        private static readonly byte[] KnownLevels = { 128, 255, 1, 160, 96, 192 }; // round(128 + 127·w / 2)

        private string _directory = null!;

        [TestInitialize]
        public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("dictionary-image-tests-").FullName;

        [TestCleanup]
        public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

        private static Png Render(float[][] atoms, int tileHeight, int tileWidth, int? columns = null, int scale = 1)
        {
            using var stream = new MemoryStream();
            DictionaryImage.SavePng(atoms, tileHeight, tileWidth, stream, columns, scale);
            return PngDecoder.Decode(stream.ToArray());
        }

        private static byte[] Tile(Png png, int left, int top, int height, int width)
        {
            var tile = new byte[height * width];
            for (int r = 0; r < height; r++)
                Array.Copy(png.Pixels, (top + r) * png.Width + left, tile, r * width, width);
            return tile;
        }

        [TestMethod]
        public void Crc32MatchesTheStandardCheckValue()
            => Assert.AreEqual(0xCBF43926u, PngEncoder.Crc32(0, "123456789"u8));

        [TestMethod]
        public void AtomPixelsMapSymmetricallyAroundGrey()
        {
            Png png = Render(new[] { Known, new float[6] }, 2, 3);
            // Two atoms: a 2-column grid of 2×3 tiles with a 1-pixel gap.
            Assert.AreEqual(7, png.Width);
            Assert.AreEqual(2, png.Height);
            CollectionAssert.AreEqual(KnownLevels, Tile(png, 0, 0, 2, 3));
            CollectionAssert.AreEqual(Enumerable.Repeat(DictionaryImage.ZeroLevel, 6).ToArray(), Tile(png, 4, 0, 2, 3), "an all-zero atom is grey");
            Assert.AreEqual(DictionaryImage.GapLevel, png.Pixels[3]);
            Assert.AreEqual(DictionaryImage.GapLevel, png.Pixels[7 + 3]);
            // Contrast is per atom: scaling an atom does not change its tile.
            CollectionAssert.AreEqual(KnownLevels, Tile(Render(new[] { Known.Select(v => v * 1000).ToArray() }, 2, 3), 0, 0, 2, 3));
        }

        [TestMethod]
        public void GridIsNearSquareInReadingOrder()
        {
            float[][] atoms = Enumerable.Range(0, 5).Select(i => Known.Select(v => i % 2 == 0 ? v : -v).ToArray()).ToArray();
            Png png = Render(atoms, 2, 3);
            // ⌈√5⌉ = 3 columns, 2 grid rows.
            Assert.AreEqual(3 * 4 - 1, png.Width);
            Assert.AreEqual(2 * 3 - 1, png.Height);
            byte[] negated = KnownLevels.Select(l => (byte)(256 - l)).ToArray();
            CollectionAssert.AreEqual(negated, Tile(png, 4, 0, 2, 3), "atom 1: row 0, column 1");
            CollectionAssert.AreEqual(negated, Tile(png, 0, 3, 2, 3), "atom 3: row 1, column 0");
            CollectionAssert.AreEqual(KnownLevels, Tile(png, 4, 3, 2, 3), "atom 4: row 1, column 1");
            CollectionAssert.AreEqual(new byte[6], Tile(png, 8, 3, 2, 3), "the unused cell is gap-coloured");

            Png oneRow = Render(atoms, 2, 3, columns: 5);
            Assert.AreEqual(5 * 4 - 1, oneRow.Width);
            Assert.AreEqual(2, oneRow.Height);
        }

        [TestMethod]
        public void ScaleMagnifiesEachEntry()
        {
            Png png = Render(new[] { Known }, 2, 3, scale: 2);
            Assert.AreEqual(6, png.Width);
            Assert.AreEqual(4, png.Height);
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 6; x++)
                    Assert.AreEqual(KnownLevels[y / 2 * 3 + x / 2], png.Pixels[y * 6 + x], $"pixel ({y}, {x})");
        }

        [TestMethod]
        public void SavesAFileThatDecodes()
        {
            string path = Path.Combine(_directory, "atoms.png");
            File.WriteAllText(path, "old");
            DictionaryImage.SavePng(new[] { Known }, 2, 3, path);
            Png png = PngDecoder.Decode(File.ReadAllBytes(path));
            CollectionAssert.AreEqual(KnownLevels, png.Pixels);
            CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(_directory), "no temporary file is left");
        }

        [TestMethod]
        public void FailedSaveKeepsTheExistingFile()
        {
            string path = Path.Combine(_directory, "atoms.png");
            File.WriteAllText(path, "old");
            float[] bad = (float[])Known.Clone();
            bad[4] = float.NaN;
            var e = Assert.ThrowsExactly<ArgumentException>(() => DictionaryImage.SavePng(new[] { Known, bad }, 2, 3, path));
            StringAssert.Contains(e.Message, "Atom 1");
            Assert.AreEqual("old", File.ReadAllText(path));

            // The rename itself fails (the target is a directory): the temporary file is removed, the target untouched.
            string directoryTarget = Path.Combine(_directory, "taken");
            Directory.CreateDirectory(directoryTarget);
            Assert.Throws<IOException>(() => DictionaryImage.SavePng(new[] { Known }, 2, 3, directoryTarget));
            Assert.IsTrue(Directory.Exists(directoryTarget));
            CollectionAssert.AreEquivalent(new[] { path }, Directory.GetFiles(_directory));

            Assert.ThrowsExactly<DirectoryNotFoundException>(() => DictionaryImage.SavePng(new[] { Known }, 2, 3, Path.Combine(_directory, "absent", "atoms.png")));
        }

        [TestMethod]
        public void BadArgumentsSayWhatIsWrong()
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => Render(new[] { Known }, 8, 8));
            StringAssert.Contains(e.Message, "8×8 tile needs 64");
            Assert.ThrowsExactly<ArgumentException>(() => Render(Array.Empty<float[]>(), 2, 3));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Render(new[] { Known }, 2, 3, columns: 2));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Render(new[] { Known }, 2, 3, scale: 0));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Render(new[] { Known }, 0, 3));
        }
        [TestMethod]
        public void DrawsTheAtomsOfAModelTrainedOnIdxImages()
        {
            // 40 random 3×3 images, as an IDX file, through the estimator, to the picture.
            var random = new Random(4);
            var file = new byte[4 + 12 + 40 * 9];
            file[2] = 0x08;
            file[3] = 3;
            BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4), 40);
            BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(8), 3);
            BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(12), 3);
            random.NextBytes(file.AsSpan(16));
            string path = Path.Combine(_directory, "images-idx3-ubyte");
            File.WriteAllBytes(path, file);

            var context = new MLContext(1);
            IdxDataView data = context.Data.LoadFromIdx(path);
            var transformer = context.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 5, MaximumNumberOfIterations = 3, Seed = 2 }).Fit(data);
            float[][] atoms = transformer.Model.GetWeights();
            Png png = Render(atoms, data.ImageHeight, data.ImageWidth);

            Assert.AreEqual(3 * 4 - 1, png.Width);
            Assert.AreEqual(2 * 4 - 1, png.Height);
            for (int i = 0; i < atoms.Length; i++)
            {
                float largest = atoms[i].Max(Math.Abs);
                byte[] expected = atoms[i].Select(w => (byte)Math.Round(128 + 127.0 * w / largest)).ToArray();
                CollectionAssert.AreEqual(expected, Tile(png, i % 3 * 4, i / 3 * 4, 3, 3), $"atom {i}");
            }
        }
    }
}
