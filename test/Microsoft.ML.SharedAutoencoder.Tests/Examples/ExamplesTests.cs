using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples;
using Microsoft.ML.SharedAutoencoder.Examples.Research;
using Microsoft.ML.SharedAutoencoder.Examples.Samples;
using Microsoft.ML.SharedAutoencoder.Examples.Shell;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary>Every example command at a reduced size, with its outputs checked, so the examples never rot.</summary>
    [TestClass]
    public sealed class ExamplesTests
    {
        private static string NewDirectory()
        {
            string path = Path.Combine(Path.GetTempPath(), "sae-examples-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(path);
            return path;
        }

        private static (int Code, string Output, string Error) Run(Func<string[], TextWriter, TextWriter, int> command, params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = command(args, output, error);
            return (code, output.ToString(), error.ToString());
        }

        private static string[] CsvLines(string path) => File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();

        [TestMethod]
        public void Experiments_WritesHeatMapsWithOneRowPerCellAndInitialization()
        {
            string directory = NewDirectory();
            var (code, output, error) = Run(ExperimentsCommand.Run, "--quick", "--seeds", "1", "--output", directory);
            Assert.AreEqual(0, code, error);
            foreach (string file in ExperimentsCommand.HeatmapFiles())
                Assert.IsTrue(File.Exists(Path.Combine(directory, file)), file);
            foreach (string name in new[] { "mixture-noise", "sparse-k", "nonnegative-k" })
            {
                Assert.AreEqual((900, 450), Figures.ReadPngSize(Path.Combine(directory, name + ".png")));
                // --quick: 2 cells × 4 initializations (PCA is skipped where m > n, which --quick never has).
                var lines = CsvLines(Path.Combine(directory, name + ".csv"));
                Assert.HasCount(1 + 2 * 4, lines, name);
                foreach (string line in lines.Skip(1))
                {
                    double probability = double.Parse(line.Split(',')[9], CultureInfo.InvariantCulture);
                    Assert.IsTrue(probability is 0 or 1, line);
                }
            }
            StringAssert.Contains(output, "Spectral");

            (code, _, error) = Run(ExperimentsCommand.Run, "--seeds", "0");
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "--seeds");
        }

        [TestMethod]
        public void Reproduce_WritesFiguresCurvesAndSummary()
        {
            string directory = NewDirectory();
            var (code, output, error) = Run(ReproduceCommand.Run, "--features", "64", "--rows", "400", "--iterations", "8", "--trials", "2",
                "--sigmas", "0.01,0.03", "--seed", "7", "--readings", "all", "--output", directory);
            Assert.AreEqual(0, code, error);

            var settings = new ReproductionSettings { Trials = 2, Readings = PaperReading.All };
            foreach (string file in ReproduceCommand.OutputFiles(settings))
                Assert.IsTrue(File.Exists(Path.Combine(directory, file)), file);
            foreach (var reading in PaperReading.All)
            {
                Assert.AreEqual((3 * Figures.PanelWidth, Figures.Height), Figures.ReadPngSize(Path.Combine(directory, $"figure2-{reading.Name}.png")));
                Assert.AreEqual((720, Figures.Height), Figures.ReadPngSize(Path.Combine(directory, $"figure3-{reading.Name}.png")));
                // Three initializations × (T + 1) states, unless a step was undone (then the shortest accepted run counts).
                int figure3Rows = CsvLines(Path.Combine(directory, $"figure3-{reading.Name}.csv")).Length - 1;
                Assert.IsTrue(figure3Rows > 0 && figure3Rows <= 3 * 9 && figure3Rows % 3 == 0, $"{figure3Rows} rows");
            }

            // 4 readings × 3 initializations × (2 σ in trial 0 + 1 σ in trial 1) runs, each with ≥ T + 1 entries.
            var rows = CsvLines(Path.Combine(directory, "curves.csv")).Skip(1).Select(l => l.Split(',')).ToList();
            var runs = rows.Select(r => string.Join("|", r.Take(4))).Distinct().Count();
            Assert.AreEqual(36, runs);
            Assert.IsTrue(rows.Count >= 36 * 9, $"{rows.Count} curve rows");
            Assert.IsTrue(rows.All(r => double.IsFinite(double.Parse(r[6], CultureInfo.InvariantCulture))), "every loss is finite");
            StringAssert.Contains(output, "| reading | init | σ |");
            StringAssert.Contains(File.ReadAllText(Path.Combine(directory, "summary.md")), "Ambiguity (3)");
        }

        [TestMethod]
        public void Reproduce_DefaultsToTheWorkingAndHardThresholdReadings_AndFitsSideBySideGiveTheSameNumbers()
        {
            string one = NewDirectory(), two = NewDirectory();
            string[] common = { "--features", "48", "--rows", "300", "--iterations", "6", "--trials", "1", "--sigmas", "0.01", "--seed", "3" };
            var (code, _, error) = Run(ReproduceCommand.Run, common.Concat(new[] { "--threads", "1", "--output", one }).ToArray());
            Assert.AreEqual(0, code, error);
            (code, _, error) = Run(ReproduceCommand.Run, common.Concat(new[] { "--threads", "2", "--output", two }).ToArray());
            Assert.AreEqual(0, code, error);

            Assert.IsTrue(File.Exists(Path.Combine(one, "figure2-working.png")));
            Assert.IsTrue(File.Exists(Path.Combine(one, "figure3-hard-threshold.png")));
            Assert.IsFalse(File.Exists(Path.Combine(one, "figure2-faithful.png")), "the default runs the working and hard-threshold readings only");
            string[] curvesOne = CsvLines(Path.Combine(one, "curves.csv"));
            Assert.IsTrue(curvesOne.Skip(1).All(l => l.StartsWith("working,", StringComparison.Ordinal) || l.StartsWith("hard-threshold,", StringComparison.Ordinal)));
            Assert.IsTrue(curvesOne.Skip(1).Any(l => l.StartsWith("hard-threshold,", StringComparison.Ordinal)));
            CollectionAssert.AreEqual(curvesOne, CsvLines(Path.Combine(two, "curves.csv")), "two fits at a time change nothing");
        }

        [TestMethod]
        public void Reproduce_SameSeedSameNumbers_AndTheWorkingReadingRecovers()
        {
            var settings = new ReproductionSettings
            {
                FeatureCount = 64, Rows = 500, Iterations = 10, Trials = 1, Sigmas = new[] { 0.01 }, Seed = 3,
                Readings = new[] { PaperReading.Working, PaperReading.UnitNormPaperBias },
            };
            var first = PaperReproduction.Run(settings);
            var second = PaperReproduction.Run(settings);
            CollectionAssert.AreEqual(
                first.Runs.SelectMany(r => r.History.Iterations.Select(i => i.Loss)).ToArray(),
                second.Runs.SelectMany(r => r.History.Iterations.Select(i => i.Loss)).ToArray());

            var near = first.Runs.Single(r => r.Reading == PaperReading.Working && r.Initialization == PaperInitialization.NearTruth);
            Assert.IsTrue(near.Final.RecoveryError < 0.6 * near.Initial.RecoveryError, $"{near.Initial.RecoveryError} → {near.Final.RecoveryError}");
            Assert.IsTrue(near.Final.Loss < near.Initial.Loss);

            // Ambiguity (2): with unit-norm columns and b = −2.5δ no unit fires at W⁰; halving the bias wakes them up.
            var dead = first.Runs.Single(r => r.Reading == PaperReading.UnitNormPaperBias && r.Initialization == PaperInitialization.NearTruth);
            Assert.AreEqual(0.0, dead.Initial.ActiveFraction);
            Assert.IsTrue(dead.FirstActiveIteration is int s && s > 0, $"first active step {dead.FirstActiveIteration}");
        }

        [TestMethod]
        public void Reproduce_HardThresholdReading_ShowsFigure3sClaim_AtTheFloorFromNearTruthOnly()
        {
            // The paper's Figure 3 sentence at reduced size (the --quick sizes: n = 100, N = 1000, T = 20, 2 trials): from
            // A + δE the descent reaches the floor σ√(nm²/N); neither PCA nor random starts recover A.
            var settings = new ReproductionSettings
            {
                FeatureCount = 100, Rows = 1000, Iterations = 20, Trials = 2, Sigmas = new[] { 0.01, 0.03 }, Seed = 2019,
                Readings = new[] { PaperReading.HardThreshold },
            };
            var result = PaperReproduction.Run(settings);
            Assert.AreEqual(3 * 3, result.Runs.Count);
            foreach (var run in result.Runs)
            {
                double floor = settings.Floor(run.Sigma);
                double error = run.Final.RecoveryError ?? double.NaN;
                string what = FormattableString.Invariant($"{PaperReproduction.Label(run.Initialization)} σ={run.Sigma} trial {run.Trial}: {error:F4}, floor {floor:F4}");
                if (run.Initialization == PaperInitialization.NearTruth)
                {
                    Assert.IsTrue(error <= 1.5 * floor, what);
                    Assert.AreEqual(0.1, run.Final.ActiveFraction, 0.005, "one unit per row, as a mixture code: " + what);
                }
                else
                {
                    Assert.IsTrue(error >= 10 * floor, what);
                }
            }
            // The random start never fires (|⟨w, y⟩| ≤ λ for random unit w), so the descent cannot move it.
            Assert.IsTrue(result.Runs.Where(r => r.Initialization == PaperInitialization.Random).All(r => r.FirstActiveIteration == null));
        }

        [TestMethod]
        public void Reproduce_InitialDistance_DependsOnHowTheVarianceIsRead()
        {
            var settings = new ReproductionSettings { FeatureCount = 784, Trials = 1 };
            var truth = PaperReproduction.DrawTrial(settings, 0);
            double Distance(bool unit, bool variance) => DictionaryRecovery.Evaluate(
                PaperReproduction.NormalizeColumns(truth.NearTruthInitialWeights(unit, variance, 0.5)), truth.UnitDictionary, allowSignFlips: false).FrobeniusError;
            // ‖δE_i‖ ≈ 0.5 (std. deviation 1/√n) vs 0.5·n^¼ ≈ 2.65 (variance 1/√n): cos ≈ 0.89 vs 0.35 per column.
            Assert.AreEqual(Math.Sqrt(10 * (2 - 2 / Math.Sqrt(1.25))), Distance(unit: true, variance: false), 0.1);
            Assert.AreEqual(Math.Sqrt(10 * (2 - 2 / Math.Sqrt(1 + 0.25 * Math.Sqrt(784)))), Distance(unit: true, variance: true), 0.15);
        }

        [TestMethod]
        public void Pipeline_CodesAndRawFeaturesBeatChance()
        {
            var result = PipelineCommand.Execute(featureCount: 64, components: 5, sigma: 0.05, trainRows: 300, testRows: 300, iterations: 15, seed: 2);
            Assert.IsTrue(result.CodeAccuracy > 0.8, $"code accuracy {result.CodeAccuracy}");
            Assert.IsTrue(result.RawAccuracy > 0.8, $"raw accuracy {result.RawAccuracy}");
            var (code, output, error) = Run(PipelineCommand.Run, "--features", "32", "--components", "4", "--train-rows", "200", "--test-rows", "100", "--iterations", "5");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "held-out accuracy");
        }

        [TestMethod]
        public void Digits_CodesAndPixelsBeatChance_AndTheDataShipWithTheExamples()
        {
            Assert.IsTrue(File.Exists(DigitsCommand.DefaultDataPath), DigitsCommand.DefaultDataPath);
            var (images, digits) = DigitsCommand.Load(DigitsCommand.DefaultDataPath);
            Assert.AreEqual(1797, images.Count);
            Assert.AreEqual(64, images[0].Length);
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).ToArray(), digits.Distinct().ToArray());

            var result = DigitsCommand.Execute(images, digits, new DigitsSettings(64, AutoencoderActivation.Relu, "unit", 20, 1f, 0.1f, 1));
            Assert.AreEqual(599, result.TestRows);
            Assert.IsTrue(result.PixelAccuracy > 0.85, $"pixels {result.PixelAccuracy}");
            Assert.IsTrue(result.CodeAccuracy > 0.85, $"code {result.CodeAccuracy}");
        }

        [TestMethod]
        public void Digits_MissingDataFile_IsAnInputError()
        {
            var (code, _, error) = Run(DigitsCommand.Run, "--data", "/nonexistent/digits.csv.gz");
            Assert.AreEqual(1, code);
            StringAssert.Contains(error, "file not found");
        }

        [TestMethod]
        public void SaveLoad_LoadedModelGivesTheSameCodes()
        {
            string path = Path.Combine(NewDirectory(), "model.zip");
            var result = SaveLoadCommand.Execute(path, hiddenUnits: 8, seed: 4);
            Assert.IsTrue(File.Exists(path));
            Assert.AreEqual(8, result.CodeAfter.Length);
            Assert.AreEqual(0.0, result.MaxCodeDifference);
            Assert.IsTrue(result.CodeAfter.Any(v => v != 0), "some unit fires");
            var (code, output, error) = Run(SaveLoadCommand.Run, "--model", path, "--hidden", "4");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "Largest difference: 0");
        }

        private static string WriteCsv(string directory, int rows, int columns, bool header)
        {
            string path = Path.Combine(directory, "data.csv");
            var random = new Random(5);
            var lines = new List<string>();
            if (header)
                lines.Add(string.Join(",", Enumerable.Range(0, columns).Select(j => $"x{j}").Append("label")));
            for (int r = 0; r < rows; r++)
            {
                int c = r % 3;
                var values = Enumerable.Range(0, columns).Select(j => ((j % 3 == c ? 1.0 : 0.0) + 0.05 * (random.NextDouble() - 0.5)).ToString("R", CultureInfo.InvariantCulture));
                lines.Add(string.Join(",", values.Append($"class{c}")));
            }
            File.WriteAllLines(path, lines);
            return path;
        }

        [TestMethod]
        public void TrainThenEncode_Csv_WritesModelWeightsAndCodes()
        {
            string directory = NewDirectory();
            string csv = WriteCsv(directory, rows: 90, columns: 12, header: true);
            string model = Path.Combine(directory, "model.zip");
            string weights = Path.Combine(directory, "W.csv");
            var (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "label", "--hidden", "3", "--init", "pca",
                "--iterations", "10", "--learning-rate", "1", "--save", model, "--weights-out", weights,
                "--normalization", "none", "--encoding", "activation", "--no-split-polarity");
            Assert.AreEqual(0, code, error);
            Assert.IsTrue(File.Exists(model));
            var w = CsvLines(weights);
            Assert.AreEqual(1 + 3, w.Length);
            Assert.AreEqual(1 + 12, w[1].Split(',').Length);

            string codes = Path.Combine(directory, "codes.csv");
            (code, _, error) = Run(EncodeCommand.Run, "--model", model, "--input", csv, "--label-column", "label", "--output", codes);
            Assert.AreEqual(0, code, error);
            var lines = CsvLines(codes);
            Assert.AreEqual(1 + 90, lines.Length);
            Assert.AreEqual("label,code0,code1,code2", lines[0]);
            Assert.IsTrue(lines.Skip(1).All(l => l.Split(',').Length == 4));
            Assert.IsTrue(lines.Skip(1).Any(l => l.Split(',').Skip(1).Any(v => double.Parse(v, CultureInfo.InvariantCulture) > 0)), "some code is nonzero");
        }

        [TestMethod]
        public void Train_BinaryIdv_Works()
        {
            string directory = NewDirectory();
            var mlContext = new MLContext(1);
            var data = mlContext.Data.LoadFromBilinearModel(new BilinearModelOptions { FeatureCount = 16, AtomCount = 4, LatentCodeModel = LatentCodeModel.MixtureOfGaussians, Seed = 1 }, 100);
            string idv = Path.Combine(directory, "data.idv");
            using (var stream = File.Create(idv))
                mlContext.Data.SaveAsBinary(data, stream);
            string weights = Path.Combine(directory, "W.csv");
            var (code, output, error) = Run(TrainCommand.Run, "--input", idv, "--hidden", "4", "--iterations", "5", "--weights-out", weights);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "n = 16 features");
            Assert.AreEqual(1 + 4, CsvLines(weights).Length);

            (code, _, error) = Run(TrainCommand.Run, "--input", idv, "--features", "NoSuchColumn");
            Assert.AreEqual(1, code);
            StringAssert.Contains(error, "NoSuchColumn");
        }

        [TestMethod]
        public void ShellCommands_ReportBadInputWithExitCodes()
        {
            string directory = NewDirectory();
            string csv = WriteCsv(directory, rows: 10, columns: 4, header: true);

            var (code, _, error) = Run(TrainCommand.Run, "--input", Path.Combine(directory, "missing.csv"));
            Assert.AreEqual(1, code);
            StringAssert.Contains(error, "file not found");

            (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--no-such-option", "1");
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "Unknown option '--no-such-option'");

            (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--hidden", "many");
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "--hidden needs an integer");

            (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "nope");
            Assert.AreEqual(1, code);
            StringAssert.Contains(error, "no column 'nope'");

            // Text in a feature column: the label was not excluded.
            (code, _, error) = Run(TrainCommand.Run, "--input", csv);
            Assert.AreEqual(1, code);
            StringAssert.Contains(error, "is not a finite number");

            (code, _, error) = Run(EncodeCommand.Run, "--model", Path.Combine(directory, "none.zip"), "--input", csv, "--output", "x.csv");
            Assert.AreEqual(1, code);
            StringAssert.Contains(error, "file not found");

            (code, _, error) = Run(ReproduceCommand.Run, "--trials", "0");
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "--trials must be ≥ 1");

            (code, _, _) = Run(Program.Dispatch, "no-such-command");
            Assert.AreEqual(2, code);
            (code, var help, _) = Run(Program.Dispatch, "help");
            Assert.AreEqual(0, code);
            foreach (var command in Program.Commands)
                StringAssert.Contains(help, command.Name);
        }
    }
}
