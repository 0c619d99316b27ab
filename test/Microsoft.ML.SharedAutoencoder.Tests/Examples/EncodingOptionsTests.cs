using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Examples.Featurization;
using Microsoft.ML.SharedAutoencoder.Examples.Samples;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary>The featurization commands put the soft threshold on the bias: the codes must not change by a bit.</summary>
    [TestClass]
    public sealed class EncodingOptionsTests
    {
        private static List<float[]> Codes(MLContext ml, IDataView data, SharedAutoencoderEstimator.Options options)
        {
            var model = ml.Transforms.SharedAutoencoder(options).Fit(data);
            return ml.Data.CreateEnumerable<CodeRow>(model.Transform(data), reuseRowObject: false).Select(r => r.Code).ToList();
        }

        [TestMethod]
        [DataRow(false)]
        [DataRow(true)]
        public void SoftThresholdOnTheBias_GivesTheSameCodesAsTheEncodingThreshold(bool split)
        {
            var (images, _) = DigitsCommand.Load(DigitsCommand.DefaultDataPath);
            var ml = new MLContext(seed: 1);
            var schema = SchemaDefinition.Create(typeof(FeatureRow));
            schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 64);
            IDataView pixels = ml.Data.LoadFromEnumerable(images.Take(300).Select(x => new FeatureRow { Features = x.Select(v => v / 16).ToArray() }), schema);
            IDataView data = ml.Transforms.Whiten("Features", "Features", WhiteningKind.Pca, 0.7f).Fit(pixels).Transform(pixels);
            SharedAutoencoderEstimator.Options Options() => new()
            {
                InputColumnName = "Features", OutputColumnName = "Code", HiddenUnits = 48, Initialization = WeightInitialization.Samples,
                InitialBias = 0, Seed = 3,
            };

            var reference = Options();
            reference.MaximumNumberOfIterations = 0;
            reference.Encoding = CodeEncoding.SoftThreshold;
            reference.SplitPolarity = split;
            reference.EncodingThreshold = 0.5f;
            var onTheBias = Options();
            EncodingOptions.Apply(onTheBias, CodeEncodingSettings.SoftThreshold(0.5f, split));

            Assert.AreEqual(-0.5f, onTheBias.InitialBias);
            Assert.AreEqual(0f, onTheBias.EncodingThreshold);
            List<float[]> expected = Codes(ml, data, reference), actual = Codes(ml, data, onTheBias);
            Assert.AreEqual(split ? 96 : 48, expected[0].Length);
            Assert.IsTrue(expected.SelectMany(c => c).Any(v => v > 0) && expected.SelectMany(c => c).Any(v => v == 0), "the threshold must matter");
            for (int t = 0; t < expected.Count; t++)
                CollectionAssert.AreEqual(expected[t], actual[t], $"row {t}");
        }

        private sealed class FeatureRow
        {
            public float[] Features { get; set; } = System.Array.Empty<float>();
        }

        private sealed class CodeRow
        {
            [VectorType]
            public float[] Code { get; set; } = System.Array.Empty<float>();
        }
    }
}
