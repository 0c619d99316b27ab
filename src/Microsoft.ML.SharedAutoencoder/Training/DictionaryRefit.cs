using System;
using System.Linq;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// One debiasing round after gradient descent: keep the supports the encoder chooses, re-solve each row's code by
    /// least squares on its support, then refit the dictionary to those codes and renormalize its columns
    /// (the "method of optimal directions" step).
    /// </summary>
    /// <remarks>
    /// Why it is needed: the encoder's code z = Wᵀy carries cross-talk Σ_{j≠i}⟨W_i, A_j⟩x*_j, so even at W = A the
    /// residual r = y − W z is not zero and the expected update E[1{x_i≠0}(z_i r + y W_iᵀr)] does not vanish; the
    /// paper's Theorem 4 (ii) allows exactly this O(k·μ/√n) bias, and gradient descent stalls at a fixed point away
    /// from A. With the supports right, the least-squares codes x_S = (W_SᵀW_S)⁻¹W_Sᵀy have no cross-talk at W = A,
    /// so A is a fixed point of this round: W = Y Xᵀ(X Xᵀ)⁻¹, then normalize.
    /// Rows are cut into the same fixed partitions as the gradient pass and reduced in order: the result does not
    /// depend on the thread count.
    /// </remarks>
    internal static class DictionaryRefit
    {
        /// <summary>Refits <paramref name="weights"/> (unit-major) in place; returns how many columns changed.</summary>
        public static int Run(DenseRows data, float[] weights, float[] bias, in EncoderActivation activation, int numberOfThreads)
        {
            int n = data.Dimension;
            int m = bias.Length;
            var (xx, yx) = AccumulateNormalEquations(data, weights, bias, activation, numberOfThreads);
            // Units that never fire have no row to be fitted to: they keep their column.
            int[] used = Array.FindAll(Enumerable.Range(0, m).ToArray(), i => xx[i * m + i] > 0);
            if (used.Length == 0)
                return 0;
            Matrix<double>? solution = SolveNormalEquations(xx, yx, used, m, n);
            if (solution is null)
                return 0;
            int changed = 0;
            var column = new float[n];
            for (int a = 0; a < used.Length; a++)
            {
                for (int j = 0; j < n; j++)
                    column[j] = (float)solution[a, j];
                if (!WeightInitializer.NormalizeInPlace(column))
                    continue;
                column.CopyTo(weights.AsSpan(used[a] * n, n));
                changed++;
            }
            return changed;
        }

        /// <summary>
        /// X Xᵀ (m×m) and X Yᵀ (m×n) over all rows, X the least-squares codes on the encoder's supports: each fixed
        /// partition of rows on its own thread, then added in partition order.
        /// </summary>
        private static (double[] XX, double[] YX) AccumulateNormalEquations(
            DenseRows data, float[] weights, float[] bias, EncoderActivation encoder, int numberOfThreads)
        {
            int n = data.Dimension;
            int m = bias.Length;
            int rows = data.RowCount;
            int partitions = RowPartition.PartCount(rows);
            var gram = new double[partitions][];
            var cross = new double[partitions][];
            Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, numberOfThreads) }, part =>
            {
                var (start, end) = RowPartition.Part(rows, part, partitions);
                gram[part] = new double[m * m];
                cross[part] = new double[m * n];
                AccumulatePart(data, start, end, weights, bias, encoder, gram[part], cross[part]);
            });

            var xx = new double[m * m];
            var yx = new double[m * n];
            for (int part = 0; part < partitions; part++)
            {
                for (int j = 0; j < xx.Length; j++)
                    xx[j] += gram[part][j];
                for (int j = 0; j < yx.Length; j++)
                    yx[j] += cross[part][j];
            }
            return (xx, yx);
        }

        private static void AccumulatePart(
            DenseRows data, int start, int end, float[] weights, float[] bias, EncoderActivation encoder, double[] g, double[] c)
        {
            int n = data.Dimension;
            int m = bias.Length;
            var z = new float[m];
            var support = new int[m];
            for (int t = start; t < end; t++)
            {
                ReadOnlySpan<float> y = data.Row(t);
                int size = 0;
                for (int i = 0; i < m; i++)
                {
                    z[i] = TensorPrimitives.Dot(weights.AsSpan(i * n, n), y) + bias[i];
                    if (encoder.IsActive(z[i]))
                        support[size++] = i;
                }
                if (size == 0)
                    continue;
                double[] code = SolveCode(weights, n, y, support, size);
                for (int a = 0; a < size; a++)
                {
                    int i = support[a];
                    for (int b = 0; b < size; b++)
                        g[i * m + support[b]] += code[a] * code[b];
                    Span<double> ci = c.AsSpan(i * n, n);
                    for (int j = 0; j < n; j++)
                        ci[j] += code[a] * y[j];
                }
            }
        }

        /// <summary>
        /// (X Xᵀ) Wᵀ = X Yᵀ restricted to the <paramref name="used"/> units, unit i's row of Wᵀ being its column. Units that
        /// always fire together make X Xᵀ (nearly) singular: a growing ridge keeps the solve defined; null if none works.
        /// </summary>
        internal static Matrix<double>? SolveNormalEquations(double[] xx, double[] yx, int[] used, int m, int n)
        {
            int u = used.Length;
            double meanDiagonal = 0;
            foreach (int i in used)
                meanDiagonal += xx[i * m + i];
            meanDiagonal /= u;
            var rhs = Matrix<double>.Build.Dense(u, n, (a, j) => yx[used[a] * n + j]);
            foreach (double relativeRidge in new[] { 1e-9, 1e-6, 1e-3 })
            {
                var system = Matrix<double>.Build.Dense(u, u, (a, b) => xx[used[a] * m + used[b]] + (a == b ? relativeRidge * meanDiagonal : 0));
                try
                {
                    var candidate = system.Cholesky().Solve(rhs);
                    if (candidate.Enumerate().All(double.IsFinite))
                        return candidate;
                }
                catch (ArgumentException)
                {
                    // Not positive definite at this ridge: try the next one.
                }
            }
            return null;
        }

        /// <summary>x_S = argmin ‖y − W_S x‖ by Cholesky on W_SᵀW_S (with a tiny ridge so a degenerate support still solves).</summary>
        internal static double[] SolveCode(float[] weights, int n, ReadOnlySpan<float> y, int[] support, int size)
        {
            var g = new double[size * size];
            var x = new double[size];
            for (int a = 0; a < size; a++)
            {
                ReadOnlySpan<float> wa = weights.AsSpan(support[a] * n, n);
                x[a] = TensorPrimitives.Dot(wa, y);
                for (int b = 0; b <= a; b++)
                {
                    double v = TensorPrimitives.Dot(wa, weights.AsSpan(support[b] * n, n));
                    g[a * size + b] = v;
                    g[b * size + a] = v;
                }
                g[a * size + a] += 1e-6;
            }
            // In-place Cholesky G = L Lᵀ (lower triangle), then two triangular solves.
            for (int a = 0; a < size; a++)
            {
                for (int b = 0; b <= a; b++)
                {
                    double sum = g[a * size + b];
                    for (int k = 0; k < b; k++)
                        sum -= g[a * size + k] * g[b * size + k];
                    if (a == b)
                        g[a * size + a] = Math.Sqrt(Math.Max(sum, 1e-12));
                    else
                        g[a * size + b] = sum / g[b * size + b];
                }
            }
            for (int a = 0; a < size; a++)
            {
                double sum = x[a];
                for (int k = 0; k < a; k++)
                    sum -= g[a * size + k] * x[k];
                x[a] = sum / g[a * size + a];
            }
            for (int a = size - 1; a >= 0; a--)
            {
                double sum = x[a];
                for (int k = a + 1; k < size; k++)
                    sum -= g[k * size + a] * x[k];
                x[a] = sum / g[a * size + a];
            }
            return x;
        }
    }
}
