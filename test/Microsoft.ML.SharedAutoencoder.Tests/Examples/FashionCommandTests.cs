using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Common;
using Microsoft.ML.SharedAutoencoder.Examples.Featurization;
using Microsoft.ML.SharedAutoencoder.Examples.Research;
using Microsoft.ML.SharedAutoencoder.Examples.Samples;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary>
    /// The <c>fashion</c> command on tiny IDX files written here (8×8 images of ten classes, a bright block whose position
    /// is the class, on noise): never the installed dataset.
    /// </summary>
    [TestClass]
    public sealed class FashionCommandTests
    {
        private const int Side = 8;
        private string _directory = "";

        [TestInitialize]
        public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("fashion-tests-").FullName;

        [TestCleanup]
        public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

        private static (int Code, string Output, string Error) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = FashionCommand.Run(args, output, error);
            return (code, output.ToString(), error.ToString());
        }

        private static byte[] Idx(int[] dims, byte[] data)
        {
            var bytes = new byte[4 + 4 * dims.Length + data.Length];
            bytes[2] = 0x08;
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

        /// <summary>Writes one images/labels pair: the training pair gzip-compressed, the test pair plain (both are read).</summary>
        private void WriteSet(string prefix, int count, int seed, bool compress)
        {
            var random = new Random(seed);
            var pixels = new byte[count * Side * Side];
            var labels = new byte[count];
            for (int i = 0; i < count; i++)
            {
                int label = i % 10;
                labels[i] = (byte)label;
                var image = pixels.AsSpan(i * Side * Side, Side * Side);
                for (int p = 0; p < image.Length; p++)
                    image[p] = (byte)random.Next(0, 60);
                // A 2×2 block at one of ten positions.
                int row = 2 * (label / 4), column = 2 * (label % 4);
                for (int dr = 0; dr < 2; dr++)
                    for (int dc = 0; dc < 2; dc++)
                        image[(row + dr) * Side + column + dc] = (byte)random.Next(200, 256);
            }
            byte[] images = Idx(new[] { count, Side, Side }, pixels), labelBytes = Idx(new[] { count }, labels);
            string suffix = compress ? ".gz" : "";
            File.WriteAllBytes(Path.Combine(_directory, $"{prefix}-images-idx3-ubyte{suffix}"), compress ? Gzip(images) : images);
            File.WriteAllBytes(Path.Combine(_directory, $"{prefix}-labels-idx1-ubyte{suffix}"), compress ? Gzip(labelBytes) : labelBytes);
        }

        private static double TestAccuracy(string output, string method)
        {
            string row = output.Split('\n').Single(l => l.StartsWith("| " + method, StringComparison.Ordinal));
            return double.Parse(row.Split('|')[^2].Trim(), CultureInfo.InvariantCulture);
        }

        [TestMethod]
        public void Fashion_OnTinyIdxFiles_PrintsEveryMethodAndWritesTheAtoms()
        {
            WriteSet("train", 400, seed: 1, compress: true);
            WriteSet("t10k", 100, seed: 2, compress: false);
            string atoms = Path.Combine(_directory, "atoms.png");
            var (code, output, error) = Run("--data", _directory, "--rows", "300", "--hidden", "32", "--rank", "16", "--active", "4", "--l2", "0.01", "--atoms", atoms);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "300 training rows, 100 test rows");
            // The classes are separable: every featurizer must classify them well (all seven run by default).
            foreach (string method in new[] { "raw input", "PCA", "activation", "soft threshold", "split soft threshold", "top-k", "OMP" })
                Assert.IsGreaterThan(0.9, TestAccuracy(output, method), output);
            // The split code has 2m features, the others m.
            StringAssert.Contains(output, "| split soft threshold α = 0.2 | 32 | 64 |");
            StringAssert.Contains(output, "| OMP k = 4 | 32 | 32 |");
            // 32 atoms of 8×8: a 6×6 grid, one-pixel gaps.
            Assert.AreEqual((6 * 9 - 1, 6 * 9 - 1), Figures.ReadPngSize(atoms));
        }

        [TestMethod]
        public void Fashion_Holdout_EvaluatesOnTheLastTrainingRowsWithoutTheTestFiles()
        {
            WriteSet("train", 300, seed: 5, compress: true);
            // No t10k files: --holdout must not read the official test set.
            var (code, output, error) = Run("--data", _directory, "--holdout", "100", "--methods", "pixels,split", "--hidden", "32", "--rank", "16", "--l2", "0.01");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "200 training rows, 100 validation rows (training rows 201–300, --holdout");
            StringAssert.Contains(output, "not the official test set");
            Assert.IsGreaterThan(0.9, TestAccuracy(output, "split soft threshold"), output);

            // --rows limits the training part; the validation rows stay the last N.
            (code, output, error) = Run("--data", _directory, "--holdout", "100", "--rows", "150", "--methods", "pixels");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "150 training rows, 100 validation rows (training rows 201–300");
        }

        [TestMethod]
        public void Fashion_HoldoutOutOfRange_IsAUsageError()
        {
            WriteSet("train", 60, seed: 6, compress: true);
            var (code, output, error) = Run("--data", _directory, "--holdout", "60", "--methods", "pixels");
            Assert.AreEqual(ExitCodes.UsageError, code);
            StringAssert.Contains(error, "--holdout 60 leaves no training rows");
            StringAssert.Contains(error, "from 1 to 59");
            Assert.AreEqual("", output);
            Assert.AreEqual(ExitCodes.UsageError, Run("--data", _directory, "--holdout", "0").Code);
        }

        [TestMethod]
        public void Fashion_PlotsDirectory_GetsTheAtomsImage()
        {
            WriteSet("train", 60, seed: 3, compress: true);
            WriteSet("t10k", 20, seed: 4, compress: true);
            string plots = Path.Combine(_directory, "plots");
            var (code, _, error) = Run("--data", _directory, "--methods", "activation", "--hidden", "16", "--rank", "8", "--plots", plots);
            Assert.AreEqual(0, code, error);
            Assert.AreEqual((4 * 9 - 1, 4 * 9 - 1), Figures.ReadPngSize(Path.Combine(plots, "fashion-atoms.png")));
        }

        [TestMethod]
        public void Fashion_Progress_APhasePerFeaturizerOnlyWhenForced()
        {
            WriteSet("train", 60, seed: 3, compress: true);
            WriteSet("t10k", 20, seed: 4, compress: true);
            string[] args = { "--data", _directory, "--methods", "pixels,activation", "--hidden", "16", "--rank", "8" };
            var (code, output, error) = Run(args.Append("--progress").ToArray());
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(error, "fashion: reading the images...");
            StringAssert.Contains(error, "fashion: featurizer 1/2, raw input...");
            StringAssert.Contains(error, "fashion: featurizer 2/2, activation");
            StringAssert.Contains(error, "fashion: 2/2 featurizers, ");
            Assert.DoesNotContain("fashion:", output);

            (code, _, error) = Run(args);
            Assert.AreEqual(0, code, error);
            Assert.DoesNotContain("fashion:", error, "a redirected stderr gets no progress unless --progress is given");
        }

        [TestMethod]
        public void Fashion_WithoutTheDataset_SaysHowToInstallIt()
        {
            var (code, output, error) = Run("--data", Path.Combine(_directory, "absent"));
            Assert.AreEqual(ExitCodes.InputError, code);
            StringAssert.Contains(error, FashionCommand.InstallCommand);
            StringAssert.Contains(error, "--data DIR");
            Assert.AreEqual("", output);
        }

        [TestMethod]
        public void Fashion_BadCommandLines_AreUsageErrors()
        {
            Assert.AreEqual(ExitCodes.UsageError, Run("--plots", _directory, "--atoms", "a.png").Code);
            var (code, _, error) = Run("--methods", "pixels,wavelets");
            Assert.AreEqual(ExitCodes.UsageError, code);
            StringAssert.Contains(error, "wavelets");
        }
    }
}
