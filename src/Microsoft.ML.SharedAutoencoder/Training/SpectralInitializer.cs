using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// The pairwise-reweighting initialization of Arora, Ge, Ma and Moitra ("Simple, efficient, and neural algorithms
    /// for sparse coding", COLT 2015, Algorithm 3). For a pair of rows (u, v) the matrix
    /// M̂_{u,v} = (1/p) Σ_t ⟨y_t,u⟩⟨y_t,v⟩ y_t y_tᵀ is, when u and v share exactly one atom A_i, close to a multiple of
    /// A_i A_iᵀ: its top eigenvector estimates A_i and its spectrum shows a gap. M̂ is never formed: a two-vector
    /// subspace iteration applies x ↦ (1/p) Σ_t w_t ⟨y_t,x⟩ y_t with the weights w_t = ⟨y_t,u⟩⟨y_t,v⟩ computed once
    /// per pair, and a 2×2 Rayleigh–Ritz step gives σ₁, σ₂ (eigenvalues by magnitude: M̂ is symmetric, not PSD).
    /// </summary>
    /// <remarks>
    /// Pairs are evaluated in batches in parallel; each pair's rows come from a per-pair random stream and the
    /// acceptance decisions are made serially in pair order, so the result does not depend on the thread count.
    /// </remarks>
    internal static partial class SpectralInitializer
    {
        private const int MaxSubspaceIterations = 12;
        private const int ScreeningIterations = 4;
        private const double RitzTolerance = 1e-4;
        private const int MaxRefinementSteps = 40;
        private const double RefinementTolerance = 1e-5;
        private const int MaxResidualRounds = 4;
        private const int MinResidualStarts = 32;
        private const int ResidualStartsPerMissing = 8;
        private const int MinForKurtosisTest = 5;

        /// <summary>Runs the search; returns unit-major columns (found ones first, then the completed ones) and the report.</summary>
        public static (float[] Weights, InitializationReport Report) Create(DenseRows data, int count, SpectralSettings settings, int seed, int numberOfThreads)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            if (rows < 2)
                throw new InvalidOperationException($"Spectral initialization needs at least 2 rows; the data have {rows}.");

            var random = new Random(seed);
            int p = Math.Min(settings.SampleCount, rows);
            float[] dataMean = Mean(data, out double meanEnergyRatio);
            // Codes with a small but nonzero mean (non-negative sparse codes) are centered: cumulants of order ≥ 2 do not
            // depend on the mean, so the fourth-cumulant step is then valid for them. A mixture of few components has a
            // large mean and is not centered (centering there would estimate A_i − mean).
            bool smallMean = meanEnergyRatio <= 0.05;
            bool center = settings.CenterData ?? smallMean;
            var search = new Search(data, settings, count, center ? dataMean : new float[n], center, cumulant: center || smallMean, numberOfThreads);
            search.Samples = SampleRows(data, p, random, search.Mean, center);

            int residualRounds = 0;
            while (search.Found.Count < count)
            {
                if (search.PairsTried < settings.PairBudget(count))
                {
                    search.SearchPairs(random);
                }
                else
                {
                    // The pair budget is spent: the atoms still missing are what the found ones explain worst.
                    if (residualRounds++ >= MaxResidualRounds || search.SearchResiduals() == 0)
                        break;
                }
                search.Consolidate();
            }

            var weights = new float[count * n];
            for (int i = 0; i < search.Found.Count; i++)
            {
                Span<float> column = weights.AsSpan(i * n, n);
                search.Found[i].Vector.CopyTo(column);
                Orient(data, column);
            }
            int completed = count - search.Found.Count;
            if (completed > 0)
                SamplesInitializer.Seed(data, weights, search.Found.Count, count, random);
            var report = new InitializationReport(WeightInitialization.Spectral, count, search.Found.Count, completed, search.PairsTried, search.PairsAccepted,
                search.FromResiduals, search.Rejected);
            return (weights, report);
        }

        /// <summary>
        /// ‖r‖² for r = y − W_S x_S, the residual of orthogonal matching pursuit with <paramref name="sparsity"/> steps on
        /// the first <paramref name="columns"/> columns of <paramref name="weights"/> (each step adds the column most
        /// correlated with the current residual and re-solves the least-squares code); r is written to <paramref name="residual"/>.
        /// </summary>
        private static double Residual(float[] weights, int columns, int n, ReadOnlySpan<float> y, int sparsity, float[] residual)
        {
            y.CopyTo(residual);
            int size = Math.Min(sparsity, columns);
            var support = new int[size];
            for (int step = 0; step < size; step++)
            {
                int best = -1;
                float bestMagnitude = -1;
                for (int i = 0; i < columns; i++)
                {
                    if (Array.IndexOf(support, i, 0, step) >= 0)
                        continue;
                    float magnitude = Math.Abs(TensorPrimitives.Dot(weights.AsSpan(i * n, n), residual));
                    if (magnitude > bestMagnitude)
                    {
                        bestMagnitude = magnitude;
                        best = i;
                    }
                }
                support[step] = best;
                double[] code = DictionaryRefit.SolveCode(weights, n, y, support, step + 1);
                y.CopyTo(residual);
                for (int a = 0; a <= step; a++)
                    TensorPrimitives.MultiplyAdd(weights.AsSpan(support[a] * n, n), (float)-code[a], residual, residual);
            }
            return TensorPrimitives.Dot(residual, residual);
        }

        private static double Median(List<double> values)
        {
            var sorted = values.ToArray();
            Array.Sort(sorted);
            return sorted[sorted.Length / 2];
        }

        /// <summary>The data mean, and ‖ȳ‖² / mean‖y‖²: 0 for zero-mean data, about 1/m for a mixture of m well-separated components.</summary>
        private static float[] Mean(DenseRows data, out double meanEnergyRatio)
        {
            int n = data.Dimension;
            var sum = new double[n];
            double energy = 0;
            for (int t = 0; t < data.RowCount; t++)
            {
                ReadOnlySpan<float> y = data.Row(t);
                energy += TensorPrimitives.Dot(y, y);
                for (int j = 0; j < n; j++)
                    sum[j] += y[j];
            }
            var mean = new float[n];
            double meanSquared = 0;
            for (int j = 0; j < n; j++)
            {
                double value = sum[j] / data.RowCount;
                mean[j] = (float)value;
                meanSquared += value * value;
            }
            meanEnergyRatio = energy > 0 ? meanSquared / (energy / data.RowCount) : 0;
            return mean;
        }

        /// <summary>
        /// p rows drawn without replacement (partial Fisher–Yates), copied contiguously, centered by <paramref name="mean"/> when asked.
        /// </summary>
        private static float[] SampleRows(DenseRows data, int p, Random random, float[] mean, bool center)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            var samples = new float[p * n];
            if (p == rows)
            {
                data.Rows(0, rows).CopyTo(samples);
            }
            else
            {
                var order = new int[rows];
                for (int t = 0; t < rows; t++)
                    order[t] = t;
                for (int t = 0; t < p; t++)
                {
                    int j = t + random.Next(rows - t);
                    (order[t], order[j]) = (order[j], order[t]);
                    data.Row(order[t]).CopyTo(samples.AsSpan(t * n, n));
                }
            }
            if (center)
            {
                for (int t = 0; t < p; t++)
                    TensorPrimitives.Subtract(samples.AsSpan(t * n, n), mean, samples.AsSpan(t * n, n));
            }
            return samples;
        }

        /// <summary>
        /// Subspace iteration on M̂_{u,v}; null when a test fails, otherwise the refined unit vector — or an empty array
        /// when the refinement ran into an atom in <paramref name="known"/> (an accepted pair that found nothing new).
        /// </summary>
        private static (float[] Vector, double Kurtosis)? TryPair(DenseRows data, float[] samples, float[] mean, SpectralSettings settings, bool cumulant, int uIndex, int vIndex, float[][] known)
        {
            int n = data.Dimension;
            int p = samples.Length / n;
            var u = new float[n];
            var v = new float[n];
            TensorPrimitives.Subtract(data.Row(uIndex), mean, u);
            TensorPrimitives.Subtract(data.Row(vIndex), mean, v);

            float[] weights = PairWeights(samples, n, u, v, out double trace);
            if (!(trace > 0) || !double.IsFinite(trace))
                return null;
            float[]? top = TopEigenvector(samples, weights, n, u, v, settings, trace);
            if (top is null)
                return null;
            double minCosine = 1 - 0.5 * settings.DuplicateDistance * settings.DuplicateDistance;
            if (!Refine(new RefinementRows(samples, p, cumulant, Mean: null), top, known, minCosine, out bool duplicate, out double kurtosis))
                return null;
            if (duplicate)
                return (Array.Empty<float>(), 0);
            return (top, kurtosis);
        }

        /// <summary>
        /// The weights w_t = ⟨y_t,u⟩⟨y_t,v⟩ / p of M̂_{u,v}, and its trace with absolute weights (1/p) Σ |⟨y,u⟩⟨y,v⟩|·‖y‖².
        /// </summary>
        private static float[] PairWeights(float[] samples, int n, float[] u, float[] v, out double trace)
        {
            int p = samples.Length / n;
            var weights = new float[p];
            trace = 0;
            for (int t = 0; t < p; t++)
            {
                ReadOnlySpan<float> y = samples.AsSpan(t * n, n);
                float w = TensorPrimitives.Dot(y, u) * TensorPrimitives.Dot(y, v);
                weights[t] = w / p;
                trace += Math.Abs((double)w) * TensorPrimitives.Dot(y, y);
            }
            trace /= p;
            return weights;
        }

        /// <summary>
        /// Two-vector subspace iteration with Rayleigh–Ritz on M̂_{u,v}: its top eigenvector, normalized, or null when the
        /// gap test or the "σ₁ is large" test fails (early, after a few screening iterations, for hopeless pairs).
        /// </summary>
        private static float[]? TopEigenvector(float[] samples, float[] weights, int n, float[] u, float[] v, SpectralSettings settings, double trace)
        {
            // u ± v start close to the shared atom's direction (both rows contain it), so few iterations are needed.
            var x1 = new float[n];
            var x2 = new float[n];
            TensorPrimitives.Add(u, v, x1);
            TensorPrimitives.Subtract(u, v, x2);
            var mx1 = new float[n];
            var mx2 = new float[n];
            if (!Orthonormalize(x1, x2))
                return null;

            double previous = double.NaN;
            double sigma1 = 0, sigma2 = 0;
            double c1 = 1, c2 = 0;
            for (int iteration = 1; iteration <= MaxSubspaceIterations; iteration++)
            {
                Apply(samples, weights, n, x1, x2, mx1, mx2);
                // Rayleigh–Ritz on span{x1, x2}: T = XᵀMX.
                double t11 = TensorPrimitives.Dot(x1, mx1);
                double t12 = 0.5 * (TensorPrimitives.Dot(x1, mx2) + TensorPrimitives.Dot(x2, mx1));
                double t22 = TensorPrimitives.Dot(x2, mx2);
                (sigma1, sigma2, c1, c2) = SymmetricEigen2(t11, t12, t22);
                bool converged = Math.Abs(Math.Abs(sigma1) - previous) <= RitzTolerance * Math.Abs(sigma1);
                previous = Math.Abs(sigma1);

                double ratio = Math.Abs(sigma1) / Math.Max(Math.Abs(sigma2), double.Epsilon);
                // Ritz values only grow towards the true ones; a pair that is far from both tests after a few
                // iterations will not pass them, and most pairs share no atom.
                if (iteration == ScreeningIterations && (ratio < 0.5 * settings.MinGapRatio || Math.Abs(sigma1) < 0.5 * settings.MinTraceFraction * trace))
                    return null;
                if (converged)
                    break;
                mx1.CopyTo(x1);
                mx2.CopyTo(x2);
                if (!Orthonormalize(x1, x2))
                    return null;
            }

            double gap = Math.Abs(sigma1) / Math.Max(Math.Abs(sigma2), double.Epsilon);
            if (gap < settings.MinGapRatio || Math.Abs(sigma1) < settings.MinTraceFraction * trace)
                return null;
            var top = new float[n];
            for (int j = 0; j < n; j++)
                top[j] = (float)(c1 * x1[j] + c2 * x2[j]);
            return WeightInitializer.NormalizeInPlace(top) ? top : null;
        }

        /// <summary>
        /// Fixed-point refinement z ← normalize((1/p) Σ_t ⟨y_t, z⟩³ y_t): a power step on the fourth-moment tensor, whose
        /// dominant term near an atom is E[x_i⁴]·q_i·⟨A_i, z⟩³·A_i, so z moves to the atom the pair pointed at and the
        /// cross-talk the pair's estimate carries shrinks. False when z collapses to zero.
        /// </summary>
        private static bool Refine(in RefinementRows rows, float[] z, float[][] known, double minCosine, out bool duplicate, out double kurtosis)
        {
            duplicate = false;
            kurtosis = 0;
            float[] samples = rows.Values;
            int p = rows.Count;
            int n = z.Length;
            float[]? mean = rows.Mean;
            bool cumulant = rows.Cumulant;
            var scratch = new float[n];
            var centered = mean is null ? null : new float[n];
            var covarianceTimesZ = new float[n];
            for (int step = 0; step < MaxRefinementSteps; step++)
            {
                Array.Clear(scratch);
                Array.Clear(covarianceTimesZ);
                double variance = 0, fourth = 0;
                for (int t = 0; t < p; t++)
                {
                    ReadOnlySpan<float> y = samples.AsSpan(t * n, n);
                    if (centered != null)
                    {
                        TensorPrimitives.Subtract(y, mean, centered);
                        y = centered;
                    }
                    float projection = TensorPrimitives.Dot(y, z);
                    variance += projection * projection;
                    fourth += (double)projection * projection * projection * projection;
                    TensorPrimitives.MultiplyAdd(y, projection * projection * projection, scratch, scratch);
                    TensorPrimitives.MultiplyAdd(y, projection, covarianceTimesZ, covarianceTimesZ);
                }
                kurtosis = variance > 0 ? fourth * p / (variance * variance) - 3 : 0;
                if (cumulant)
                    TensorPrimitives.MultiplyAdd(covarianceTimesZ, (float)(-3 * variance / p), scratch, scratch);
                if (!WeightInitializer.NormalizeInPlace(scratch))
                    return false;
                bool converged = Math.Abs(TensorPrimitives.Dot(scratch, z)) >= 1 - RefinementTolerance;
                scratch.CopyTo(z);
                if (converged)
                    return true;
                foreach (float[] atom in known)
                {
                    if (Math.Abs(TensorPrimitives.Dot(atom, z)) >= minCosine)
                    {
                        duplicate = true;
                        return true;
                    }
                }
            }
            // Not settled after the allowed steps: the start was not in an atom's basin.
            return false;
        }

        /// <summary>
        /// The rows a refinement averages over: <see cref="Count"/> rows of <paramref name="Values"/> (row-major), centered
        /// by <paramref name="Mean"/> when it is set, with the Gaussian part subtracted when <paramref name="Cumulant"/>.
        /// </summary>
        private readonly record struct RefinementRows(float[] Values, int Count, bool Cumulant, float[]? Mean);

        /// <summary>mx_k = Σ_t w_t ⟨y_t, x_k⟩ y_t for k = 1, 2 (the weights already carry the 1/p).</summary>
        private static void Apply(float[] samples, float[] weights, int n, float[] x1, float[] x2, float[] mx1, float[] mx2)
        {
            Array.Clear(mx1);
            Array.Clear(mx2);
            for (int t = 0; t < weights.Length; t++)
            {
                float w = weights[t];
                ReadOnlySpan<float> y = samples.AsSpan(t * n, n);
                TensorPrimitives.MultiplyAdd(y, w * TensorPrimitives.Dot(y, x1), mx1, mx1);
                TensorPrimitives.MultiplyAdd(y, w * TensorPrimitives.Dot(y, x2), mx2, mx2);
            }
        }

        /// <summary>Gram–Schmidt on two vectors; false when they are (numerically) dependent.</summary>
        private static bool Orthonormalize(float[] x1, float[] x2)
        {
            if (!WeightInitializer.NormalizeInPlace(x1))
                return false;
            TensorPrimitives.MultiplyAdd(x1, -TensorPrimitives.Dot(x1, x2), x2, x2);
            return WeightInitializer.NormalizeInPlace(x2);
        }

        /// <summary>Eigen-decomposition of [[a, b], [b, c]]: (λ₁, λ₂) ordered by magnitude, and λ₁'s unit eigenvector.</summary>
        private static (double Lambda1, double Lambda2, double C1, double C2) SymmetricEigen2(double a, double b, double c)
        {
            double half = 0.5 * (a + c);
            double radius = Math.Sqrt(0.25 * (a - c) * (a - c) + b * b);
            double high = half + radius, low = half - radius;
            double first = Math.Abs(high) >= Math.Abs(low) ? high : low;
            double second = first == high ? low : high;
            // (b, λ − a) or (λ − c, b) is an eigenvector of λ; take the better conditioned one.
            double e1 = b, e2 = first - a;
            double f1 = first - c, f2 = b;
            if (e1 * e1 + e2 * e2 < f1 * f1 + f2 * f2)
            {
                e1 = f1;
                e2 = f2;
            }
            double norm = Math.Sqrt(e1 * e1 + e2 * e2);
            return norm > 0 ? (first, second, e1 / norm, e2 / norm) : (first, second, 1, 0);
        }

        private static int FindDuplicate(IReadOnlyList<float[]> found, float[] vector, double distance)
        {
            // ‖z ∓ l‖² = 2 − 2|⟨z, l⟩| for unit vectors.
            double minCosine = 1 - 0.5 * distance * distance;
            for (int i = 0; i < found.Count; i++)
            {
                if (Math.Abs(TensorPrimitives.Dot(found[i], vector)) >= minCosine)
                    return i;
            }
            return -1;
        }

        /// <summary>
        /// Chooses the sign under which the largest projections of the data are positive: the sign of Σ_t ⟨y_t, z⟩³.
        /// For a mixture (y = A_i + η) and for non-negative codes the projections onto the true atom are large and
        /// positive on the rows that use it, and small and symmetric elsewhere; for ± codes either sign is equally
        /// good and this just makes the choice deterministic.
        /// </summary>
        internal static void Orient(DenseRows data, Span<float> column)
        {
            double skew = 0;
            for (int t = 0; t < data.RowCount; t++)
            {
                double projection = TensorPrimitives.Dot(data.Row(t), column);
                skew += projection * projection * projection;
            }
            if (skew < 0)
                TensorPrimitives.Negate(column, column);
        }
    }
}
