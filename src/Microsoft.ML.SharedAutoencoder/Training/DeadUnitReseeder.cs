using System;
using System.Threading.Tasks;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// Re-seeds hidden units that fired on no row: each gets the normalized row the current model reconstructs worst
    /// (the largest ½‖y − Wσ(Wᵀy + b)‖²), the worst row going to the lowest-numbered dead unit. Called only when a
    /// dead unit exists, so it costs one extra pass then and nothing otherwise.
    /// </summary>
    internal static class DeadUnitReseeder
    {
        /// <summary>Re-seeds every unit with <c>activeCounts[i] == 0</c>; returns how many were re-seeded.</summary>
        public static int Run(DenseRows data, float[] weights, float[] bias, in EncoderActivation activation, long[] activeCounts, int numberOfThreads)
        {
            int dead = 0;
            foreach (long count in activeCounts)
            {
                if (count == 0)
                    dead++;
            }
            if (dead == 0)
                return 0;

            int n = data.Dimension;
            int m = bias.Length;
            int rows = data.RowCount;
            var losses = new double[rows];
            EncoderActivation encoder = activation;
            int partitions = RowPartition.PartCount(rows);
            Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, numberOfThreads) }, part =>
            {
                var code = new float[m];
                var reconstruction = new float[n];
                var scratch = new float[EncoderActivation.ScratchLength(m)];
                var (start, end) = RowPartition.Part(rows, part, partitions);
                for (int t = start; t < end; t++)
                {
                    ReadOnlySpan<float> y = data.Row(t);
                    TiedAutoencoder.Encode(y, weights, bias, encoder, code, scratch);
                    losses[t] = TiedAutoencoder.HalfSquaredResidual(y, code, weights, reconstruction);
                }
            });

            // Rows by decreasing loss, ties by index: deterministic.
            var order = new int[rows];
            for (int t = 0; t < rows; t++)
                order[t] = t;
            Array.Sort(order, (a, b) => losses[a] != losses[b] ? losses[b].CompareTo(losses[a]) : a.CompareTo(b));

            int reseeded = 0;
            int next = 0;
            var candidate = new float[n];
            for (int i = 0; i < m; i++)
            {
                if (activeCounts[i] != 0)
                    continue;
                while (next < rows)
                {
                    data.Row(order[next++]).CopyTo(candidate);
                    if (WeightInitializer.NormalizeInPlace(candidate))
                    {
                        candidate.CopyTo(weights.AsSpan(i * n, n));
                        reseeded++;
                        break;
                    }
                }
            }
            return reseeded;
        }
    }
}
