using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
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
        /// (at this many rows, n = 100, m = 2,048: 60 GFLOP, about 4 CPU seconds). Larger data are subsampled
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
            // total D² most. Plain D² sampling often puts two columns in one cluster and leaves another empty. The candidates
            // are all drawn from the same D², so they are drawn first and scored together in one pass over the rows (each
            // row read once for all of them); the draws and the sums are those of scoring them one by one, the dot products
            // are summed in coordinate order (see ScoreCandidates).
            int trials = 2 + (int)Math.Log(Math.Max(1, end));
            var candidates = new int[trials];
            var candidateColumns = new float[trials * n];
            var trialDistances = new double[trials][];
            for (int a = 0; a < trials; a++)
                trialDistances[a] = new double[rows];
            for (int i = start; i < end; i++)
            {
                Span<float> column = weights.AsSpan(i * n, n);
                int drawn = Choose(distances, random, candidates);
                if (drawn == 0)
                {
                    for (int j = 0; j < n; j++)
                        column[j] = (float)WeightInitializer.StandardNormal(random);
                    WeightInitializer.NormalizeInPlace(column);
                    continue;
                }
                for (int a = 0; a < drawn; a++)
                {
                    Span<float> candidate = candidateColumns.AsSpan(a * n, n);
                    data.Row(candidates[a]).CopyTo(candidate);
                    WeightInitializer.NormalizeInPlace(candidate);
                }
                ScoreCandidates(data, inverseNorms, distances, candidateColumns, drawn, trialDistances, maxThreads);
                int chosen = LowestPotential(trialDistances, candidates, drawn);
                candidateColumns.AsSpan(chosen * n, n).CopyTo(column);
                trialDistances[chosen].CopyTo(distances, 0);
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

        /// <summary>The candidate whose distances (its own row set to 0) sum lowest; the first of equals.</summary>
        private static int LowestPotential(double[][] trialDistances, int[] candidates, int count)
        {
            int chosen = 0;
            double bestPotential = double.PositiveInfinity;
            for (int a = 0; a < count; a++)
            {
                double[] trial = trialDistances[a];
                trial[candidates[a]] = 0;
                double potential = 0;
                foreach (double d in trial)
                    potential += d;
                if (potential < bestPotential)
                {
                    bestPotential = potential;
                    chosen = a;
                }
            }
            return chosen;
        }

        /// <summary>
        /// For each of the first <paramref name="count"/> candidates a (unit columns of <paramref name="candidates"/>),
        /// <paramref name="trialDistances"/>[a] = D² lowered to each row's distance to it. Every row is computed on its own,
        /// so the parts (fixed: 16 equal ranges) may run on any number of threads with the same result.
        /// </summary>
        /// <remarks>
        /// The pass costs 2·N·n·(2 + ln m) flops per column, the whole initialization's work. Rows are taken four at a time
        /// against all candidates, laid out candidate-minor so one vector holds the same input coordinate of several
        /// candidates: each lane sums its dot product over the coordinates in order, so the result does not depend on the
        /// vector width either (AVX2 or AVX-512).
        /// </remarks>
        private static void ScoreCandidates(DenseRows data, double[] inverseNorms, double[] distances, float[] candidates, int count, double[][] trialDistances, int maxThreads)
        {
            const int Parts = 16;
            int rows = distances.Length;
            int n = data.Dimension;
            int lanes = Vector<float>.Count;
            int width = (count + lanes - 1) / lanes * lanes;
            var transposed = new float[n * width];
            for (int a = 0; a < count; a++)
            {
                for (int j = 0; j < n; j++)
                    transposed[j * width + a] = candidates[a * n + j];
            }
            Parallel.For(0, Parts, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxThreads) }, part =>
            {
                int from = (int)((long)part * rows / Parts), to = (int)((long)(part + 1) * rows / Parts);
                Span<float> dots = stackalloc float[4 * width];
                for (int t = from; t < to; t += 4)
                {
                    int block = Math.Min(4, to - t);
                    Dots(data, t, block, transposed, width, dots);
                    for (int r = 0; r < block; r++)
                    {
                        double current = distances[t + r];
                        for (int a = 0; a < count; a++)
                        {
                            double d = current == 0 ? 0 : Math.Max(0, 2 - 2 * (double)dots[r * width + a] * inverseNorms[t + r]);
                            trialDistances[a][t + r] = d < current ? d : current;
                        }
                    }
                }
            });
        }

        /// <summary>
        /// dots[r·width + a] = Σ_j y_{first+r, j} · transposed[j·width + a] for r &lt; <paramref name="block"/> (≤ 4): four rows'
        /// independent accumulation chains interleaved, summed over j in order in every lane.
        /// </summary>
        private static void Dots(DenseRows data, int first, int block, float[] transposed, int width, Span<float> dots)
        {
            int n = data.Dimension;
            ReadOnlySpan<float> y0 = data.Row(first);
            ReadOnlySpan<float> y1 = data.Row(first + Math.Min(1, block - 1));
            ReadOnlySpan<float> y2 = data.Row(first + Math.Min(2, block - 1));
            ReadOnlySpan<float> y3 = data.Row(first + Math.Min(3, block - 1));
            ReadOnlySpan<Vector<float>> columns = MemoryMarshal.Cast<float, Vector<float>>(transposed);
            int vectors = width / Vector<float>.Count;
            // Two vectors of candidates at a time: eight independent chains keep both FMA ports busy.
            for (int v = 0; v < vectors; v += 2)
            {
                int w = Math.Min(v + 1, vectors - 1);
                Vector<float> s0 = Vector<float>.Zero, s1 = s0, s2 = s0, s3 = s0, u0 = s0, u1 = s0, u2 = s0, u3 = s0;
                for (int j = 0; j < n; j++)
                {
                    Vector<float> c = columns[j * vectors + v], e = columns[j * vectors + w];
                    Vector<float> b0 = new(y0[j]), b1 = new(y1[j]), b2 = new(y2[j]), b3 = new(y3[j]);
                    s0 = Vector.FusedMultiplyAdd(b0, c, s0);
                    s1 = Vector.FusedMultiplyAdd(b1, c, s1);
                    s2 = Vector.FusedMultiplyAdd(b2, c, s2);
                    s3 = Vector.FusedMultiplyAdd(b3, c, s3);
                    u0 = Vector.FusedMultiplyAdd(b0, e, u0);
                    u1 = Vector.FusedMultiplyAdd(b1, e, u1);
                    u2 = Vector.FusedMultiplyAdd(b2, e, u2);
                    u3 = Vector.FusedMultiplyAdd(b3, e, u3);
                }
                int lanes = Vector<float>.Count, offset = v * lanes, other = w * lanes;
                // When v is the last vector, w = v and the second set repeats the first: written to the same place.
                u0.CopyTo(dots.Slice(other));
                u1.CopyTo(dots.Slice(width + other));
                u2.CopyTo(dots.Slice(2 * width + other));
                u3.CopyTo(dots.Slice(3 * width + other));
                s0.CopyTo(dots.Slice(offset));
                s1.CopyTo(dots.Slice(width + offset));
                s2.CopyTo(dots.Slice(2 * width + offset));
                s3.CopyTo(dots.Slice(3 * width + offset));
            }
        }

        /// <summary>
        /// Fills <paramref name="drawn"/> with indices drawn with probability proportional to their weight, one
        /// <see cref="Random.NextDouble"/> each, in order; returns how many (all of them, or 0 when all weights are
        /// numerically zero). One scan serves every draw: the targets are visited in increasing order.
        /// </summary>
        private static int Choose(double[] distances, Random random, int[] drawn)
        {
            double total = 0;
            foreach (double d in distances)
                total += d;
            if (!(total > 1e-12))
                return 0;
            var targets = new double[drawn.Length];
            var order = new int[drawn.Length];
            for (int a = 0; a < drawn.Length; a++)
            {
                targets[a] = random.NextDouble() * total;
                order[a] = a;
            }
            Array.Sort((double[])targets.Clone(), order);
            double cumulative = 0;
            int last = -1, next = 0;
            for (int t = 0; t < distances.Length && next < order.Length; t++)
            {
                if (distances[t] <= 0)
                    continue;
                cumulative += distances[t];
                last = t;
                while (next < order.Length && cumulative > targets[order[next]])
                    drawn[order[next++]] = t;
            }
            while (next < order.Length)
                drawn[order[next++]] = last;
            return drawn.Length;
        }
    }
}
