using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Examples.Research;
using Microsoft.ML.SharedAutoencoder.Examples.Shell;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary>
    /// train / encode on real-world CSV: quoted fields, no header, text labels, empty cells; outputs that never destroy
    /// inputs or each other; saved pipelines; library warnings on stderr.
    /// </summary>
    [TestClass]
    public sealed class ShellCommandTests
    {
        private static string NewDirectory()
        {
            string path = Path.Combine(Path.GetTempPath(), "sae-shell-" + Guid.NewGuid().ToString("N"));
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

        /// <summary>Three clusters in <paramref name="columns"/> features; the label (a text, first column) is <paramref name="label"/>(row).</summary>
        private static string WriteCsv(string directory, int rows, int columns, string? header, Func<int, string> label)
        {
            string path = Path.Combine(directory, "data.csv");
            var random = new Random(5);
            var lines = new List<string>();
            if (header != null)
                lines.Add(header);
            for (int r = 0; r < rows; r++)
            {
                var values = Enumerable.Range(0, columns)
                    .Select(j => ((j % 3 == r % 3 ? 1.0 : 0.0) + 0.05 * (random.NextDouble() - 0.5)).ToString("R", CultureInfo.InvariantCulture));
                lines.Add(string.Join(",", values.Prepend(label(r))));
            }
            File.WriteAllLines(path, lines);
            return path;
        }

        private static string[] Lines(string path) => File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();

        [TestMethod]
        public void QuotedFields_AreReadAndLabelsAreQuotedOnOutput()
        {
            string directory = NewDirectory();
            string header = "\"class, name\"," + string.Join(",", Enumerable.Range(0, 6).Select(j => $"\"x,{j}\""));
            string csv = WriteCsv(directory, 30, 6, header, r => r % 3 == 0 ? "\"a, \"\"quoted\"\" b\"" : $"c{r % 3}");
            string model = Path.Combine(directory, "model.zip");
            var (code, output, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "class, name", "--hidden", "3", "--iterations", "5", "--save", model, "--init", "random", "--normalization", "none", "--encoding", "activation", "--no-split-polarity");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "Read 30 rows × 6 features");

            string codes = Path.Combine(directory, "codes.csv");
            (code, _, error) = Run(EncodeCommand.Run, "--model", model, "--input", csv, "--label-column", "class, name", "--output", codes);
            Assert.AreEqual(0, code, error);
            var lines = Lines(codes);
            Assert.HasCount(31, lines);
            Assert.AreEqual("\"class, name\",code0,code1,code2", lines[0]);
            Assert.IsTrue(lines[1].StartsWith("\"a, \"\"quoted\"\" b\",", StringComparison.Ordinal), lines[1]);
            Assert.IsTrue(lines[2].StartsWith("c1,", StringComparison.Ordinal), lines[2]);

            // The codes file reads back with a CSV reader: the label is one field.
            var ml = new MLContext();
            var back = ml.Data.LoadFromTextFile(codes, new[] { new TextLoader.Column("Label", DataKind.String, 0), new TextLoader.Column("Code", DataKind.Single, 1, 3) },
                separatorChar: ',', hasHeader: true, allowQuoting: true);
            Assert.AreEqual("a, \"quoted\" b", back.GetColumn<ReadOnlyMemory<char>>("Label").First().ToString());
        }

        [TestMethod]
        public void TrainAcceptsTheTopKActivationWithItsK()
        {
            string directory = NewDirectory();
            string csv = WriteCsv(directory, 30, 6, header: null, r => $"c{r % 3}");
            string model = Path.Combine(directory, "model.zip");
            var (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "0", "--hidden", "4", "--activation", "top-k", "--active-units", "2",
                "--iterations", "3", "--learning-rate", "0.1", "--save", model);
            Assert.AreEqual(0, code, error);
            var loaded = new MLContext().Model.Load(model, out _);
            var autoencoder = loaded as SharedAutoencoderTransformer ?? ((TransformerChain<ITransformer>)loaded).OfType<SharedAutoencoderTransformer>().Single();
            Assert.AreEqual(AutoencoderActivation.TopK, autoencoder.Model.Activation);
            Assert.AreEqual(2, autoencoder.Model.ActiveUnits);

            (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "0", "--hidden", "4", "--activation", "top-k", "--active-units", "5", "--iterations", "1");
            Assert.AreNotEqual(0, code);
            StringAssert.Contains(error, "ActiveUnits");
            (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--activation", "topk");
            Assert.AreNotEqual(0, code);
            StringAssert.Contains(error, "top-k");
        }

        [TestMethod]
        public void NoHeader_TextLabelInTheFirstRow_DropsNoRow()
        {
            string directory = NewDirectory();
            string csv = WriteCsv(directory, 12, 4, header: null, r => $"class{r % 3}");
            string model = Path.Combine(directory, "model.zip");
            var (code, output, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "0", "--hidden", "3", "--iterations", "3", "--save", model, "--init", "random", "--normalization", "none", "--encoding", "activation", "--no-split-polarity");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "Read 12 rows × 4 features");
            StringAssert.Contains(output, "header: no, detected");

            string codes = Path.Combine(directory, "codes.csv");
            (code, _, error) = Run(EncodeCommand.Run, "--model", model, "--input", csv, "--label-column", "0", "--output", codes);
            Assert.AreEqual(0, code, error);
            var lines = Lines(codes);
            Assert.HasCount(1 + 12, lines);
            Assert.AreEqual("0,code0,code1,code2", lines[0]);
            Assert.IsTrue(lines[1].StartsWith("class0,", StringComparison.Ordinal), lines[1]);
        }

        [TestMethod]
        public void EmptyFeatureCell_IsRefusedNotReadAsZero()
        {
            string directory = NewDirectory();
            string csv = WriteCsv(directory, 5, 3, "label,a,b,c", r => "x");
            var lines = File.ReadAllLines(csv);
            lines[3] = "x,1,,0";
            File.WriteAllLines(csv, lines);
            var (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "label", "--hidden", "2", "--iterations", "2");
            Assert.AreEqual(1, code);
            StringAssert.Contains(error, "data row 3");
            StringAssert.Contains(error, "column 'b'");
            StringAssert.Contains(error, "is not a finite number");
        }

        [TestMethod]
        public void CollidingOutputs_AreRefusedBeforeAnyWork_AndInputsSurvive()
        {
            string directory = NewDirectory();
            string csv = WriteCsv(directory, 9, 4, "label,a,b,c,d", r => "x");
            string original = File.ReadAllText(csv);
            string same = Path.Combine(directory, "out.bin");

            var (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "label", "--save", same, "--weights-out", same);
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "--save and --weights-out name the same file");
            Assert.IsFalse(File.Exists(same));

            (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "label", "--save", csv);
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "--save names an input file");
            Assert.AreEqual(original, File.ReadAllText(csv));

            string model = Path.Combine(directory, "model.zip");
            (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "label", "--hidden", "2", "--iterations", "2", "--save", model);
            Assert.AreEqual(0, code, error);
            byte[] modelBytes = File.ReadAllBytes(model);
            (code, _, error) = Run(EncodeCommand.Run, "--model", model, "--input", csv, "--label-column", "label", "--output", model);
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "--output names an input file");
            CollectionAssert.AreEqual(modelBytes, File.ReadAllBytes(model));
        }

        [TestMethod]
        public void FailingSecondOutput_LeavesTheFirstTargetUntouched()
        {
            string directory = NewDirectory();
            string csv = WriteCsv(directory, 9, 4, "label,a,b,c,d", r => "x");
            string model = Path.Combine(directory, "model.zip");
            File.WriteAllText(model, "the user's previous model");
            string blocker = Path.Combine(directory, "not-a-directory");
            File.WriteAllText(blocker, "");
            var (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "label", "--hidden", "2", "--iterations", "2",
                "--save", model, "--weights-out", Path.Combine(blocker, "W.csv"));
            Assert.AreEqual(1, code, error);
            Assert.AreEqual("the user's previous model", File.ReadAllText(model));
            CollectionAssert.AreEquivalent(new[] { "data.csv", "model.zip", "not-a-directory" },
                Directory.GetFiles(directory).Select(Path.GetFileName).ToArray(), "no temporary file is left");
        }

        [TestMethod]
        public void Encode_SavedPipeline_AppliesTheTransformsBeforeTheAutoencoder()
        {
            string directory = NewDirectory();
            string csv = WriteCsv(directory, 20, 5, "label,a,b,c,d,e", r => $"k{r % 3}");
            var ml = new MLContext(1);
            var data = ml.Data.LoadFromTextFile(csv, new[] { new TextLoader.Column("Features", DataKind.Single, 1, 5) }, separatorChar: ',', hasHeader: true);
            var pipeline = ml.Transforms.NormalizeMinMax("Scaled", "Features")
                .Append(ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
                    { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, InputColumnName = "Scaled", HiddenUnits = 3, MaximumNumberOfIterations = 5, Seed = 1 }));
            var fitted = pipeline.Fit(data);
            string model = Path.Combine(directory, "pipeline.zip");
            ml.Model.Save(fitted, data.Schema, model);
            var expected = fitted.Transform(data).GetColumn<float[]>("Code").ToList();

            string codes = Path.Combine(directory, "codes.csv");
            var (code, _, error) = Run(EncodeCommand.Run, "--model", model, "--input", csv, "--label-column", "label", "--output", codes);
            Assert.AreEqual(0, code, error);
            var actual = Lines(codes).Skip(1).Select(l => l.Split(',').Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
            Assert.HasCount(expected.Count, actual);
            for (int r = 0; r < expected.Count; r++)
                CollectionAssert.AreEqual(expected[r], actual[r], $"row {r}");
        }

        [TestMethod]
        public void LibraryWarnings_ReachStderr()
        {
            string directory = NewDirectory();
            string csv = WriteCsv(directory, 30, 6, "label,a,b,c,d,e,f", r => "x");
            var (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "label", "--hidden", "3", "--iterations", "5", "--learning-rate", "1000");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(error, "warning: ");
            StringAssert.Contains(error, "undone, learning rate halved");
        }

        [TestMethod]
        public void Encode_Idv_CopiesTheLabelColumn()
        {
            string directory = NewDirectory();
            var ml = new MLContext(1);
            var data = ml.Data.LoadFromBilinearModel(
                new BilinearModelOptions { FeatureCount = 8, AtomCount = 3, LatentCodeModel = LatentCodeModel.MixtureOfGaussians, Seed = 1 }, 30);
            string idv = Path.Combine(directory, "data.idv");
            using (var stream = File.Create(idv))
                ml.Data.SaveAsBinary(data, stream);
            string model = Path.Combine(directory, "model.zip");
            var (code, _, error) = Run(TrainCommand.Run, "--input", idv, "--hidden", "3", "--iterations", "3", "--save", model, "--init", "random", "--normalization", "none", "--encoding", "activation", "--no-split-polarity");
            Assert.AreEqual(0, code, error);
            string codes = Path.Combine(directory, "codes.csv");
            (code, _, error) = Run(EncodeCommand.Run, "--model", model, "--input", idv, "--label-column", "Label", "--output", codes);
            Assert.AreEqual(0, code, error);
            var lines = Lines(codes);
            Assert.HasCount(31, lines);
            Assert.AreEqual("Label,code0,code1,code2", lines[0]);
            var labels = data.GetColumn<uint>("Label").Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
            CollectionAssert.AreEqual(labels, lines.Skip(1).Select(l => l.Split(',')[0]).ToArray());

            (code, _, error) = Run(EncodeCommand.Run, "--model", model, "--input", idv, "--label-column", "NoSuchLabel", "--output", codes);
            Assert.AreEqual(1, code);
            StringAssert.Contains(error, "no column 'NoSuchLabel'");
        }

        [TestMethod]
        public void Reproduce_AFailingParallelFit_IsAnInputErrorNotACrash()
        {
            string directory = NewDirectory();
            var (code, _, error) = Run(ReproduceCommand.Run, "--quick", "--rows", "1", "--trials", "1", "--sigmas", "0.01", "--output", directory);
            Assert.AreEqual(1, code, error);
            StringAssert.Contains(error, "error: ");
            Assert.IsFalse(error.Contains("AggregateException", StringComparison.Ordinal), error);
        }

        [TestMethod]
        public void FloatOptions_OutOfFloatRange_AreCommandLineErrorsNamingTheOption()
        {
            string directory = NewDirectory();
            string csv = WriteCsv(directory, 9, 4, "label,a,b,c,d", r => "x");
            foreach (var (option, value, message) in new[]
            {
                ("--learning-rate", "1e39", "--learning-rate must fit a 32-bit float"),
                ("--threshold", "1e39", "--threshold must fit a 32-bit float"),
                ("--learning-rate", "1e-50", "--learning-rate rounds to 0 as a 32-bit float"),
            })
            {
                var (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "label", option, value);
                Assert.AreEqual(2, code, $"{option} {value}: {error}");
                StringAssert.Contains(error, message);
                StringAssert.Contains(error, value);
            }
        }

        /// <summary>The shipped digits as a CSV (64 pixel values times <paramref name="scale"/>, then the digit), no header.</summary>
        private static string WriteDigits(string directory, double scale)
        {
            var (images, digits) = Microsoft.ML.SharedAutoencoder.Examples.Samples.DigitsCommand.Load(Microsoft.ML.SharedAutoencoder.Examples.Samples.DigitsCommand.DefaultDataPath);
            string path = Path.Combine(directory, "digits.csv");
            File.WriteAllLines(path, images.Select((image, t) => string.Join(",",
                image.Select(v => (v * scale).ToString("R", CultureInfo.InvariantCulture)).Append(digits[t].ToString(CultureInfo.InvariantCulture)))));
            return path;
        }

        [TestMethod]
        public void DeadUnits_UnscaledDigits_SaidPlainlyOnStderr_StrictExits3AndWritesNothing()
        {
            string directory = NewDirectory();
            string csv = WriteDigits(directory, 1); // pixel counts 0..16, unscaled
            string model = Path.Combine(directory, "model.zip");
            File.WriteAllText(model, "previous");
            // The paper's settings (the defaults before model format 0x00010004), on which unscaled pixels kill the units.
            string[] common = { "--input", csv, "--features", "0-63", "--hidden", "16", "--save", model, "--iterations", "50", "--init", "random", "--normalization", "none", "--encoding", "activation", "--no-split-polarity" };

            var (code, output, error) = Run(TrainCommand.Run, common);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(error, "warning: the model is degenerate: ");
            StringAssert.Contains(error, "of 16 units never fire on the training rows");
            StringAssert.Contains(error, "scale them to about [0, 1]");
            StringAssert.Contains(error, "try --init pca");
            StringAssert.Contains(output, "Model saved to");

            File.WriteAllText(model, "previous");
            (code, output, error) = Run(TrainCommand.Run, common.Append("--strict").ToArray());
            Assert.AreEqual(3, code, error);
            StringAssert.Contains(error, "error: the model is degenerate: ");
            StringAssert.Contains(error, "--strict: no file written");
            Assert.AreEqual("previous", File.ReadAllText(model));
            Assert.IsFalse(output.Contains("Model saved", StringComparison.Ordinal), output);

            // The degeneracy is saved with the model: encode repeats it.
            (code, _, _) = Run(TrainCommand.Run, common);
            Assert.AreEqual(0, code);
            string codes = Path.Combine(directory, "codes.csv");
            (code, _, error) = Run(EncodeCommand.Run, "--model", model, "--input", csv, "--features", "0-63", "--output", codes);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(error, "warning: " + model + ": the model is degenerate: ");
        }

        [TestMethod]
        public void LossZeroBeforeAnyStep_IsNotReportedAsAFit_StrictExits3()
        {
            string directory = NewDirectory();
            string csv = WriteDigits(directory, 1e-30); // squares round to 0 in float32
            // The paper's settings: without the normalization inside the model nothing can be learned from such values.
            string[] paper = { "--hidden", "10", "--iterations", "50", "--init", "random", "--normalization", "none", "--encoding", "activation", "--no-split-polarity" };
            var (code, output, error) = Run(TrainCommand.Run, new[] { "--input", csv, "--features", "0-63" }.Concat(paper).ToArray());
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(error, "warning: nothing was trained: the reconstruction loss is 0 at the initial weights");
            StringAssert.Contains(error, "this is not a fit");
            StringAssert.Contains(output, "after 0 steps");

            (code, _, error) = Run(TrainCommand.Run, new[] { "--input", csv, "--features", "0-63", "--strict" }.Concat(paper).ToArray());
            Assert.AreEqual(3, code, error);
            StringAssert.Contains(error, "error: nothing was trained");
        }

        [TestMethod]
        public void Defaults_UnscaledAndTinyDigits_AreHealthy_StrictExits0()
        {
            // The default options normalize inside the model: pixel counts 0..16 and values of order 1e-30 both train.
            string directory = NewDirectory();
            foreach (double scale in new[] { 1, 1e-30 })
            {
                string csv = WriteDigits(directory, scale);
                var (code, output, error) = Run(TrainCommand.Run, "--input", csv, "--features", "0-63", "--hidden", "64", "--strict");
                Assert.AreEqual(0, code, error);
                StringAssert.Contains(output, "Trained m = 64 units");
                Assert.IsFalse(error.Contains("degenerate", StringComparison.Ordinal), error);
                Assert.IsFalse(error.Contains("nothing was trained", StringComparison.Ordinal), error);
            }
        }

        [TestMethod]
        public void HealthyFit_NoDegeneracyMessage_StrictExits0()
        {
            string directory = NewDirectory();
            string csv = WriteDigits(directory, 1.0 / 16);
            var (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--features", "0-63", "--hidden", "16", "--init", "pca", "--strict",
                "--iterations", "50", "--normalization", "none", "--encoding", "activation", "--no-split-polarity");
            Assert.AreEqual(0, code, error);
            Assert.IsFalse(error.Contains("degenerate", StringComparison.Ordinal), error);
            Assert.IsFalse(error.Contains("nothing was trained", StringComparison.Ordinal), error);
        }

        [TestMethod]
        public void Encode_DamagedModel_NamesTheCauseNotAWrapper()
        {
            string directory = NewDirectory();
            string csv = WriteCsv(directory, 30, 6, "label,a,b,c,d,e,f", r => "x");
            string model = Path.Combine(directory, "model.zip");
            var (code, _, error) = Run(TrainCommand.Run, "--input", csv, "--label-column", "label", "--hidden", "3", "--iterations", "3", "--save", model);
            Assert.AreEqual(0, code, error);
            // Enlarge the stored n (the int 16 bytes before W) and re-zip with a valid zip CRC: only the model's own length
            // check can refuse it (it used to hang; then the CLI said "not a saved ML.NET model (Error during class instantiation)").
            byte[] file = File.ReadAllBytes(model);
            byte[] entry = Microsoft.ML.SharedAutoencoder.Tests.Reliability.ZipEntries.Read(file);
            float[] w = new MLContext(1).Model.LoadSharedAutoencoder(model, out _).Model.GetWeights()[0];
            int offset = entry.AsSpan().IndexOf(BitConverter.GetBytes(w[0]).Concat(BitConverter.GetBytes(w[1])).ToArray());
            Assert.IsGreaterThan(16, offset);
            Assert.AreEqual(6, BitConverter.ToInt32(entry, offset - 16), "n is stored 16 bytes before W");
            BitConverter.TryWriteBytes(entry.AsSpan(offset - 16), 1_000_000);
            string damaged = Path.Combine(directory, "damaged.zip");
            File.WriteAllBytes(damaged, Microsoft.ML.SharedAutoencoder.Tests.Reliability.ZipEntries.Replace(file, entry));

            string codes = Path.Combine(directory, "codes.csv");
            (code, _, error) = Run(EncodeCommand.Run, "--model", damaged, "--input", csv, "--label-column", "label", "--output", codes);
            Assert.AreEqual(1, code, error);
            StringAssert.Contains(error, "cannot be loaded: The model file is damaged or truncated");
            Assert.IsFalse(error.Contains("class instantiation", StringComparison.Ordinal), error);
            Assert.IsFalse(File.Exists(codes));
        }
    }
}
