using System;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Training
{
    /// <summary>
    /// <see cref="AtomUpdate"/>: K-SVD's rank-1 update moves an atom that is off to the direction its rows share, updates
    /// their coefficients with it, orients the atom so that its coefficients sum to a positive value, and lowers the
    /// residual of two atoms sharing rows.
    /// </summary>
    [TestClass]
    public sealed class AtomUpdateTests
    {
        private static AlternatingMinimization.Codes Codes(int[] supports, double[] coefficients, int[] sizes, int k, int m, int n) =>
            new(new double[m * m], new double[m * n], new long[m], new double[sizes.Length], new double[m], new double[m], supports, coefficients, sizes, k);

        [TestMethod]
        public void AnAtomThatIsOffMovesToItsRowsDirectionWithTheirCoefficients()
        {
            // Rows c_t·a with a = (1, 1, 0)/√2, c_t = 1, 2, 3, −1; the atom starts at (1, 0, 0) with coefficient 1 for every row.
            double s = Math.Sqrt(0.5);
            double[] c = { 1, 2, 3, -1 };
            var values = c.SelectMany(ct => new[] { (float)(ct * s), (float)(ct * s), 0f }).ToArray();
            var data = new DenseRows(values, c.Length, 3);
            var weights = new float[] { -1, 0, 0 };
            var codes = Codes(new int[4], new double[] { 1, 1, 1, 1 }, new[] { 1, 1, 1, 1 }, k: 1, m: 1, n: 3);

            AtomUpdate.Run(data, weights, 1, codes);

            Assert.AreEqual(s, weights[0], 1e-5);
            Assert.AreEqual(s, weights[1], 1e-5);
            Assert.AreEqual(0, weights[2], 1e-6);
            for (int t = 0; t < c.Length; t++)
                Assert.AreEqual(c[t], codes.Coefficients[t], 1e-4, $"row {t}");
        }

        [TestMethod]
        public void TwoAtomsSharingRowsExplainThemBetterAfterTheUpdate()
        {
            // Rows 2·e0 + 1·e1 and 1·e0 − 2·e1 + 0.5·e2, coded on two atoms that are both a little off.
            var values = new float[] { 2, 1, 0, 1, -2, 0.5f, 3, 1, 0 };
            var data = new DenseRows(values, 3, 3);
            var weights = new float[] { 0.98f, 0.2f, 0, 0.1f, 0.99f, 0.1f };
            var codes = Codes(new[] { 0, 1, 0, 1, 0, 1 }, new double[] { 2, 1, 1, -2, 3, 1 }, new[] { 2, 2, 2 }, k: 2, m: 2, n: 3);
            double before = Residual(data, weights, codes);

            AtomUpdate.Run(data, weights, 2, codes);

            double after = Residual(data, weights, codes);
            Assert.IsTrue(after < before, $"residual {before:G6} → {after:G6}");
            for (int i = 0; i < 2; i++)
                Assert.AreEqual(1, Math.Sqrt(weights[(i * 3)..(i * 3 + 3)].Sum(w => (double)w * w)), 1e-5, $"atom {i} is unit-norm");
        }

        private static double Residual(DenseRows data, float[] weights, AlternatingMinimization.Codes codes)
        {
            int n = data.Dimension, k = codes.Sparsity;
            double total = 0;
            for (int t = 0; t < data.RowCount; t++)
            {
                var e = data.Row(t).ToArray().Select(v => (double)v).ToArray();
                for (int a = 0; a < codes.Sizes[t]; a++)
                {
                    int i = codes.Supports[t * k + a];
                    for (int j = 0; j < n; j++)
                        e[j] -= codes.Coefficients[t * k + a] * weights[i * n + j];
                }
                total += e.Sum(v => v * v);
            }
            return total;
        }
    }
}
