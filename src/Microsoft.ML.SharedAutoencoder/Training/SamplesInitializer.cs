using System;
using System.Numerics.Tensors;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// Seeds columns from normalized data rows chosen k-means++ style (Arthur and Vassilvitskii, 2007): each row is
    /// drawn with probability proportional to its squared distance D² = ‖ŷ − c‖² to the nearest column chosen so far
    /// (ŷ = y/‖y‖; uniformly for the first), greedily: of 2 + ⌊ln m⌋ such draws the one that lowers Σ D² most is kept.
    /// The columns spread over the data. Deterministic given the random source.
    /// </summary>
    internal static class SamplesInitializer
    {
        public static float[] Create(DenseRows data, int count, Random random)
        {
            var weights = new float[count * data.Dimension];
            Seed(data, weights, 0, count, random);
            return weights;
        }

        /// <summary>
        /// Fills columns [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="weights"/>; columns before
        /// <paramref name="start"/> (already unit norm) count as chosen centers. Zero rows are never chosen and a row
        /// that equals a chosen column has D² = 0, so rows are distinct; when no row is left at a positive distance the
        /// remaining columns are random unit vectors.
        /// </summary>
        public static void Seed(DenseRows data, float[] weights, int start, int end, Random random)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            double[] inverseNorms = InverseNorms(data);

            // D² to the nearest center; rows of zero norm have weight 0 forever.
            var distances = new double[rows];
            for (int t = 0; t < rows; t++)
                distances[t] = inverseNorms[t] > 0 ? 4 : 0;
            for (int i = 0; i < start; i++)
                UpdateDistances(data, inverseNorms, distances, weights.AsSpan(i * n, n));

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
                    UpdateDistances(data, inverseNorms, trial, column);
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

                private static void UpdateDistances(DenseRows data, double[] inverseNorms, double[] distances, ReadOnlySpan<float> center)
        {
            for (int t = 0; t < distances.Length; t++)
            {
                if (distances[t] == 0)
                    continue;
                double d = Math.Max(0, 2 - 2 * TensorPrimitives.Dot(data.Row(t), center) * inverseNorms[t]);
                if (d < distances[t])
                    distances[t] = d;
            }
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
