using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Shell;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary>train's progress on stderr (off when stderr is not a terminal, forced by --progress), its new options, and --plots.</summary>
    [TestClass]
    public sealed class ProgressAndPlotsTests
    {
        private string _directory = null!;

        [TestInitialize]
        public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("sae-progress-").FullName;

        [TestCleanup]
        public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

        /// <summary>60 rows × 16 features: four clusters, with small noise.</summary>
        private string Csv()
        {
            string path = Path.Combine(_directory, "data.csv");
            var random = new Random(3);
            File.WriteAllLines(path, Enumerable.Range(0, 60).Select(r => string.Join(",", Enumerable.Range(0, 16)
                .Select(j => ((j % 4 == r % 4 ? 1.0 : 0.0) + 0.05 * random.NextDouble()).ToString("R", CultureInfo.InvariantCulture)))));
            return path;
        }

        // The paper's settings (the defaults before model format 0x00010004), unless a test gives its own: these tests
        // watch the progress of gradient steps.
        private static readonly string[] Paper = { "--hidden", "10", "--iterations", "50", "--init", "random", "--normalization", "none", "--encoding", "activation" };

        private static (int Code, string Output, string Error) Train(params string[] args)
        {
            for (int i = 0; i < Paper.Length; i += 2)
            {
                if (!args.Contains(Paper[i]))
                    args = args.Append(Paper[i]).Append(Paper[i + 1]).ToArray();
            }
            if (!args.Contains("--split-polarity"))
                args = args.Append("--no-split-polarity").ToArray();
            var output = new StringWriter();
            var error = new StringWriter();
            int code = TrainCommand.Run(args, output, error);
            return (code, output.ToString(), error.ToString());
        }

        [TestMethod]
        public void RedirectedStderr_GetsNoProgress()
        {
            var (code, output, error) = Train("--input", Csv(), "--iterations", "20");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "Trained m = 10 units");
            Assert.DoesNotContain("iteration", error, "a non-terminal stderr gets no progress unless --progress is given");
            Assert.DoesNotContain("train:", error);
        }

        [TestMethod]
        public void ProgressFlag_ForcesIterationLossRateAndEta()
        {
            var (code, _, error) = Train("--input", Csv(), "--iterations", "20", "--progress");
            Assert.AreEqual(0, code, error);
            string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            CollectionAssert.Contains(lines, "train: reading the input and initializing...");
            Assert.IsTrue(lines.Any(l => l.StartsWith("train: iteration 0/20, loss ", StringComparison.Ordinal)), error);
            string last = lines.Single(l => l.StartsWith("train: iteration 20/20, loss ", StringComparison.Ordinal));
            StringAssert.Contains(last, " it/s, ETA 0:00:00");
            Assert.DoesNotContain("\r", error, "a forced, non-terminal progress writes whole lines");
        }

        [TestMethod]
        public void QuietAndProgress_AreAUsageError()
        {
            var (code, _, error) = Train("--input", Csv(), "--quiet", "--progress");
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "--quiet and --progress contradict each other");
            Assert.AreEqual(0, Train("--input", Csv(), "--iterations", "5", "--quiet").Code);
        }

        [TestMethod]
        public void EveryInitializationEncodingAndScaling_Trains()
        {
            string csv = Csv();
            foreach (string init in new[] { "random", "pca", "samples", "spectral" })
                Assert.AreEqual(0, Train("--input", csv, "--hidden", "4", "--iterations", "5", "--init", init).Code, init);
            foreach (string[] encoding in new[] { new[] { "--encoding", "soft-threshold", "--encoding-threshold", "0.2" }, new[] { "--encoding", "top-k", "--active-units", "2" },
                new[] { "--encoding", "omp", "--active-units", "2" }, new[] { "--encoding", "soft-threshold", "--split-polarity" } })
            {
                var result = Train(new[] { "--input", csv, "--hidden", "4", "--iterations", "5" }.Concat(encoding).ToArray());
                Assert.AreEqual(0, result.Code, string.Join(" ", encoding) + ": " + result.Error);
            }
            string model = Path.Combine(_directory, "scaled.zip");
            foreach (string scale in new[] { "none", "minmax", "meanvar" })
                Assert.AreEqual(0, Train("--input", csv, "--iterations", "5", "--scale", scale, "--save", model).Code, scale);
            var codes = new StringWriter();
            Assert.AreEqual(0, EncodeCommand.Run(new[] { "--model", model, "--input", csv, "--output", Path.Combine(_directory, "codes.csv") }, codes, new StringWriter()),
                "a model saved with its scaler encodes");
            Assert.AreEqual(2, Train("--input", csv, "--scale", "log").Code);
        }

        [TestMethod]
        public void Plots_WriteAHistoryChartAndAtomTilesThatDecode()
        {
            string plots = Path.Combine(_directory, "plots");
            var (code, output, error) = Train("--input", Csv(), "--hidden", "6", "--iterations", "10", "--plots", plots);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "Plots written to");
            var history = PngDecoder.Decode(File.ReadAllBytes(Path.Combine(plots, "history.png")));
            Assert.AreEqual(Microsoft.ML.SharedAutoencoder.Visualization.TrainingHistoryPlot.DefaultWidth, history.Width);
            var atoms = PngDecoder.Decode(File.ReadAllBytes(Path.Combine(plots, "atoms.png")));
            // n = 16 is square: 4×4 tiles at scale 8 (64 / 4), in a 3×2 grid for 6 atoms, one-pixel gaps.
            Assert.AreEqual(3 * 32 + 2, atoms.Width);
            Assert.AreEqual(2 * 32 + 1, atoms.Height);
            CollectionAssert.AreEquivalent(new[] { "atoms.png", "history.png" }, Directory.GetFiles(plots).Select(Path.GetFileName).ToArray(), "no temporary files left");

            Assert.AreEqual(2, Train("--input", Csv(), "--plots", plots, "--image-shape", "3x5").Code, "an image shape that does not cover n");
        }
    }
}
