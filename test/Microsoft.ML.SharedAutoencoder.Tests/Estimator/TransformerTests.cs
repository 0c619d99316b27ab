using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Estimator
{
    [TestClass]
    public sealed class TransformerTests
    {
        private const int N = 40, M = 6, Rows = 1500;

        private sealed class CodeRow
        {
            public float[] Code { get; set; } = Array.Empty<float>();
        }

        private sealed class FeatureRow
        {
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        private static (MLContext Ml, IDataView Data, float[] Rows, int[] Components, float[] Dictionary) Mixture(int seed = 7, int n = N, int m = M, int rows = Rows, double sigma = 0.05)
        {
            var ml = new MLContext(seed: 1);
            var random = new Random(seed);
            var a = TestData.RandomDictionary(n, m, random);
            var (values, components) = TestData.Mixture(a, n, m, rows, sigma, random);
            return (ml, TestData.MixtureView(ml, values, components, n), values, components, a);
        }

        private static SharedAutoencoderEstimator.Options Options(int m = M) => new SharedAutoencoderEstimator.Options
        {
            // The paper's settings (the defaults before format 0x00010004).
            Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation,
            HiddenUnits = m,
            MaximumNumberOfIterations = 15,
            Seed = 4,
            ReconstructionColumnName = "Reconstruction",
            ReconstructionErrorColumnName = "Error",
        };

        private static float[][] Codes(IDataView view, string column = "Code")
            => view.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToArray();

        [TestMethod]
        public void TransformProducesSparseCodesOfTheDeclaredType()
        {
            var (ml, data, _, _, _) = Mixture();
            var model = ml.Transforms.SharedAutoencoder(Options()).Fit(data);
            var output = model.Transform(data);

            var column = output.Schema["Code"];
            Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, M), column.Type);
            Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, N), output.Schema["Reconstruction"].Type);
            Assert.AreEqual(NumberDataViewType.Single, output.Schema["Error"].Type);

            // The getter reuses its buffers, so look at each code as it comes.
            int rowCount = 0, sparseRows = 0;
            foreach (var code in output.GetColumn<VBuffer<float>>("Code"))
            {
                rowCount++;
                Assert.AreEqual(M, code.Length);
                Assert.IsTrue(code.GetValues().ToArray().All(v => v > 0), "only the positive ReLU outputs are stored");
                if (code.GetValues().Length < M)
                {
                    Assert.IsFalse(code.IsDense);
                    sparseRows++;
                }
            }
            Assert.AreEqual(Rows, rowCount);
            Assert.IsGreaterThan(Rows / 2, sparseRows, "mixture codes are sparse");
            var codes = Codes(output);

            // The code agrees with the public model parameters, and the error column with the reconstruction.
            var parameters = model.Model;
            var features = data.GetColumn<float[]>("Features").ToArray();
            var reconstructions = output.GetColumn<float[]>("Reconstruction").ToArray();
            var errors = output.GetColumn<float>("Error").ToArray();
            var expected = new float[M];
            var decoded = new float[N];
            for (int t = 0; t < 50; t++)
            {
                parameters.Encode(features[t], expected);
                CollectionAssert.AreEqual(expected, codes[t]);
                parameters.Decode(expected, decoded);
                CollectionAssert.AreEqual(decoded, reconstructions[t]);
                double error = 0.5 * features[t].Zip(decoded, (y, r) => (double)(y - r) * (y - r)).Sum();
                Assert.AreEqual(error, errors[t], 1e-5 * Math.Max(1, error));
            }
            Assert.AreEqual(model.History.Iterations.Last(e => !e.Undone).Loss, errors.Average(e => (double)e), 1e-4,
                "the mean reconstruction error is the final training loss");
        }

        [TestMethod]
        public void ModelExposesParametersAndHistory()
        {
            var (ml, data, _, _, _) = Mixture();
            var model = ml.Transforms.SharedAutoencoder(Options()).Fit(data);
            Assert.AreEqual(N, model.Model.InputSize);
            Assert.AreEqual(M, model.Model.HiddenUnits);
            Assert.AreEqual(AutoencoderActivation.Relu, model.Model.Activation);
            Assert.HasCount(M, model.Model.GetWeights());
            Assert.IsTrue(model.Model.GetWeights().All(w => w.Length == N));
            // Default ReLU bias −1/ln n halved after each of the 15 steps.
            float expectedBias = (float)(-1 / Math.Log(N));
            for (int s = 0; s < 15; s++)
                expectedBias /= 2;
            Assert.AreEqual(expectedBias, model.Model.GetBias()[0], 1e-9);
            var history = model.History.Iterations;
            Assert.AreEqual(16, history.Count(e => !e.Undone));
            Assert.AreEqual(0, history[0].Iteration);
            Assert.AreEqual((float)M, history[1].LearningRate, "default learning rate m/k with k = 1");
            Assert.IsTrue(history.All(e => double.IsFinite(e.Loss) && e.ActiveFraction is >= 0 and <= 1));
            Assert.IsLessThan(history[0].Loss, history.Last().Loss);
        }

        [TestMethod]
        public void PredictionEngineEqualsTransform()
        {
            var (ml, data, _, _, _) = Mixture();
            var model = ml.Transforms.SharedAutoencoder(Options()).Fit(data);
            var fromTransform = Codes(model.Transform(data));
            var features = data.GetColumn<float[]>("Features").ToArray();

            var schema = SchemaDefinition.Create(typeof(FeatureRow));
            schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, N);
            var engine = ml.Model.CreatePredictionEngine<FeatureRow, CodeRow>(model, inputSchemaDefinition: schema);
            for (int t = 0; t < features.Length; t += 7)
                CollectionAssert.AreEqual(fromTransform[t], engine.Predict(new FeatureRow { Features = features[t] }).Code, $"row {t}");
        }

        [TestMethod]
        public void RowToRowMapperEqualsTransform()
        {
            var (ml, data, _, _, _) = Mixture();
            var model = ml.Transforms.SharedAutoencoder(Options()).Fit(data);
            var fromTransform = Codes(model.Transform(data));
            var mapper = ((ITransformer)model).GetRowToRowMapper(data.Schema);
            var codeColumn = mapper.OutputSchema["Code"];
            using var cursor = data.GetRowCursor(data.Schema);
            using var row = mapper.GetRow(cursor, new[] { codeColumn });
            var getter = row.GetGetter<VBuffer<float>>(codeColumn);
            VBuffer<float> code = default;
            int t = 0;
            while (cursor.MoveNext())
            {
                getter(ref code);
                CollectionAssert.AreEqual(fromTransform[t++], code.DenseValues().ToArray());
            }
            Assert.AreEqual(Rows, t);
        }

        [TestMethod]
        public void CodesFeedAClassifierAccurately()
        {
            // Issue 2, test 6: SdcaMaximumEntropy on the codes of mixture data, label = component, ≥ 0.95 accuracy.
            var (ml, data, _, _, _) = Mixture(seed: 8, n: 50, m: 5, rows: 3000, sigma: 0.05);
            var split = ml.Data.TrainTestSplit(data, testFraction: 0.3, seed: 1);
            var pipeline = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, MaximumNumberOfIterations = 50, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 5, Seed = 2 })
                .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Code"));
            var model = pipeline.Fit(split.TrainSet);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
            Console.WriteLine($"accuracy on codes: {metrics.MicroAccuracy:F4}");
            Assert.IsGreaterThanOrEqualTo(0.95, metrics.MicroAccuracy);
        }

        [TestMethod]
        public void SavedModelLoadsInAFreshProcessWithIdenticalCodes()
        {
            var (ml, data, rows, _, _) = Mixture();
            var pipeline = ml.Transforms.SharedAutoencoder(outputColumnName: "Code", inputColumnName: "Features", hiddenUnits: M,
                // The paper's settings (the defaults before format 0x00010004); NormalizationTests covers the defaults.
                maximumNumberOfIterations: 50, encoding: CodeEncoding.Activation, splitPolarity: false, initialization: WeightInitialization.Random,
                normalization: InputNormalization.None);
            var model = pipeline.Fit(data);
            var expected = Codes(model.Transform(data));

            string directory = Path.Combine(Path.GetTempPath(), "sae-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            try
            {
                string modelPath = Path.Combine(directory, "model.zip");
                string rowsPath = Path.Combine(directory, "rows.bin");
                string codesPath = Path.Combine(directory, "codes.bin");
                ml.Model.Save(model, data.Schema, modelPath);
                LoadProbe.WriteRows(rowsPath, Rows, N, rows);
                LoadProbe.Run(modelPath, rowsPath, codesPath);

                using var reader = new BinaryReader(File.OpenRead(codesPath));
                Assert.AreEqual(Rows, reader.ReadInt32());
                Assert.AreEqual(M, reader.ReadInt32());
                for (int t = 0; t < Rows; t++)
                {
                    for (int i = 0; i < M; i++)
                        Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[t][i]), BitConverter.SingleToInt32Bits(reader.ReadSingle()), $"row {t}, unit {i}");
                }
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [TestMethod]
        public void SaveAndLoadInProcessKeepsParametersAndHistory()
        {
            var (ml, data, _, _, _) = Mixture();
            var model = ml.Transforms.SharedAutoencoder(Options()).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            stream.Position = 0;
            var loaded = new MLContext(seed: 99).Model.Load(stream, out _);
            var transformer = loaded as SharedAutoencoderTransformer ?? (loaded as TransformerChain<ITransformer>)?.OfType<SharedAutoencoderTransformer>().Single();
            Assert.IsNotNull(transformer);
            CollectionAssert.AreEqual(model.Model.GetWeights().SelectMany(w => w).ToArray(), transformer.Model.GetWeights().SelectMany(w => w).ToArray());
            CollectionAssert.AreEqual(model.Model.GetBias(), transformer.Model.GetBias());
            Assert.AreEqual(model.History.Iterations.Count, transformer.History.Iterations.Count);
            Assert.AreEqual(model.History.Iterations.Last().Loss, transformer.History.Iterations.Last().Loss);
            CollectionAssert.AreEqual(Codes(model.Transform(data), "Reconstruction").SelectMany(c => c).ToArray(),
                transformer.Transform(data).GetColumn<float[]>("Reconstruction").SelectMany(c => c).ToArray());
        }

        [TestMethod]
        public void SameSeedGivesBitIdenticalModels()
        {
            var (ml, data, _, _, _) = Mixture();
            var first = ml.Transforms.SharedAutoencoder(Options()).Fit(data);
            var options = Options();
            options.NumberOfThreads = 1;
            var second = new MLContext(seed: 5).Transforms.SharedAutoencoder(options).Fit(data);
            CollectionAssert.AreEqual(first.Model.GetWeights().SelectMany(w => w).ToArray(), second.Model.GetWeights().SelectMany(w => w).ToArray());
            CollectionAssert.AreEqual(first.History.Iterations.Select(e => e.Loss).ToArray(), second.History.Iterations.Select(e => e.Loss).ToArray());
        }
    }
}
