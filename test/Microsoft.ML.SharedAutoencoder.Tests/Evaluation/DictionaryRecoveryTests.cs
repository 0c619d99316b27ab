using System;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Tests.Evaluation
{
    [TestClass]
    public sealed class DictionaryRecoveryTests
    {
        private const double Tolerance = 1e-6;

        [TestMethod]
        public void PermutedSignFlippedCopyHasZeroErrorWhenFlipsAreAllowed()
        {
            float[][] truth = RandomUnitColumns(n: 12, m: 6, new Random(1));
            int[] permutation = { 4, 0, 5, 2, 1, 3 };
            int[] signs = { 1, -1, -1, 1, 1, -1 };
            float[][] learned = PermutedCopy(truth, permutation, signs);

            DictionaryRecoveryMetrics metrics = DictionaryRecovery.Evaluate(learned, truth, allowSignFlips: true);

            CollectionAssert.AreEqual(permutation, metrics.Permutation.ToArray());
            CollectionAssert.AreEqual(signs, metrics.Signs.ToArray());
            Assert.AreEqual(0, metrics.FrobeniusError, Tolerance);
            Assert.AreEqual(0, metrics.MaxColumnError, Tolerance);
            Assert.AreEqual(0, metrics.MeanColumnError, Tolerance);
            Assert.AreEqual(0, metrics.SpectralNearness, Tolerance);
            Assert.IsTrue(metrics.ColumnErrors.All(e => e < Tolerance));
            Assert.IsTrue(metrics.SignFlipsAllowed);
            Assert.AreEqual(12, metrics.Dimension);
            Assert.AreEqual(6, metrics.LearnedColumnCount);
            Assert.AreEqual(6, metrics.TruthColumnCount);
        }

        [TestMethod]
        public void OneFlippedColumnCostsFrobeniusTwoWhenFlipsAreNotAllowed()
        {
            // With unit columns, Σ_i ⟨W_π(i), A_i⟩ = (2m − ‖π(W) − A‖_F²) / 2, so the matching minimizes the Frobenius
            // error. Keeping the flipped column in place (error 2) and swapping it with any column j (two errors of √2)
            // both give ‖π(W) − A‖_F² = 4: a genuine tie, and either answer must come with Frobenius error 2.
            float[][] truth = OrthonormalColumns(n: 7, m: 4, new Random(2));
            int[] permutation = { 2, 3, 0, 1 };
            float[][] learned = PermutedCopy(truth, permutation, new[] { 1, 1, -1, 1 });

            DictionaryRecoveryMetrics metrics = DictionaryRecovery.Evaluate(learned, truth, allowSignFlips: false);

            CollectionAssert.AreEqual(new[] { 1, 1, 1, 1 }, metrics.Signs.ToArray());
            Assert.AreEqual(2, metrics.FrobeniusError, Tolerance);
            Assert.IsFalse(metrics.SignFlipsAllowed);
            int[] moved = Enumerable.Range(0, 4).Where(i => metrics.Permutation[i] != permutation[i]).ToArray();
            if (moved.Length == 0)
            {
                Assert.AreEqual(2, metrics.ColumnErrors[2], Tolerance);
                Assert.AreEqual(2, metrics.MaxColumnError, Tolerance);
                Assert.AreEqual(2, metrics.SpectralNearness, Tolerance); // ‖A‖₂ = 1; the difference is one column of norm 2.
            }
            else
            {
                Assert.HasCount(2, moved);
                Assert.Contains(2, moved);
                Assert.AreEqual(Math.Sqrt(2), metrics.MaxColumnError, Tolerance);
                Assert.AreEqual(Math.Sqrt(2), metrics.SpectralNearness, Tolerance); // two orthogonal columns of norm √2.
            }
        }

        [TestMethod]
        public void TwoFlippedColumnsAreSwappedWhenFlipsAreNotAllowed()
        {
            // Pairing the two flipped columns with each other's truth gives inner products 0 instead of −1 each,
            // at distance ‖−A_k − A_i‖ = √2 per column.
            float[][] truth = OrthonormalColumns(n: 6, m: 4, new Random(3));
            int[] signs = { -1, 1, -1, 1 };
            float[][] learned = PermutedCopy(truth, new[] { 0, 1, 2, 3 }, signs);

            DictionaryRecoveryMetrics metrics = DictionaryRecovery.Evaluate(learned, truth, allowSignFlips: false);

            CollectionAssert.AreEqual(new[] { 2, 1, 0, 3 }, metrics.Permutation.ToArray());
            Assert.AreEqual(Math.Sqrt(2), metrics.ColumnErrors[0], Tolerance);
            Assert.AreEqual(0, metrics.ColumnErrors[1], Tolerance);
            Assert.AreEqual(Math.Sqrt(2), metrics.ColumnErrors[2], Tolerance);
            Assert.AreEqual(2, metrics.FrobeniusError, Tolerance);
            Assert.AreEqual(Math.Sqrt(2), metrics.MaxColumnError, Tolerance);
            Assert.AreEqual(Math.Sqrt(2) / 2, metrics.MeanColumnError, Tolerance);
            // Both nonzero difference columns are −(A_0 + A_2): a rank-one difference of spectral norm √2 · √2.
            Assert.AreEqual(2, metrics.SpectralNearness, Tolerance);

            DictionaryRecoveryMetrics withFlips = DictionaryRecovery.Evaluate(learned, truth, allowSignFlips: true);
            CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, withFlips.Permutation.ToArray());
            CollectionAssert.AreEqual(signs, withFlips.Signs.ToArray());
            Assert.AreEqual(0, withFlips.FrobeniusError, Tolerance);
        }

        [TestMethod]
        public void ColumnRotatedByThetaHasErrorTwoSineHalfTheta()
        {
            float[][] truth = OrthonormalColumns(n: 8, m: 4, new Random(4));
            double[] orthogonalDirection = OrthonormalColumns(n: 8, m: 5, new Random(4))[4].Select(v => (double)v).ToArray();
            foreach (double theta in new[] { 0.05, 0.3, 1.0 })
            {
                float[][] learned = truth.Select(c => (float[])c.Clone()).ToArray();
                for (int r = 0; r < 8; r++)
                    learned[1][r] = (float)(Math.Cos(theta) * truth[1][r] + Math.Sin(theta) * orthogonalDirection[r]);

                DictionaryRecoveryMetrics metrics = DictionaryRecovery.Evaluate(learned, truth, allowSignFlips: true);

                double expected = 2 * Math.Sin(theta / 2);
                CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, metrics.Permutation.ToArray());
                Assert.AreEqual(expected, metrics.ColumnErrors[1], Tolerance);
                Assert.AreEqual(expected, metrics.MaxColumnError, Tolerance);
                Assert.AreEqual(expected, metrics.FrobeniusError, Tolerance);
                Assert.AreEqual(expected / 4, metrics.MeanColumnError, Tolerance);
                Assert.AreEqual(expected, metrics.SpectralNearness, Tolerance);
            }
        }

        [TestMethod]
        public void ScaledDictionaryHasKnownErrorsAndSpectralNearness()
        {
            // π(W) − A = (c − 1) A, so every column error is |c − 1| and the relative spectral distance is |c − 1|
            // whatever A's spectral norm.
            float[][] truth = RandomUnitColumns(n: 10, m: 5, new Random(5));
            const float Scale = 0.75f;
            float[][] learned = truth.Select(c => c.Select(v => v * Scale).ToArray()).ToArray();

            DictionaryRecoveryMetrics metrics = DictionaryRecovery.Evaluate(learned, truth, allowSignFlips: false);

            Assert.AreEqual(0.25, metrics.SpectralNearness, Tolerance);
            Assert.AreEqual(0.25, metrics.MaxColumnError, Tolerance);
            Assert.AreEqual(0.25, metrics.MeanColumnError, Tolerance);
            Assert.AreEqual(0.25 * Math.Sqrt(5), metrics.FrobeniusError, Tolerance);
        }

        [TestMethod]
        public void AggregatesAreConsistentWithColumnErrorsAndDirectDistances()
        {
            float[][] truth = RandomUnitColumns(n: 9, m: 5, new Random(6));
            var random = new Random(60);
            float[][] learned = truth.Select(c => c.Select(v => v + (float)(0.1 * (random.NextDouble() - 0.5))).ToArray()).ToArray();

            DictionaryRecoveryMetrics metrics = DictionaryRecovery.Evaluate(learned, truth, allowSignFlips: true);

            CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 4 }, metrics.Permutation.ToArray());
            for (int i = 0; i < 5; i++)
            {
                double direct = Math.Sqrt(learned[i].Zip(truth[i], (w, a) => (double)(w - a) * (w - a)).Sum());
                Assert.AreEqual(direct, metrics.ColumnErrors[i], 1e-6);
            }
            Assert.AreEqual(Math.Sqrt(metrics.ColumnErrors.Sum(e => e * e)), metrics.FrobeniusError, 1e-12);
            Assert.AreEqual(metrics.ColumnErrors.Max(), metrics.MaxColumnError);
            Assert.AreEqual(metrics.ColumnErrors.Average(), metrics.MeanColumnError, 1e-12);
            Assert.IsGreaterThan(0.0, metrics.MaxColumnError);
            // ‖D‖₂ ≤ ‖D‖_F and ‖D‖₂ ≥ the largest column norm.
            double spectral = metrics.SpectralNearness * SpectralNorm(truth);
            Assert.IsLessThanOrEqualTo(metrics.FrobeniusError + 1e-9, spectral);
            Assert.IsGreaterThanOrEqualTo(metrics.MaxColumnError - 1e-9, spectral);
        }

        [TestMethod]
        public void RectangularMatchesEachTruthColumnToTheBestDistinctLearnedColumn()
        {
            float[][] truth = RandomUnitColumns(n: 10, m: 3, new Random(7));
            float[][] decoys = RandomUnitColumns(n: 10, m: 3, new Random(70));
            // Learned columns: decoy, −A2, decoy, A0, decoy, A1.
            float[][] learned =
            {
                decoys[0], truth[2].Select(v => -v).ToArray(), decoys[1], truth[0], decoys[2], truth[1],
            };

            DictionaryRecoveryMetrics metrics = DictionaryRecovery.Evaluate(learned, truth, allowSignFlips: true);

            CollectionAssert.AreEqual(new[] { 3, 5, 1 }, metrics.Permutation.ToArray());
            CollectionAssert.AreEqual(new[] { 1, 1, -1 }, metrics.Signs.ToArray());
            Assert.AreEqual(0, metrics.FrobeniusError, Tolerance);
            Assert.AreEqual(0, metrics.SpectralNearness, Tolerance);
            Assert.AreEqual(6, metrics.LearnedColumnCount);
            Assert.AreEqual(3, metrics.TruthColumnCount);
            Assert.AreEqual(3, metrics.ColumnErrors.Count);
        }

        [TestMethod]
        public void RectangularMatchingMaximizesTotalAbsoluteInnerProduct()
        {
            for (int seed = 0; seed < 5; seed++)
            {
                float[][] truth = RandomUnitColumns(n: 4, m: 3, new Random(seed));
                float[][] learned = RandomUnitColumns(n: 4, m: 5, new Random(1000 + seed));

                DictionaryRecoveryMetrics metrics = DictionaryRecovery.Evaluate(learned, truth, allowSignFlips: true);

                double Score(int[] map) => map.Select((j, i) => Math.Abs(Dot(learned[j], truth[i]))).Sum();
                double best = double.NegativeInfinity;
                for (int a = 0; a < 5; a++)
                    for (int b = 0; b < 5; b++)
                        for (int c = 0; c < 5; c++)
                            if (a != b && b != c && a != c)
                                best = Math.Max(best, Score(new[] { a, b, c }));
                Assert.AreEqual(best, Score(metrics.Permutation.ToArray()), 1e-6, $"seed = {seed}");
                for (int i = 0; i < 3; i++)
                    Assert.AreEqual(Math.Sign(Dot(learned[metrics.Permutation[i]], truth[i])), metrics.Signs[i]);
            }
        }

        [TestMethod]
        public void AlignReordersAndSignCorrectsTheLearnedColumns()
        {
            float[][] truth = RandomUnitColumns(n: 5, m: 3, new Random(8));
            float[][] learned = PermutedCopy(truth, new[] { 2, 0, 1 }, new[] { -1, 1, -1 });
            DictionaryRecoveryMetrics metrics = DictionaryRecovery.Evaluate(learned, truth, allowSignFlips: true);

            float[][] aligned = metrics.Align(learned);

            Assert.HasCount(3, aligned);
            for (int i = 0; i < 3; i++)
                CollectionAssert.AreEqual(truth[i], aligned[i]);

            float[] learnedUnitMajor = learned.SelectMany(c => c).ToArray();
            var alignedUnitMajor = new float[15];
            metrics.Align(learnedUnitMajor, alignedUnitMajor);
            CollectionAssert.AreEqual(truth.SelectMany(c => c).ToArray(), alignedUnitMajor);
        }

        [TestMethod]
        public void UnitMajorCoreGivesTheSameMetricsAsThePublicMethod()
        {
            float[][] truth = RandomUnitColumns(n: 6, m: 4, new Random(9));
            float[][] learned = RandomUnitColumns(n: 6, m: 5, new Random(90));
            DictionaryRecoveryMetrics fromColumns = DictionaryRecovery.Evaluate(learned, truth, allowSignFlips: true);

            DictionaryRecoveryMetrics fromUnitMajor = DictionaryRecovery.Evaluate(learned.SelectMany(c => c).ToArray(), 5,
                truth.SelectMany(c => c).ToArray(), 4, 6, allowSignFlips: true, computeSpectralNearness: false);

            CollectionAssert.AreEqual(fromColumns.Permutation.ToArray(), fromUnitMajor.Permutation.ToArray());
            CollectionAssert.AreEqual(fromColumns.Signs.ToArray(), fromUnitMajor.Signs.ToArray());
            CollectionAssert.AreEqual(fromColumns.ColumnErrors.ToArray(), fromUnitMajor.ColumnErrors.ToArray());
            Assert.AreEqual(fromColumns.FrobeniusError, fromUnitMajor.FrobeniusError);
            Assert.IsGreaterThan(0.0, fromColumns.SpectralNearness);
            Assert.IsTrue(double.IsNaN(fromUnitMajor.SpectralNearness));
        }

        [TestMethod]
        public void InvalidMatricesAreRejectedNamingTheArgument()
        {
            float[][] good = RandomUnitColumns(n: 3, m: 2, new Random(10));
            Assert.AreEqual("learned", Assert.ThrowsExactly<ArgumentNullException>(() => DictionaryRecovery.Evaluate(null!, good, true)).ParamName);
            Assert.AreEqual("truth", Assert.ThrowsExactly<ArgumentNullException>(() => DictionaryRecovery.Evaluate(good, null!, true)).ParamName);
            Assert.AreEqual("truth", Assert.ThrowsExactly<ArgumentNullException>(() => DictionaryRecovery.Evaluate(good, new[] { good[0], null! }, true)).ParamName);
            Assert.AreEqual("learned", Assert.ThrowsExactly<ArgumentNullException>(() => DictionaryRecovery.Evaluate(new float[][] { null! }, good, true)).ParamName);

            void ExpectArgumentException(string parameterName, string messageFragment, float[][] learned, float[][] truth)
            {
                ArgumentException exception = Assert.ThrowsExactly<ArgumentException>(() => DictionaryRecovery.Evaluate(learned, truth, true));
                Assert.AreEqual(parameterName, exception.ParamName);
                Assert.Contains(messageFragment, exception.Message);
            }
            ExpectArgumentException("learned", "at least one column", Array.Empty<float[]>(), good);
            ExpectArgumentException("truth", "at least one column", good, Array.Empty<float[]>());
            ExpectArgumentException("truth", "must not be empty", good, new[] { new float[0] });
            ExpectArgumentException("learned", "same length", new[] { good[0], new float[4] }, good);
            ExpectArgumentException("learned", "Both must have the same length", RandomUnitColumns(4, 2, new Random(1)), good);
            ExpectArgumentException("learned", "fewer than the 2 truth columns", new[] { good[0] }, good);
            ExpectArgumentException("learned", "NaN", new[] { good[0], new[] { 0f, float.NaN, 0f } }, good);
            ExpectArgumentException("truth", "must be finite", good, new[] { good[0], new[] { 0f, 0f, float.NegativeInfinity } });
            ExpectArgumentException("truth", "all zeros", good, new[] { new float[3], new float[3] });
        }

        [TestMethod]
        public void InvalidUnitMajorArgumentsAreRejected()
        {
            var learned = new float[6];
            var truth = new float[] { 1, 0, 0, 0, 1, 0 };
            Assert.AreEqual("learnedUnitMajor", Assert.ThrowsExactly<ArgumentException>(
                () => DictionaryRecovery.Evaluate(new float[5], 2, truth, 2, 3, true)).ParamName);
            Assert.AreEqual("truthUnitMajor", Assert.ThrowsExactly<ArgumentException>(
                () => DictionaryRecovery.Evaluate(learned, 2, new float[7], 2, 3, true)).ParamName);
            Assert.AreEqual("learnedColumns", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
                () => DictionaryRecovery.Evaluate(new float[3], 1, truth, 2, 3, true)).ParamName);
            Assert.AreEqual("n", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
                () => DictionaryRecovery.Evaluate(learned, 2, truth, 2, 0, true)).ParamName);
            Assert.AreEqual("truthColumns", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
                () => DictionaryRecovery.Evaluate(learned, 2, truth, 0, 3, true)).ParamName);
            Assert.AreEqual("learnedUnitMajor", Assert.ThrowsExactly<ArgumentException>(
                () => DictionaryRecovery.Evaluate(new[] { 0, 0, 0, 0, float.NaN, 0 }, 2, truth, 2, 3, true)).ParamName);
        }

        [TestMethod]
        public void AlignRejectsAMatrixOfAnotherShape()
        {
            float[][] truth = RandomUnitColumns(n: 3, m: 2, new Random(11));
            DictionaryRecoveryMetrics metrics = DictionaryRecovery.Evaluate(truth, truth, allowSignFlips: true);
            Assert.AreEqual("learned", Assert.ThrowsExactly<ArgumentNullException>(() => metrics.Align(null!)).ParamName);
            Assert.AreEqual("learned", Assert.ThrowsExactly<ArgumentException>(() => metrics.Align(new[] { truth[0] })).ParamName);
            Assert.AreEqual("learned", Assert.ThrowsExactly<ArgumentException>(() => metrics.Align(new[] { truth[0], new float[2] })).ParamName);
            Assert.AreEqual("learned", Assert.ThrowsExactly<ArgumentNullException>(() => metrics.Align(new[] { truth[0], null! })).ParamName);
            Assert.AreEqual("alignedUnitMajor", Assert.ThrowsExactly<ArgumentException>(() => metrics.Align(new float[6], new float[5])).ParamName);
        }

        internal static float[][] RandomUnitColumns(int n, int m, Random random)
        {
            var columns = new float[m][];
            for (int i = 0; i < m; i++)
            {
                double[] column = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
                double norm = Math.Sqrt(column.Sum(v => v * v));
                columns[i] = column.Select(v => (float)(v / norm)).ToArray();
            }
            return columns;
        }

        /// <summary>Gram–Schmidt on random columns, in double, then rounded to float.</summary>
        internal static float[][] OrthonormalColumns(int n, int m, Random random)
        {
            var basis = new double[m][];
            for (int i = 0; i < m; i++)
            {
                double[] column = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
                for (int k = 0; k < i; k++)
                {
                    double projection = column.Zip(basis[k], (a, b) => a * b).Sum();
                    for (int r = 0; r < n; r++)
                        column[r] -= projection * basis[k][r];
                }
                double norm = Math.Sqrt(column.Sum(v => v * v));
                basis[i] = column.Select(v => v / norm).ToArray();
            }
            return basis.Select(c => c.Select(v => (float)v).ToArray()).ToArray();
        }

        /// <summary>learned[permutation[i]] = signs[i] · truth[i].</summary>
        internal static float[][] PermutedCopy(float[][] truth, int[] permutation, int[] signs)
        {
            var learned = new float[truth.Length][];
            for (int i = 0; i < truth.Length; i++)
                learned[permutation[i]] = truth[i].Select(v => signs[i] * v).ToArray();
            return learned;
        }

        private static double Dot(float[] x, float[] y) => x.Zip(y, (a, b) => (double)a * b).Sum();

        private static double SpectralNorm(float[][] columns)
        {
            var matrix = MathNet.Numerics.LinearAlgebra.Double.DenseMatrix.Create(columns[0].Length, columns.Length, (r, c) => columns[c][r]);
            return matrix.L2Norm();
        }
    }
}
