using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Research;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary>
    /// <c>anomaly</c>: the per-class table on the shipped digits at a reduced size, Fashion-MNIST read from tiny IDX files
    /// (never the installed data set), the message when the data set is absent, and the ROC PNG written atomically.
    /// </summary>
    [TestClass]
    public sealed class AnomalyCommandTests
    {
        private static readonly byte[] PngSignature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };

        private static string NewDirectory()
        {
            string path = Path.Combine(Path.GetTempPath(), "sae-anomaly-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(path);
            return path;
        }

        private static (int Code, string Output, string Error) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = AnomalyCommand.Run(args, output, error);
            return (code, output.ToString(), error.ToString());
        }

        /// <summary>The rows of the table that describe one class ("| 3 | ..." or "| 3 Dress | ...").</summary>
        private static string[] ClassRows(string output)
            => output.Split('\n').Where(l => l.Length > 2 && l.StartsWith("| ", StringComparison.Ordinal) && char.IsDigit(l[2])).ToArray();

        [TestMethod]
        public void Anomaly_Progress_APhasePerClassOnlyWhenForced()
        {
            var (code, output, error) = Run("--rows", "30", "--hidden", "8", "--iterations", "5", "--progress");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(error, "anomaly: class 1/10...");
            StringAssert.Contains(error, "anomaly: iteration 5/5, loss ");
            StringAssert.Contains(error, "anomaly: 10/10 classes, ");
            Assert.DoesNotContain("anomaly:", output);

            (code, _, error) = Run("--rows", "30", "--hidden", "8", "--iterations", "5");
            Assert.AreEqual(0, code, error);
            Assert.DoesNotContain("anomaly:", error, "a redirected stderr gets no progress unless --progress is given");
        }

        [TestMethod]
        public void Digits_PrintsOneRowPerClassAndTheMean_AndWritesThePng()
        {
            string directory = NewDirectory();
            string plot = Path.Combine(directory, "roc.png");
            var (code, output, error) = Run("--rows", "30", "--hidden", "8", "--iterations", "5", "--plot", plot);

            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "UCI digits: 300 training rows (30–30 per class), 599 test rows, 64 features");
            StringAssert.Contains(output, "| class | training rows | RandomizedPca (rank 20) AUC | SharedAutoencoder AUC | fit (s) |");
            var rows = ClassRows(output);
            Assert.AreEqual(10, rows.Length, output);
            foreach (string row in rows)
            {
                var cells = row.Split('|', StringSplitOptions.TrimEntries);
                Assert.AreEqual("30", cells[2], row);
                double pca = double.Parse(cells[3], System.Globalization.CultureInfo.InvariantCulture);
                double autoencoder = double.Parse(cells[4], System.Globalization.CultureInfo.InvariantCulture);
                // Digits are easy: both detectors are far better than chance on every class.
                Assert.IsTrue(pca > 0.7 && pca <= 1, row);
                Assert.IsTrue(autoencoder > 0.7 && autoencoder <= 1, row);
            }
            StringAssert.Contains(output, "| **mean** |");
            byte[] png = File.ReadAllBytes(plot);
            CollectionAssert.AreEqual(PngSignature, png.Take(8).ToArray());
            Assert.IsTrue(png.Length > 5000, "a 1200×560 plot with 20 curves");
            // Staged output: only the PNG is left in the folder (no temporary file).
            CollectionAssert.AreEqual(new[] { "roc.png" }, Directory.GetFiles(directory).Select(Path.GetFileName).ToArray());
        }

        [TestMethod]
        public void FashionMnistAbsent_NamesThePackage_Exit1_AndTouchesNoOutput()
        {
            string directory = NewDirectory();
            string plot = Path.Combine(directory, "roc.png");
            File.WriteAllText(plot, "previous");
            var (code, output, error) = Run("--data", Path.Combine(directory, "no-such-folder"), "--plot", plot);

            Assert.AreEqual(1, code);
            StringAssert.Contains(error, "Fashion-MNIST not found");
            StringAssert.Contains(error, "apt-get install -y dataset-fashion-mnist");
            StringAssert.Contains(error, "train-images-idx3-ubyte.gz");
            Assert.AreEqual("", output);
            Assert.AreEqual("previous", File.ReadAllText(plot));
        }

        [TestMethod]
        public void FashionMnistLayout_FromTinyIdxFiles_UsesTheClassNames()
        {
            string directory = NewDirectory();
            WriteIdx(directory, "train", rowsPerClass: 25, seed: 1);
            WriteIdx(directory, "t10k", rowsPerClass: 3, seed: 2);
            var (code, output, error) = Run("--data", directory, "--hidden", "4", "--iterations", "3");

            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "Fashion-MNIST: 250 training rows (25–25 per class), 30 test rows, 36 features");
            var rows = ClassRows(output);
            Assert.AreEqual(10, rows.Length, output);
            StringAssert.StartsWith(rows[0], "| 0 T-shirt/top | 25 |");
            StringAssert.StartsWith(rows[9], "| 9 Ankle boot | 25 |");
        }

        [TestMethod]
        public void BadOptions_AreCommandLineErrors()
        {
            string directory = NewDirectory();
            var (code, _, error) = Run("--data", directory, "--digits", "x.csv.gz");
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "--data (Fashion-MNIST) and --digits");

            (code, _, error) = Run("--rows", "1");
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "--rows must be ≥ 2");

            // The plot may not overwrite the data it reads.
            string digits = Path.Combine(directory, "digits.csv.gz");
            File.Copy(Microsoft.ML.SharedAutoencoder.Examples.Samples.DigitsCommand.DefaultDataPath, digits);
            long length = new FileInfo(digits).Length;
            (code, _, error) = Run("--digits", digits, "--plot", digits);
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "names an input file");
            Assert.AreEqual(length, new FileInfo(digits).Length);
        }

        /// <summary>
        /// Gzipped IDX files in the Fashion-MNIST layout: 6×6 images, <paramref name="rowsPerClass"/> per label 0..9, each
        /// class bright in its own pixels plus noise.
        /// </summary>
        private static void WriteIdx(string directory, string prefix, int rowsPerClass, int seed)
        {
            var random = new Random(seed);
            int count = 10 * rowsPerClass;
            var images = new byte[16 + count * 36];
            BinaryPrimitives.WriteInt32BigEndian(images, 0x0803);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 6);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 6);
            var labels = new byte[8 + count];
            BinaryPrimitives.WriteInt32BigEndian(labels, 0x0801);
            BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
            for (int t = 0; t < count; t++)
            {
                int label = t % 10;
                labels[8 + t] = (byte)label;
                for (int p = 0; p < 36; p++)
                    images[16 + t * 36 + p] = (byte)((p % 10 == label ? 200 : 0) + random.Next(40));
            }
            Gzip(Path.Combine(directory, prefix + "-images-idx3-ubyte.gz"), images);
            Gzip(Path.Combine(directory, prefix + "-labels-idx1-ubyte.gz"), labels);
        }

        private static void Gzip(string path, byte[] bytes)
        {
            using var file = File.Create(path);
            using var gzip = new GZipStream(file, CompressionLevel.Fastest);
            gzip.Write(bytes);
        }
    }
}
