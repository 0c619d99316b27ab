using System;
using System.Collections.Generic;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Estimator
{
    [TestClass]
    public sealed class SchemaErrorTests
    {
        private sealed class ScalarRow
        {
            public float Features { get; set; }
        }

        private sealed class DoubleRow
        {
            [VectorType(3)]
            public double[] Features { get; set; } = new double[3];
        }

        private sealed class VariableRow
        {
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        private sealed class FixedRow
        {
            [VectorType(3)]
            public float[] Features { get; set; } = new float[3];
        }

        private static void AssertSchemaError(IDataView data, string expectedFragment)
        {
            var ml = new MLContext(seed: 1);
            var estimator = ml.Transforms.SharedAutoencoder("Code", "Features", hiddenUnits: 2, maximumNumberOfIterations: 50, encoding: CodeEncoding.Activation, initialization: WeightInitialization.Random, normalization: InputNormalization.None, splitPolarity: false);
            var fit = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
            StringAssert.Contains(fit.Message, "Features");
            StringAssert.Contains(fit.Message, expectedFragment);
        }

        [TestMethod]
        public void MissingColumnIsNamed()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(new[] { new FixedRow() });
            var estimator = ml.Transforms.SharedAutoencoder("Code", "Pixels", hiddenUnits: 2, maximumNumberOfIterations: 50, encoding: CodeEncoding.Activation, initialization: WeightInitialization.Random, normalization: InputNormalization.None, splitPolarity: false);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
            StringAssert.Contains(error.Message, "Pixels");
            StringAssert.Contains(error.Message, "input column");
        }

        [TestMethod]
        public void ScalarColumnIsRejected()
            => AssertSchemaError(new MLContext(1).Data.LoadFromEnumerable(new[] { new ScalarRow() }), "known-size vector of Single");

        [TestMethod]
        public void DoubleVectorIsRejected()
            => AssertSchemaError(new MLContext(1).Data.LoadFromEnumerable(new[] { new DoubleRow() }), "Vector<Double, 3>");

        [TestMethod]
        public void VariableSizeVectorIsRejected()
            => AssertSchemaError(new MLContext(1).Data.LoadFromEnumerable(new List<VariableRow> { new() { Features = new float[] { 1, 2 } } }), "Vector<Single>");

        [TestMethod]
        public void WrongVectorSizeAtTransformTimeIsRejected()
        {
            var ml = new MLContext(seed: 1);
            var random = new Random(3);
            var rows = new List<FixedRow>();
            for (int t = 0; t < 20; t++)
                rows.Add(new FixedRow { Features = new[] { (float)random.NextDouble(), (float)random.NextDouble(), 1f } });
            var model = ml.Transforms.SharedAutoencoder("Code", "Features", hiddenUnits: 2, maximumNumberOfIterations: 50, encoding: CodeEncoding.Activation, initialization: WeightInitialization.Random, normalization: InputNormalization.None, splitPolarity: false).Fit(ml.Data.LoadFromEnumerable(rows));

            var other = ml.Data.LoadFromEnumerable(new[] { new DoubleRow() });
            var wrongType = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(other));
            StringAssert.Contains(wrongType.Message, "Features");

            var longer = ml.Transforms.Concatenate("Features", "Features", "Features").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
            var wrongSize = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(longer));
            StringAssert.Contains(wrongSize.Message, "Vector<Single, 3>");
            StringAssert.Contains(wrongSize.Message, "Vector<Single, 6>");
        }
    }
}
