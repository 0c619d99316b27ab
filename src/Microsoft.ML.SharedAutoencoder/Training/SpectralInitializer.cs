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
    /// Pairs are drawn serially, evaluated in fixed batches of <see cref="PairBatch"/> as lanes of block products
    /// (SpectralInitializer.Lanes.cs, SpectralInitializer.Blocks.cs) whose per-job arithmetic does not depend on the
    /// grouping, and accepted serially in pair order, so the result does not depend on the thread count. The pair search
    /// hands over to the residual search when it stalls (<see cref="SpectralSettings.StallWindow"/>).
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
        private const int PairBatch = 32;

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
            bool stalled = false, stopWhenStalled = settings.StallWindow(count) > 0;
            while (search.Found.Count < count)
            {
                if (search.PairsTried < settings.PairBudget(count) && !stalled)
                {
                    stalled = search.SearchPairs(random, stopWhenStalled);
                }
                else if (residualRounds >= MaxResidualRounds || search.SearchResiduals() == 0)
                {
                    // Pairs that stopped finding atoms handed over to the residual search; when that finds nothing
                    // either, the rest of the pair budget is still spent (the search without the stopping rule).
                    if (!stalled || search.PairsTried >= settings.PairBudget(count))
                        break;
                    stalled = stopWhenStalled = false;
                }
                else
                {
                    // The atoms still missing are what the found ones explain worst.
                    residualRounds++;
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
        /// ‖r‖² of every row's <see cref="Residual"/>, computed from the correlations c = Wᵀy and the Gram matrix G = WᵀW:
        /// the correlations with the residual are c − G_S x_S and ‖r‖² = ‖y‖² − 2 x_Sᵀc_S + x_SᵀG_SS x_S, so a row costs
        /// one product with W (in blocks, <see cref="Blocks.Project"/>) instead of one per matching-pursuit step.
        /// </summary>
        private static double[] ResidualScores(DenseRows data, float[] weights, int basis, int sparsity, ParallelOptions parallel)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            int blocks = (basis + Blocks.BlockWidth - 1) / Blocks.BlockWidth;
            var blocked = new float[blocks][];
            for (int block = 0; block < blocks; block++)
            {
                blocked[block] = new float[n * Blocks.BlockWidth];
                for (int c = 0; c < Blocks.BlockWidth && block * Blocks.BlockWidth + c < basis; c++)
                {
                    int i = block * Blocks.BlockWidth + c;
                    for (int j = 0; j < n; j++)
                        blocked[block][j * Blocks.BlockWidth + c] = weights[i * n + j];
                }
            }
            var gram = new double[basis * basis];
            for (int i = 0; i < basis; i++)
            {
                for (int l = 0; l <= i; l++)
                    gram[i * basis + l] = gram[l * basis + i] = TensorPrimitives.Dot(weights.AsSpan(i * n, n), weights.AsSpan(l * n, n));
            }
            var scores = new double[rows];
            int parts = RowPartition.PartCount(rows);
            Parallel.For(0, parts, parallel, part =>
            {
                var (start, end) = RowPartition.Part(rows, part, parts);
                var z = new float[(end - start) * Blocks.BlockWidth];
                var correlations = new float[(end - start) * basis];
                for (int block = 0; block < blocks; block++)
                {
                    Blocks.Project(data.Rows(start, end - start), end - start, n, blocked[block], z);
                    int width = Math.Min(Blocks.BlockWidth, basis - block * Blocks.BlockWidth);
                    for (int t = 0; t < end - start; t++)
                        z.AsSpan(t * Blocks.BlockWidth, width).CopyTo(correlations.AsSpan(t * basis + block * Blocks.BlockWidth, width));
                }
                for (int t = start; t < end; t++)
                    scores[t] = GramResidual(weights, basis, n, data.Row(t), correlations.AsSpan((t - start) * basis, basis), gram, sparsity);
            });
            return scores;
        }

        /// <summary>‖r‖² of <see cref="Residual"/> for one row from its correlations c = Wᵀy and the Gram matrix.</summary>
        private static double GramResidual(float[] weights, int basis, int n, ReadOnlySpan<float> y, ReadOnlySpan<float> c, double[] gram, int sparsity)
        {
            int size = Math.Min(sparsity, basis);
            var support = new int[size];
            double[] code = Array.Empty<double>();
            for (int step = 0; step < size; step++)
            {
                int best = -1;
                double bestMagnitude = -1;
                for (int i = 0; i < basis; i++)
                {
                    if (Array.IndexOf(support, i, 0, step) >= 0)
                        continue;
                    double correlation = c[i];
                    for (int a = 0; a < step; a++)
                        correlation -= gram[i * basis + support[a]] * code[a];
                    if (Math.Abs(correlation) > bestMagnitude)
                    {
                        bestMagnitude = Math.Abs(correlation);
                        best = i;
                    }
                }
                support[step] = best;
                code = DictionaryRefit.SolveCode(weights, n, y, support, step + 1);
            }
            double energy = TensorPrimitives.Dot(y, y);
            for (int a = 0; a < size; a++)
            {
                energy -= 2 * code[a] * c[support[a]];
                for (int b = 0; b < size; b++)
                    energy += code[a] * code[b] * gram[support[a] * basis + support[b]];
            }
            return energy;
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
        /// The rows a pass averages over: <see cref="Count"/> rows of length <see cref="Dimension"/> of <paramref name="Values"/>
        /// (row-major), centered by <paramref name="Mean"/> in a refinement when it is set, with the Gaussian part
        /// subtracted when <paramref name="Cumulant"/>.
        /// </summary>
        private readonly record struct RefinementRows(float[] Values, int Count, int Dimension, bool Cumulant, float[]? Mean);

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
