using System;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// Seeds columns from normalized data rows chosen k-means++ style (Arthur and Vassilvitskii, 2007): each row is
    /// drawn with probability proportional to its squared distance D² = ‖ŷ − c‖² to the nearest column chosen so far
    /// (ŷ = y/‖y‖; uniformly for the first), greedily: of 2 + ⌊ln m⌋ such draws the one that lowers Σ D² most is kept.
    /// The columns spread over the data. Deterministic given the random source, on any thread count.
    /// </summary>
    internal static class SamplesInitializer
    {
        /// <summary>
        /// The most rows the columns are drawn from: every trial costs one pass over them, m·(2 + ln m) passes in all
        /// (at N = 60,000, n = 100, m = 1,024 about 100 GFLOP, a minute or more on two cores). Larger data are subsampled
        /// evenly (rows ⌊j·N/S⌋), so sorted data are still covered; smaller data use every row, as before.
        /// </summary>
        public const int MaximumRows = 16384;

        public static float[] Create(DenseRows data, int count, Random random, int maxThreads = 1)
        {
            var weights = new float[count * data.Dimension];
            Seed(Subsample(data), weights, 0, count, random, maxThreads);
            return weights;
        }

        private static DenseRows Subsample(DenseRows data)
        {
            if (data.RowCount <= MaximumRows)
                return data;
            int n = data.Dimension;
            var values = new float[(long)MaximumRows * n];
            for (int j = 0; j < MaximumRows; j++)
                data.Row((int)((long)j * data.RowCount / MaximumRows)).CopyTo(values.AsSpan(j * n, n));
            return new DenseRows(values, MaximumRows, n);
        }

        /// <summary>
        /// Fills columns [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="weights"/>; columns before
        /// <paramref name="start"/> (already unit norm) count as chosen centers. Zero rows are never chosen and a row
        /// that equals a chosen column has D² = 0, so rows are distinct; when no row is left at a positive distance the
        /// remaining columns are random unit vectors.
        /// </summary>
        public static void Seed(DenseRows data, float[] weights, int start, int end, Random random, int maxThreads = 1)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            double[] inverseNorms = InverseNorms(data);

            // D² to the nearest center; rows of zero norm have weight 0 forever.
            var distances = new double[rows];
            for (int t = 0; t < rows; t++)
                distances[t] = inverseNorms[t] > 0 ? 4 : 0;
            for (int i = 0; i < start; i++)
                UpdateDistances(data, inverseNorms, distances, weights.AsSpan(i * n, n).ToArray(), maxThreads);

            // Greedy k-means++ (as scikit-learn does): draw 2 + ⌊ln m⌋ candidates by D² and keep the one that lowers the
            // total D² most. Plain D² sampling often puts two columns in one cluster and leaves another empty.
            int trials = 2 + (int)Math.Log(Math.Max(1, end));
            var trial = new double[rows];
            var best = new double[rows];
            for (int i = start; i < end; i++)
            {
                Span<float> column = weights.AsSpan(i * n, n);
                int chosen = -1;
                double bestPotential = double.PositiveInfinity;
                for (int attempt = 0; attempt < trials; attempt++)
                {
                    int candidate = Choose(distances, random);
                    if (candidate < 0)
                        break;
                    distances.CopyTo(trial, 0);
                    data.Row(candidate).CopyTo(column);
                    WeightInitializer.NormalizeInPlace(column);
                    UpdateDistances(data, inverseNorms, trial, weights.AsMemory(i * n, n), maxThreads);
                    trial[candidate] = 0;
                    double potential = 0;
                    foreach (double d in trial)
                        potential += d;
                    if (potential < bestPotential)
                    {
                        bestPotential = potential;
                        chosen = candidate;
                        (best, trial) = (trial, best);
                    }
                }
                if (chosen < 0)
                {
                    for (int j = 0; j < n; j++)
                        column[j] = (float)WeightInitializer.StandardNormal(random);
                    WeightInitializer.NormalizeInPlace(column);
                    continue;
                }
                data.Row(chosen).CopyTo(column);
                WeightInitializer.NormalizeInPlace(column);
                best.CopyTo(distances, 0);
            }
        }

        /// <summary>1/‖y_t‖ for every row; 0 for a zero (or non-finite) norm, so such rows are never chosen.</summary>
        private static double[] InverseNorms(DenseRows data)
        {
            var inverseNorms = new double[data.RowCount];
            for (int t = 0; t < inverseNorms.Length; t++)
            {
                ReadOnlySpan<float> y = data.Row(t);
                double norm = Math.Sqrt(TensorPrimitives.Dot(y, y));
                inverseNorms[t] = norm > 0 && double.IsFinite(norm) ? 1 / norm : 0;
            }
            return inverseNorms;
        }

        /// <summary>
        /// Lowers each row's D² to its distance to <paramref name="center"/>. Every row is computed on its own, so the
        /// parts (fixed: 16 equal ranges) may run on any number of threads with the same result.
        /// </summary>
        private static void UpdateDistances(DenseRows data, double[] inverseNorms, double[] distances, ReadOnlyMemory<float> center, int maxThreads)
        {
            const int Parts = 16;
            int rows = distances.Length;
            Parallel.For(0, Parts, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxThreads) }, part =>
            {
                ReadOnlySpan<float> c = center.Span;
                int from = (int)((long)part * rows / Parts), to = (int)((long)(part + 1) * rows / Parts);
                for (int t = from; t < to; t++)
                {
                    if (distances[t] == 0)
                        continue;
                    double d = Math.Max(0, 2 - 2 * TensorPrimitives.Dot(data.Row(t), c) * inverseNorms[t]);
                    if (d < distances[t])
                        distances[t] = d;
                }
            });
        }

        /// <summary>An index drawn with probability proportional to its weight; −1 when all weights are (numerically) zero.</summary>
        private static int Choose(double[] distances, Random random)
        {
            double total = 0;
            foreach (double d in distances)
                total += d;
            if (!(total > 1e-12))
                return -1;
            double target = random.NextDouble() * total;
            double cumulative = 0;
            int last = -1;
            for (int t = 0; t < distances.Length; t++)
            {
                if (distances[t] <= 0)
                    continue;
                cumulative += distances[t];
                last = t;
                if (cumulative > target)
                    return t;
            }
            return last;
        }
    }
}
