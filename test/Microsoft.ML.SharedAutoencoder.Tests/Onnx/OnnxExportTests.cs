using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Onnx
{
    /// <summary>
    /// Parity of the ONNX export: a model converted with ML.NET's own converter and run by ONNX Runtime on held-out rows
    /// gives ML.NET's codes, reconstructions, errors and downstream scores to 1e-5.
    /// </summary>
    [TestClass]
    public sealed class OnnxExportTests
    {
        private const int N = 24, M = 8, TrainRows = 600, HeldOutRows = 200;
        private const float Tolerance = 1e-5f;

        public TestContext TestContext { get; set; } = null!;

        private static (MLContext Ml, IDataView Train, IDataView HeldOut) Mixture(int n = N, int m = M, double sigma = 0.1)
        {
            var ml = new MLContext(seed: 1);
            var random = new Random(11);
            var a = TestData.RandomDictionary(n, m, random);
            var (train, trainLabels) = TestData.Mixture(a, n, m, TrainRows, sigma, random);
            var (heldOut, heldOutLabels) = TestData.Mixture(a, n, m, HeldOutRows, sigma, random);
            return (ml, TestData.MixtureView(ml, train, trainLabels, n), TestData.MixtureView(ml, heldOut, heldOutLabels, n));
        }

        private static SharedAutoencoderEstimator.Options Options(AutoencoderActivation activation) => new SharedAutoencoderEstimator.Options
        {
            // The paper's settings (the defaults before format 0x00010004).
            Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation,
            HiddenUnits = M,
            Activation = activation,
            Threshold = 0.3f,
            MaximumNumberOfIterations = 20,
            Seed = 3,
            ReconstructionColumnName = "Reconstruction",
            ReconstructionErrorColumnName = "Error",
        };

        internal static byte[] Export(MLContext ml, ITransformer model, IDataView data, int? opSet = null)
        {
            using var stream = new MemoryStream();
            if (opSet is int version)
                ml.Model.ConvertToOnnx(model, data, version, stream);
            else
                ml.Model.ConvertToOnnx(model, data, stream);
            return stream.ToArray();
        }

        /// <summary>Runs the model on <paramref name="rows"/> fed to the float input <paramref name="inputName"/>; other inputs get zeros.</summary>
        internal static Dictionary<string, float[]> Run(byte[] onnx, string inputName, float[][] rows)
        {
            using var session = new InferenceSession(onnx);
            var inputs = new Dictionary<string, OrtValue>();
            try
            {
                foreach (var (name, metadata) in session.InputMetadata)
                {
                    long[] shape = metadata.Dimensions.Select(d => d < 0 ? (long)rows.Length : d).ToArray();
                    long count = shape.Aggregate(1L, (p, d) => p * d);
                    inputs[name] = name == inputName
                        ? OrtValue.CreateTensorValueFromMemory(rows.SelectMany(r => r).ToArray(), shape)
                        : metadata.ElementType == typeof(uint) ? OrtValue.CreateTensorValueFromMemory(new uint[count], shape)
                        : metadata.ElementType == typeof(float) ? OrtValue.CreateTensorValueFromMemory(new float[count], shape)
                        : throw new NotSupportedException($"Input {name} of type {metadata.ElementType}");
                }
                var outputNames = session.OutputMetadata.Where(o => o.Value.ElementType == typeof(float)).Select(o => o.Key).ToArray();
                using var runOptions = new RunOptions();
                using var results = session.Run(runOptions, inputs, outputNames);
                return outputNames.Zip(results).ToDictionary(p => p.First, p => p.Second.GetTensorDataAsSpan<float>().ToArray());
            }
            finally
            {
                foreach (var value in inputs.Values)
                    value.Dispose();
            }
        }

        internal static float[] Flat(IDataView view, string column)
            => view.Schema[column].Type is VectorDataViewType
                ? view.GetColumn<VBuffer<float>>(column).SelectMany(v => v.DenseValues().ToArray()).ToArray()
                : view.GetColumn<float>(column).ToArray();

        // Largest |a − b|; NaN in both at the same place counts as equal, NaN in only one as infinite.
        internal static double MaxAbsDifference(float[] expected, float[] actual)
        {
            Assert.HasCount(expected.Length, actual);
            double max = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                if (float.IsNaN(expected[i]) && float.IsNaN(actual[i]))
                    continue;
                double d = Math.Abs((double)expected[i] - actual[i]);
                max = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(max, d);
            }
            return max;
        }

        private double AssertParity(IDataView mlnetOutput, Dictionary<string, float[]> onnxOutputs, string column)
        {
            double difference = MaxAbsDifference(Flat(mlnetOutput, column), onnxOutputs[column + ".output"]);
            TestContext.WriteLine($"{column}: max |ML.NET − ONNX| = {difference:G3}");
            Assert.IsLessThanOrEqualTo(Tolerance, difference, $"column {column}");
            return difference;
        }

        [TestMethod]
        [DataRow(AutoencoderActivation.Relu)]
        [DataRow(AutoencoderActivation.HardThreshold)]
        public void ExportedCodeReconstructionAndErrorEqualMLNet(AutoencoderActivation activation)
        {
            var (ml, train, heldOut) = Mixture();
            var model = ml.Transforms.SharedAutoencoder(Options(activation)).Fit(train);
            byte[] onnx = Export(ml, model, train);
            TestContext.WriteLine($"{activation}: n = {N}, m = {M}, ONNX model {onnx.Length} bytes");

            var expected = model.Transform(heldOut);
            var actual = Run(onnx, "Features", heldOut.GetColumn<float[]>("Features").ToArray());
            foreach (string column in new[] { "Code", "Reconstruction", "Error" })
                AssertParity(expected, actual, column);

            // The comparison means something only if units both fire and stay silent on these rows.
            float[] code = actual["Code.output"];
            double active = code.Count(v => v != 0) / (double)code.Length;
            TestContext.WriteLine($"{activation}: active fraction {active:F3}");
            Assert.IsTrue(active > 0.05 && active < 0.95, $"active fraction {active}");
        }

        [TestMethod]
        [DataRow(AutoencoderActivation.Relu, CodeEncoding.Activation, true)]
        [DataRow(AutoencoderActivation.HardThreshold, CodeEncoding.Activation, true)]
        [DataRow(AutoencoderActivation.Relu, CodeEncoding.SoftThreshold, false)]
        [DataRow(AutoencoderActivation.Relu, CodeEncoding.SoftThreshold, true)]
        [DataRow(AutoencoderActivation.Relu, CodeEncoding.TopK, false)]
        [DataRow(AutoencoderActivation.HardThreshold, CodeEncoding.TopK, true)]
        [DataRow(AutoencoderActivation.TopK, CodeEncoding.Activation, false)]
        [DataRow(AutoencoderActivation.TopK, CodeEncoding.Activation, true)]
        [DataRow(AutoencoderActivation.TopK, CodeEncoding.SoftThreshold, false)]
        public void EveryEncodingExportsWithEqualCodesReconstructionsAndErrors(AutoencoderActivation activation, CodeEncoding encoding, bool split)
        {
            var (ml, train, heldOut) = Mixture();
            var options = Options(activation);
            options.Encoding = encoding;
            options.SplitPolarity = split;
            if (encoding == CodeEncoding.SoftThreshold)
                options.EncodingThreshold = 0.2f;
            if (encoding == CodeEncoding.TopK || activation == AutoencoderActivation.TopK)
                options.ActiveUnits = 3;
            var model = ml.Transforms.SharedAutoencoder(options).Fit(train);
            byte[] onnx = Export(ml, model, train, opSet: 11);

            var expected = model.Transform(heldOut);
            var actual = Run(onnx, "Features", heldOut.GetColumn<float[]>("Features").ToArray());
            Assert.HasCount(HeldOutRows * model.Model.CodeLength, actual["Code.output"]);
            foreach (string column in new[] { "Code", "Reconstruction", "Error" })
                AssertParity(expected, actual, column);
            float[] code = actual["Code.output"];
            double active = code.Count(v => v != 0) / (double)code.Length;
            TestContext.WriteLine($"{activation} {encoding} split {split}: active fraction {active:F3}");
            Assert.IsTrue(active > 0.02 && active < 0.95, $"active fraction {active}");
        }

        [TestMethod]
        public void TopKNeedsOpSet11AndSaysSo()
        {
            var (ml, train, _) = Mixture();
            var options = Options(AutoencoderActivation.Relu);
            options.Encoding = CodeEncoding.TopK;
            options.ActiveUnits = 2;
            var model = ml.Transforms.SharedAutoencoder(options).Fit(train);
            var error = Assert.Throws<Exception>(() => Export(ml, model, train, opSet: 10));
            TestContext.WriteLine(error.Message);
            StringAssert.Contains(error.Message, "11");
        }

        [TestMethod]
        public void TheTopKActivationNeedsOpSet11AndSaysSo()
        {
            var (ml, train, _) = Mixture();
            var options = Options(AutoencoderActivation.TopK);
            options.ActiveUnits = 2;
            var model = ml.Transforms.SharedAutoencoder(options).Fit(train);
            var error = Assert.Throws<Exception>(() => Export(ml, model, train, opSet: 10));
            StringAssert.Contains(error.Message, "11");
        }

        [TestMethod]
        public void AModelLoadedFromAFileExportsTheSameGraph()
        {
            var (ml, train, heldOut) = Mixture();
            var model = ml.Transforms.SharedAutoencoder(Options(AutoencoderActivation.HardThreshold)).Fit(train);
            using var file = new MemoryStream();
            ml.Model.Save(model, train.Schema, file);
            file.Position = 0;
            var loaded = ml.Model.Load(file, out _);

            byte[] fromFile = Export(ml, loaded, train);
            CollectionAssert.AreEqual(Export(ml, model, train), fromFile);
            var actual = Run(fromFile, "Features", heldOut.GetColumn<float[]>("Features").ToArray());
            AssertParity(model.Transform(heldOut), actual, "Code");
        }

        [TestMethod]
        [DataRow(9)]
        [DataRow(12)]
        public void EveryOpSetTheConverterOffersWorks(int opSet)
        {
            var (ml, train, heldOut) = Mixture();
            var model = ml.Transforms.SharedAutoencoder(Options(AutoencoderActivation.HardThreshold)).Fit(train);
            byte[] onnx = Export(ml, model, train, opSet);
            var actual = Run(onnx, "Features", heldOut.GetColumn<float[]>("Features").ToArray());
            AssertParity(model.Transform(heldOut), actual, "Code");
            AssertParity(model.Transform(heldOut), actual, "Error");
        }

        [TestMethod]
        public void PipelineWithDownstreamClassifierGivesMLNetScores()
        {
            var (ml, train, heldOut) = Mixture();
            var labeled = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
            var pipeline = ml.Transforms.NormalizeMinMax("Features")
                .Append(ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
                {
                    // The paper's settings (the defaults before format 0x00010004).
                    Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                    HiddenUnits = M,
                    MaximumNumberOfIterations = 20,
                    Initialization = WeightInitialization.Pca,
                    Seed = 3,
                }))
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Code", maximumNumberOfIterations: 20));
            var keyedTrain = labeled.Transform(train);
            var model = pipeline.Fit(keyedTrain);
            byte[] onnx = Export(ml, model, keyedTrain);
            TestContext.WriteLine($"NormalizeMinMax → SharedAutoencoder → SdcaMaximumEntropy: ONNX model {onnx.Length} bytes");

            var keyedHeldOut = labeled.Transform(heldOut);
            var expected = model.Transform(keyedHeldOut);
            var actual = Run(onnx, "Features", heldOut.GetColumn<float[]>("Features").ToArray());
            AssertParity(expected, actual, "Code");
            AssertParity(expected, actual, "Score");

            // The classifier learned something, so equal scores are not two constant vectors.
            var metrics = ml.MulticlassClassification.Evaluate(expected);
            TestContext.WriteLine($"macro accuracy {metrics.MacroAccuracy:F3}");
            Assert.IsGreaterThan(0.8, metrics.MacroAccuracy, $"macro accuracy {metrics.MacroAccuracy}");
        }

        [TestMethod]
        public void DigitsPipelineExportsWithEqualScores()
        {
            // Real data: 1,797 UCI 8×8 digits (shipped with the examples); the last 397 rows are held out.
            var (images, digits) = SharedAutoencoder.Examples.Samples.DigitsCommand.Load(SharedAutoencoder.Examples.Samples.DigitsCommand.DefaultDataPath);
            var ml = new MLContext(seed: 1);
            IDataView View(int from, int to)
            {
                var rows = Enumerable.Range(from, to - from).Select(t => new TestData.Row { Features = images[t], Label = (uint)digits[t] }).ToList();
                var schema = SchemaDefinition.Create(typeof(TestData.Row));
                schema[nameof(TestData.Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 64);
                return ml.Data.LoadFromEnumerable(rows, schema);
            }
            const int trainRows = 1400;
            var labeled = ml.Transforms.Conversion.MapValueToKey("Label").Fit(View(0, trainRows));
            var train = labeled.Transform(View(0, trainRows));
            var heldOut = labeled.Transform(View(trainRows, images.Count));
            var model = ml.Transforms.NormalizeMinMax("Features")
                .Append(ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 64, MaximumNumberOfIterations = 30, Seed = 3 }))
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Code", maximumNumberOfIterations: 30))
                .Fit(train);
            byte[] onnx = Export(ml, model, train);
            TestContext.WriteLine($"digits, NormalizeMinMax → SharedAutoencoder (m = 64) → SdcaMaximumEntropy: ONNX model {onnx.Length} bytes");

            var expected = model.Transform(heldOut);
            var actual = Run(onnx, "Features", heldOut.GetColumn<float[]>("Features").ToArray());
            AssertParity(expected, actual, "Code");
            AssertParity(expected, actual, "Score");
            var metrics = ml.MulticlassClassification.Evaluate(expected);
            TestContext.WriteLine($"held-out macro accuracy {metrics.MacroAccuracy:F3}");
            Assert.IsGreaterThan(0.8, metrics.MacroAccuracy, $"macro accuracy {metrics.MacroAccuracy}");
        }

        [TestMethod]
        [DataRow(CodeEncoding.SoftThreshold, false)]
        [DataRow(CodeEncoding.SoftThreshold, true)]
        [DataRow(CodeEncoding.Activation, false)]
        [DataRow(CodeEncoding.TopK, false)]
        public void TheNormalizationInsideTheModelIsExported(CodeEncoding encoding, bool split)
        {
            // Rows far from order 1 (×50, +3): ML.NET normalizes them inside the model, and so must the graph, on the way in
            // (codes) and out (reconstruction in input units, error against the row as given).
            var (ml, mixtureTrain, mixtureHeldOut) = Mixture();
            float[][] Shifted(IDataView view) => view.GetColumn<float[]>("Features").Select(r => r.Select(v => 50 * v + 3).ToArray()).ToArray();
            float[][] trainRows = Shifted(mixtureTrain), heldOutRows = Shifted(mixtureHeldOut);
            heldOutRows[2][5] = float.NaN;
            var train = TestData.MixtureView(ml, trainRows.SelectMany(r => r).ToArray(), new int[trainRows.Length], N);
            var heldOut = TestData.MixtureView(ml, heldOutRows.SelectMany(r => r).ToArray(), new int[heldOutRows.Length], N);
            var options = new SharedAutoencoderEstimator.Options
            {
                HiddenUnits = M, Encoding = encoding, SplitPolarity = split, Seed = 3,
                ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error",
            };
            if (encoding == CodeEncoding.TopK)
                options.ActiveUnits = 3;
            var model = ml.Transforms.SharedAutoencoder(options).Fit(train);
            Assert.AreEqual(InputNormalization.CenterAndScale, model.Model.Normalization);
            byte[] onnx = Export(ml, model, train, opSet: 11);

            var expected = model.Transform(heldOut);
            var actual = Run(onnx, "Features", heldOutRows);
            foreach (string column in new[] { "Code", "Reconstruction", "Error" })
            {
                float[] mlnet = Flat(expected, column);
                double scale = Math.Max(1, mlnet.Where(float.IsFinite).Max(v => Math.Abs(v)));
                double difference = MaxAbsDifference(mlnet, actual[column + ".output"]);
                TestContext.WriteLine($"{encoding} split {split} {column}: max |ML.NET − ONNX| = {difference:G3} (largest value {scale:G3})");
                Assert.IsLessThanOrEqualTo(Tolerance * scale, difference, $"column {column}");
            }
            float[] code = actual["Code.output"];
            Assert.IsTrue(code.AsSpan(2 * model.Model.CodeLength, model.Model.CodeLength).ToArray().All(float.IsNaN), "the row with a NaN");
            double active = code.Count(v => v != 0 && !float.IsNaN(v)) / (double)code.Length;
            Assert.IsTrue(active > 0.02 && active < 0.95, $"active fraction {active}");
        }

        [TestMethod]
        public void RowsWithNaNOrInfinityGiveAllNaNAsInMLNet()
        {
            var (ml, train, heldOut) = Mixture();
            var model = ml.Transforms.SharedAutoencoder(Options(AutoencoderActivation.Relu)).Fit(train);
            byte[] onnx = Export(ml, model, train);

            float[][] rows = heldOut.GetColumn<float[]>("Features").Take(6).ToArray();
            rows[1][3] = float.NaN;
            rows[3][0] = float.PositiveInfinity;
            rows[4][N - 1] = float.NegativeInfinity;
            var view = TestData.MixtureView(ml, rows.SelectMany(r => r).ToArray(), new int[rows.Length], N);
            var actual = Run(onnx, "Features", rows);
            foreach (string column in new[] { "Code", "Reconstruction", "Error" })
                AssertParity(model.Transform(view), actual, column);

            float[] code = actual["Code.output"];
            for (int t = 0; t < rows.Length; t++)
            {
                bool finite = rows[t].All(float.IsFinite);
                var rowCode = code.AsSpan(t * M, M).ToArray();
                Assert.AreEqual(finite, rowCode.All(float.IsFinite), $"row {t}");
                if (!finite)
                    Assert.IsTrue(rowCode.All(float.IsNaN), $"row {t}: every entry NaN");
            }
        }

        private sealed class ImageRow
        {
            public float[] Pixels { get; set; } = Array.Empty<float>();
        }

        [TestMethod]
        public void ImageShapedInputIsFlattenedAsMLNetReadsIt()
        {
            var ml = new MLContext(seed: 1);
            var random = new Random(5);
            var rows = Enumerable.Range(0, 300).Select(_ => new ImageRow
            {
                Pixels = Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble()).ToArray(),
            }).ToList();
            var schema = SchemaDefinition.Create(typeof(ImageRow));
            schema[nameof(ImageRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 4, 4);
            var data = ml.Data.LoadFromEnumerable(rows, schema);
            var model = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation,
                InputColumnName = "Pixels",
                HiddenUnits = 5,
                MaximumNumberOfIterations = 10,
                Seed = 2,
                ReconstructionErrorColumnName = "Error",
            }).Fit(data);

            byte[] onnx = Export(ml, model, data);
            var actual = Run(onnx, "Pixels", rows.Select(r => r.Pixels).ToArray());
            var expected = model.Transform(data);
            AssertParity(expected, actual, "Code");
            AssertParity(expected, actual, "Error");
        }

        [TestMethod]
        public void OutputNamedAsItsInputReplacesItInTheGraph()
        {
            var (ml, train, heldOut) = Mixture();
            var model = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation,
                InputColumnName = "Features",
                OutputColumnName = "Features",
                HiddenUnits = M,
                MaximumNumberOfIterations = 10,
                Seed = 3,
                ReconstructionErrorColumnName = "Error",
            }).Fit(train);
            byte[] onnx = Export(ml, model, train);
            var actual = Run(onnx, "Features", heldOut.GetColumn<float[]>("Features").ToArray());
            var expected = model.Transform(heldOut);
            Assert.HasCount(HeldOutRows * M, actual["Features.output"]);
            AssertParity(expected, actual, "Features");
            AssertParity(expected, actual, "Error");
        }

        [TestMethod]
        public void AnEncodingWithoutAnOnnxFormThrowsNamingTheStep()
        {
            // Orthogonal matching pursuit iterates per row: no static-graph form.
            var ml = new MLContext(seed: 1);
            var random = new Random(1);
            var weights = TestData.RandomDictionary(N, M, random);
            var parameters = new SharedAutoencoderModelParameters(N, weights, new float[M], AutoencoderActivation.Relu, 0.5f,
                CodeEncodingSettings.OrthogonalMatchingPursuit(3));
            var transformer = new SharedAutoencoderTransformer(ml, parameters, new TrainingHistory(Array.Empty<TrainingIteration>(), TrainingStopReason.IterationLimit),
                new[] { new SharedAutoencoderTransformer.OutputColumn("Code", "Features", SharedAutoencoderTransformer.OutputKind.Code) });
            var (values, labels) = TestData.Mixture(weights, N, M, 10, 0.1, random);
            var data = TestData.MixtureView(ml, values, labels, N);

            var error = Assert.ThrowsExactly<NotSupportedException>(() => Export(ml, transformer, data));
            StringAssert.Contains(error.Message, "SharedAutoencoder step (code column 'Code')");
            StringAssert.Contains(error.Message, "cannot be exported to ONNX");
            StringAssert.Contains(error.Message, "OrthogonalMatchingPursuit");
        }
    }
}
