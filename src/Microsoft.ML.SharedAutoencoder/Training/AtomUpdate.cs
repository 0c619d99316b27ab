using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// K-SVD's atom update (Aharon, Elad, Bruckstein 2006), run after the least-squares step of
    /// <see cref="AlternatingMinimization"/>: atom by atom, the residual of exactly the rows that use it, with the atom's
    /// own part added back, is replaced by its best rank-1 approximation, which updates the atom and its coefficients
    /// together. Later atoms see the updated coefficients of earlier ones.
    /// </summary>
    /// <remarks>
    /// Why after the least-squares step: least squares moves every column against codes fixed on the old dictionary; a
    /// column sitting between two strongly coherent atoms keeps the mixed coefficients that put it there. The rank-1 step
    /// fits the column and its coefficients jointly on its own rows only. Atoms are updated in index order, rows in index
    /// order, on one thread: deterministic.
    /// </remarks>
    internal static class AtomUpdate
    {
        /// <summary>Power iterations of the rank-1 approximation, started from the current atom (already close).</summary>
        private const int PowerIterations = 4;

        /// <summary>Updates every used atom of <paramref name="weights"/> and its coefficients in <paramref name="codes"/>, in place.</summary>
        public static void Run(DenseRows data, float[] weights, int m, AlternatingMinimization.Codes codes)
        {
            int n = data.Dimension;
            int k = codes.Sparsity;
            List<int>[] slots = SlotsByAtom(codes, m);
            var residual = new List<double[]>();
            var u = new double[n];
            var next = new double[n];
            for (int i = 0; i < m; i++)
            {
                List<int> rows = slots[i];
                if (rows.Count == 0)
                    continue;
                residual.Clear();
                foreach (int slot in rows)
                    residual.Add(Residual(data, weights, codes, slot / k, i));
                for (int j = 0; j < n; j++)
                    u[j] = weights[i * n + j];
                if (!PowerMethod(residual, u, next))
                    continue;
                double sum = 0;
                var x = new double[rows.Count];
                for (int r = 0; r < rows.Count; r++)
                {
                    x[r] = Dot(residual[r], u);
                    sum += x[r];
                }
                double sign = sum < 0 ? -1 : 1;
                for (int j = 0; j < n; j++)
                    weights[i * n + j] = (float)(sign * u[j]);
                for (int r = 0; r < rows.Count; r++)
                    codes.Coefficients[rows[r]] = sign * x[r];
            }
        }

        /// <summary>For each atom, the code slots (row·k + position) that use it, by row.</summary>
        private static List<int>[] SlotsByAtom(AlternatingMinimization.Codes codes, int m)
        {
            var slots = new List<int>[m];
            for (int i = 0; i < m; i++)
                slots[i] = new List<int>();
            int k = codes.Sparsity;
            for (int t = 0; t < codes.Sizes.Length; t++)
            {
                for (int a = 0; a < codes.Sizes[t]; a++)
                    slots[codes.Supports[t * k + a]].Add(t * k + a);
            }
            return slots;
        }

        /// <summary>y_t − Σ_{j ≠ i} x_tj W_j: the row's residual with atom <paramref name="atom"/>'s part added back.</summary>
        private static double[] Residual(DenseRows data, float[] weights, AlternatingMinimization.Codes codes, int t, int atom)
        {
            int n = data.Dimension;
            int k = codes.Sparsity;
            ReadOnlySpan<float> y = data.Row(t);
            var e = new double[n];
            for (int j = 0; j < n; j++)
                e[j] = y[j];
            for (int a = 0; a < codes.Sizes[t]; a++)
            {
                int other = codes.Supports[t * k + a];
                if (other == atom)
                    continue;
                double x = codes.Coefficients[t * k + a];
                ReadOnlySpan<float> w = weights.AsSpan(other * n, n);
                for (int j = 0; j < n; j++)
                    e[j] -= x * w[j];
            }
            return e;
        }

        /// <summary>The leading left singular vector of the residuals (columns), into <paramref name="u"/>; false when it vanishes.</summary>
        private static bool PowerMethod(List<double[]> residual, double[] u, double[] next)
        {
            for (int iteration = 0; iteration < PowerIterations; iteration++)
            {
                Array.Clear(next);
                foreach (double[] e in residual)
                {
                    double x = Dot(e, u);
                    for (int j = 0; j < next.Length; j++)
                        next[j] += x * e[j];
                }
                double norm = Math.Sqrt(Dot(next, next));
                if (!(norm > 0) || !double.IsFinite(norm))
                    return false;
                for (int j = 0; j < u.Length; j++)
                    u[j] = next[j] / norm;
            }
            return true;
        }

        private static double Dot(double[] a, double[] b) => TensorPrimitives.Dot<double>(a, b);
    }
}
