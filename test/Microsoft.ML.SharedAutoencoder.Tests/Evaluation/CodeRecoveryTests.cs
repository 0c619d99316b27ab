using System;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Evaluation
{
    [TestClass]
    public sealed class CodeRecoveryTests
    {
        // Truth atoms e0, e1, e2 in R⁴; learned units W0 = −e1, W1 = ½e3 (matches nothing), W2 = e0, W3 = e2.
        // So π = [2, 0, 3], s = [+1, −1, +1], and learned unit 1 is unmatched.
        private static readonly float[][] Truth = { new float[] { 1, 0, 0, 0 }, new float[] { 0, 1, 0, 0 }, new float[] { 0, 0, 1, 0 } };
        private static readonly float[][] Learned =
        {
            new float[] { 0, -1, 0, 0 }, new float[] { 0, 0, 0, 0.5f }, new float[] { 1, 0, 0, 0 }, new float[] { 0, 0, 1, 0 },
        };

        // (code over learned units, latent over truth atoms, support recovered, signs recovered)
        private static readonly (float[] Code, float[] Latent, bool Support, bool Signs)[] Rows =
        {
            (new float[] { 0, 0, 0.5f, -1 }, new float[] { 1, 0, -2 }, true, true),
            (new float[] { 0.3f, 0, 0, 0 }, new float[] { 0, 1, 0 }, true, false),   // unit 0 has sign −1
            (new float[] { -0.3f, 0, 0, 0 }, new float[] { 0, 1, 0 }, true, true),
            (new float[] { 0, 0.2f, 1, 0 }, new float[] { 1, 0, 0 }, false, false),  // unmatched unit active
            (new float[] { 0, 0, 1, 0 }, new float[] { 0, 0, 1 }, false, false),     // wrong atom
            (new float[] { 0, 0, 0, 0 }, new float[] { 0, 0, 0 }, true, true),
            (new float[] { 0, 0, 2, 0 }, new float[] { 1, 0, 4 }, false, false),     // missed atom 2
        };

        private static DictionaryRecoveryMetrics Matching()
        {
            DictionaryRecoveryMetrics matching = DictionaryRecovery.Evaluate(Learned, Truth, allowSignFlips: true);
            CollectionAssert.AreEqual(new[] { 2, 0, 3 }, matching.Permutation.ToArray());
            CollectionAssert.AreEqual(new[] { 1, -1, 1 }, matching.Signs.ToArray());
            return matching;
        }

        private sealed class DenseRow
        {
            [VectorType(4)]
            public float[] Code = Array.Empty<float>();

            [VectorType(3)]
            public float[] Latent = Array.Empty<float>();

            public float Scalar = 0f;

            [VectorType(4)]
            public double[] Doubles = new double[4];

            [VectorType(5)]
            public float[] TooLong = new float[5];

            public float[] UnknownSize = new float[4];
        }

        private sealed class SparseRow
        {
            [VectorType(4)]
            public VBuffer<float> Code;

            [VectorType(3)]
            public VBuffer<float> Latent;
        }

        [TestMethod]
        public void CounterGivesTheHandComputedOutcomeOfEveryRow()
        {
            foreach (var row in Rows)
            {
                var counter = new CodeRecoveryCounter(new[] { 2, 0, 3 }, new[] { 1, -1, 1 }, codeLength: 4);
                counter.Add(row.Code, row.Latent);
                CodeRecoveryMetrics metrics = counter.ToMetrics();
                string label = $"code [{string.Join(", ", row.Code)}], latent [{string.Join(", ", row.Latent)}]";
                Assert.AreEqual(1L, metrics.RowCount);
                Assert.AreEqual(row.Support ? 1L : 0L, metrics.SupportRecoveredRowCount, label);
                Assert.AreEqual(row.Signs ? 1L : 0L, metrics.SignRecoveredRowCount, label);
            }
        }

        [TestMethod]
        public void DenseDataViewGivesTheKnownRates()
        {
            var mlContext = new MLContext(seed: 1);
            IDataView data = mlContext.Data.LoadFromEnumerable(Rows.Select(r => new DenseRow { Code = r.Code, Latent = r.Latent }));

            CodeRecoveryMetrics metrics = DictionaryRecovery.EvaluateCodes(data, nameof(DenseRow.Code), nameof(DenseRow.Latent), Matching());

            Assert.AreEqual(7L, metrics.RowCount);
            Assert.AreEqual(4L, metrics.SupportRecoveredRowCount);
            Assert.AreEqual(3L, metrics.SignRecoveredRowCount);
            Assert.AreEqual(4.0 / 7, metrics.SupportRecoveryRate, 1e-12);
            Assert.AreEqual(3.0 / 7, metrics.SignRecoveryRate, 1e-12);
        }

        [TestMethod]
        public void SparseDataViewGivesTheSameRatesAsDense()
        {
            static VBuffer<float> Sparse(float[] dense)
            {
                int[] indices = Enumerable.Range(0, dense.Length).Where(k => dense[k] != 0).ToArray();
                return new VBuffer<float>(dense.Length, indices.Length, indices.Select(k => dense[k]).ToArray(), indices);
            }
            var mlContext = new MLContext(seed: 1);
            IDataView data = mlContext.Data.LoadFromEnumerable(Rows.Select(r => new SparseRow { Code = Sparse(r.Code), Latent = Sparse(r.Latent) }));

            CodeRecoveryMetrics metrics = DictionaryRecovery.EvaluateCodes(data, nameof(SparseRow.Code), nameof(SparseRow.Latent), Matching());

            Assert.AreEqual(7L, metrics.RowCount);
            Assert.AreEqual(4.0 / 7, metrics.SupportRecoveryRate, 1e-12);
            Assert.AreEqual(3.0 / 7, metrics.SignRecoveryRate, 1e-12);
        }

        [TestMethod]
        public void EmptyDataGivesNaNRates()
        {
            var mlContext = new MLContext(seed: 1);
            IDataView data = mlContext.Data.LoadFromEnumerable(Array.Empty<DenseRow>());

            CodeRecoveryMetrics metrics = DictionaryRecovery.EvaluateCodes(data, nameof(DenseRow.Code), nameof(DenseRow.Latent), Matching());

            Assert.AreEqual(0L, metrics.RowCount);
            Assert.IsTrue(double.IsNaN(metrics.SupportRecoveryRate));
            Assert.IsTrue(double.IsNaN(metrics.SignRecoveryRate));
        }

        [TestMethod]
        public void InvalidColumnsAreRejectedNamingTheArgument()
        {
            var mlContext = new MLContext(seed: 1);
            IDataView data = mlContext.Data.LoadFromEnumerable(new[] { new DenseRow { Code = new float[4], Latent = new float[3] } });
            DictionaryRecoveryMetrics matching = Matching();

            void Expect(string parameterName, string messageFragment, string code, string latent)
            {
                ArgumentException exception = Assert.ThrowsExactly<ArgumentException>(() => DictionaryRecovery.EvaluateCodes(data, code, latent, matching));
                Assert.AreEqual(parameterName, exception.ParamName);
                Assert.Contains(messageFragment, exception.Message);
            }
            Expect("codeColumnName", "no column named 'Missing'", "Missing", nameof(DenseRow.Latent));
            Expect("latentCodeColumnName", "no column named 'Missing'", nameof(DenseRow.Code), "Missing");
            Expect("codeColumnName", "expected a known-size vector of Single", nameof(DenseRow.Scalar), nameof(DenseRow.Latent));
            Expect("latentCodeColumnName", "expected a known-size vector of Single", nameof(DenseRow.Code), nameof(DenseRow.Doubles));
            Expect("codeColumnName", "unknown size", nameof(DenseRow.UnknownSize), nameof(DenseRow.Latent));
            Expect("codeColumnName", "has length 5; expected 4", nameof(DenseRow.TooLong), nameof(DenseRow.Latent));
            Expect("latentCodeColumnName", "has length 4; expected 3", nameof(DenseRow.Code), nameof(DenseRow.Code));

            Assert.AreEqual("data", Assert.ThrowsExactly<ArgumentNullException>(() => DictionaryRecovery.EvaluateCodes(null!, "Code", "Latent", matching)).ParamName);
            Assert.AreEqual("codeColumnName", Assert.ThrowsExactly<ArgumentNullException>(() => DictionaryRecovery.EvaluateCodes(data, null!, "Latent", matching)).ParamName);
            Assert.AreEqual("latentCodeColumnName", Assert.ThrowsExactly<ArgumentNullException>(() => DictionaryRecovery.EvaluateCodes(data, "Code", null!, matching)).ParamName);
            Assert.AreEqual("matching", Assert.ThrowsExactly<ArgumentNullException>(() => DictionaryRecovery.EvaluateCodes(data, "Code", "Latent", null!)).ParamName);
        }

        [TestMethod]
        public void CounterRejectsNaNAndWrongLengths()
        {
            var counter = new CodeRecoveryCounter(new[] { 2, 0, 3 }, new[] { 1, -1, 1 }, codeLength: 4);
            Assert.AreEqual("code", Assert.ThrowsExactly<ArgumentException>(() => counter.Add(new float[] { 0, float.NaN, 0, 0 }, new float[3])).ParamName);
            Assert.AreEqual("latent", Assert.ThrowsExactly<ArgumentException>(() => counter.Add(new float[4], new float[] { 0, float.NaN, 0 })).ParamName);
            Assert.AreEqual("code", Assert.ThrowsExactly<ArgumentException>(() => counter.Add(new float[3], new float[3])).ParamName);
            Assert.AreEqual("latent", Assert.ThrowsExactly<ArgumentException>(() => counter.Add(new float[4], new float[4])).ParamName);
            Assert.AreEqual(0L, counter.ToMetrics().RowCount);
            Assert.AreEqual("signs", Assert.ThrowsExactly<ArgumentException>(() => new CodeRecoveryCounter(new[] { 0, 1 }, new[] { 1 }, 2)).ParamName);
            Assert.AreEqual("codeLength", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CodeRecoveryCounter(new[] { 0, 1 }, new[] { 1, 1 }, 1)).ParamName);
        }
    }
}
