using System;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Whitening
{
    [TestClass]
    public sealed class WhiteningErrorTests
    {
        private sealed class DoubleRow
        {
            [VectorType(3)]
            public double[] Features { get; set; } = new double[3];
        }

        private sealed class VariableRow
        {
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        private sealed class ScalarRow
        {
            public float Features { get; set; }
        }

        private static void AssertSchemaError(IDataView data, string fragment)
        {
            var ml = new MLContext(seed: 1);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Whiten("White", "Features").Fit(data));
            StringAssert.Contains(error.Message, "Features");
            StringAssert.Contains(error.Message, fragment);
        }

        [TestMethod]
        public void DoubleVectorIsRejected()
            => AssertSchemaError(new MLContext(1).Data.LoadFromEnumerable(new[] { new DoubleRow() }), "Vector<Double, 3>");

        [TestMethod]
        public void VariableSizeVectorIsRejected()
            => AssertSchemaError(new MLContext(1).Data.LoadFromEnumerable(new[] { new VariableRow { Features = new float[3] } }), "known-size vector of Single");

        [TestMethod]
        public void ScalarIsRejected()
            => AssertSchemaError(new MLContext(1).Data.LoadFromEnumerable(new[] { new ScalarRow() }), "known-size vector of Single");

        [TestMethod]
        public void MissingColumnIsNamed()
        {
            var ml = new MLContext(seed: 1);
            var data = WhiteningData.Load(ml, WhiteningData.Correlated(10, 3, 1));
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Whiten("White", "Pixels").Fit(data));
            StringAssert.Contains(error.Message, "Pixels");
        }

        [TestMethod]
        public void TransformRejectsAnotherSize()
        {
            var ml = new MLContext(seed: 1);
            var model = ml.Transforms.Whiten("White", "Features").Fit(WhiteningData.Load(ml, WhiteningData.Correlated(50, 3, 1)));
            var other = WhiteningData.Load(ml, WhiteningData.Correlated(5, 4, 1));
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(other));
            StringAssert.Contains(error.Message, "Features");
            StringAssert.Contains(error.Message, "Vector<Single, 3>");
        }

        [TestMethod]
        public void NaNRowIsNamedWithTheFix()
        {
            var ml = new MLContext(seed: 1);
            float[][] rows = WhiteningData.Correlated(20, 3, 1);
            rows[7][2] = float.NaN;
            var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Whiten("White", "Features").Fit(WhiteningData.Load(ml, rows)));
            StringAssert.Contains(error.Message, "Row 7");
            StringAssert.Contains(error.Message, "index 2");
            StringAssert.Contains(error.Message, "ReplaceMissingValues");
        }

        [TestMethod]
        public void EmptyAndSingleRowDataAreRefused()
        {
            var ml = new MLContext(seed: 1);
            var data = WhiteningData.Load(ml, WhiteningData.Correlated(5, 3, 1));
            var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Whiten("White", "Features").Fit(ml.Data.SkipRows(data, 100)));
            StringAssert.Contains(error.Message, "has 0 rows");
            error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Whiten("White", "Features").Fit(ml.Data.TakeRows(data, 1)));
            StringAssert.Contains(error.Message, "at least 2");
        }

        [TestMethod]
        [DataRow(0f)]
        [DataRow(-1f)]
        [DataRow(float.NaN)]
        [DataRow(float.PositiveInfinity)]
        public void BadEpsilonIsRefusedAtCreation(float epsilon)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(1).Transforms.Whiten("White", "Features", epsilon: epsilon));
            StringAssert.Contains(error.Message, "Epsilon");
            StringAssert.Contains(error.Message, "positive and finite");
        }

        [TestMethod]
        public void BadCountsAreRefusedAtCreation()
        {
            var ml = new MLContext(1);
            StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Whiten("White", "Features", maximumNumberOfRows: 0)).Message, "MaximumNumberOfRows");
            StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Whiten("White", "Features", rank: -1)).Message, "Rank");
            StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Whiten("White", "Features", kind: (WhiteningKind)7)).Message, "Zca or Pca");
            StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Whiten(new WhiteningEstimator.Options { NumberOfThreads = 0 })).Message, "NumberOfThreads");
            StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Whiten(new WhiteningEstimator.Options { InputColumnName = "" })).Message, "InputColumnName");
        }

        [TestMethod]
        public void RankAboveTheDimensionIsRefusedAtFit()
        {
            var ml = new MLContext(seed: 1);
            var data = WhiteningData.Load(ml, WhiteningData.Correlated(20, 3, 1));
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Whiten("White", "Features", rank: 4).Fit(data));
            StringAssert.Contains(error.Message, "Rank");
            StringAssert.Contains(error.Message, "at most 3");
        }
    }
}
