using System;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// The memory training will allocate besides the rows, counted with 64-bit sizes before anything is allocated: every
    /// buffer that grows with m·n (weights, candidate, gradient, per-slot sums, double reductions), with m×m (per-slot
    /// co-activations, their sum, the Gram matrix; the refit's per-partition systems) or with n×n (the PCA covariance).
    /// Each such buffer must also fit one .NET array; past that the products overflow <c>int</c> inside the trainer.
    /// </summary>
    internal static class TrainingMemory
    {
        // GradientPass keeps up to 16 per-chunk slots in memory (8 when streaming); DictionaryRefit up to 16 partitions.
        private const double Slots = 16;
        private const double RefitPartitions = 16;

        /// <summary>The bytes of all parameter-sized buffers for rows of dimension <paramref name="n"/>.</summary>
        public static double EstimateBytes(long n, TrainerSettings settings)
        {
            double mn = (double)n * settings.HiddenUnits;
            double mm = (double)settings.HiddenUnits * settings.HiddenUnits;
            double bytes = 4 * mn * (3 + Slots)   // W, candidate W, gradient, per-slot sums (float)
                + 8 * mn * 2                       // the reduction and W in double
                + mm * (8 * Slots + 8 + 4);        // per-slot co-activations, their sum (double), the Gram matrix (float)
            if (settings.FinalRefitIterations > 0 || settings.AlternatingMinimizationIterations > 0)
                bytes += 8 * (mm + mn) * (RefitPartitions + 1);
            if (settings.AlternatingMinimizationIterations > 0)
                bytes += 4 * (2 * mm + 2 * mn); // OMP's Gram matrix and packed dictionary, the replacement's coherences
            if (settings.Initialization == WeightInitialization.Pca)
                bytes += 8.0 * n * n;
            return bytes;
        }

        /// <summary>
        /// Null when training fits; otherwise the option to blame and why (for an <see cref="ArgumentOutOfRangeException"/>).
        /// </summary>
        public static (string Option, string Message)? Refusal(long n, TrainerSettings settings, double availableBytes)
        {
            long m = settings.HiddenUnits;
            if (m * n > Array.MaxLength)
                return (nameof(SharedAutoencoderEstimator.Options.HiddenUnits), $"training {m} hidden units on rows of dimension {n} needs a weight matrix of m·n = {m * n} values, more than the {Array.MaxLength} one .NET array holds");
            if (m * m > Array.MaxLength)
                return (nameof(SharedAutoencoderEstimator.Options.HiddenUnits), $"training {m} hidden units needs m×m matrices of {m * m} values, more than the {Array.MaxLength} one .NET array holds: use at most {(long)Math.Sqrt(Array.MaxLength)} hidden units");
            if (settings.Initialization == WeightInitialization.Pca && n * n > Array.MaxLength)
                return (nameof(SharedAutoencoderEstimator.Options.Initialization), $"Pca initialization on rows of dimension {n} needs an n×n covariance of {n * n} values, more than the {Array.MaxLength} one .NET array holds; use another initialization");
            double bytes = EstimateBytes(n, settings);
            if (bytes > availableBytes)
                return (nameof(SharedAutoencoderEstimator.Options.HiddenUnits), $"training {m} hidden units on rows of dimension {n} needs about {bytes / 1e9:F1} GB for the parameters alone, more than the {availableBytes / 1e9:F1} GB available");
            return null;
        }

        /// <summary>Rows a streaming pass reads at once, into each of two buffers (GradientPass: 8 chunks of 1,024 rows).</summary>
        private const long StreamingWaveRows = 8 * 1024;

        /// <summary>
        /// Null when streaming rows of dimension <paramref name="n"/> fits; otherwise the option to blame and why. The two
        /// read buffers of a streaming pass hold 8,192 rows each: past one .NET array their size overflowed <c>int</c>.
        /// </summary>
        public static (string Option, string Message)? StreamingRefusal(long n, double availableBytes)
        {
            long values = StreamingWaveRows * n;
            string option = nameof(SharedAutoencoderEstimator.Options.MaximumInMemoryRows);
            if (values > Array.MaxLength)
                return (option, $"streaming rows of dimension {n} needs read buffers of {StreamingWaveRows} rows = {values} values, more than the {Array.MaxLength} one .NET array holds: rows of dimension above {Array.MaxLength / StreamingWaveRows} must be held in memory (raise MaximumInMemoryRows, or use fewer rows)");
            if (2.0 * sizeof(float) * values > availableBytes)
                return (option, $"streaming rows of dimension {n} needs two read buffers of {StreamingWaveRows} rows, about {2.0 * sizeof(float) * values / 1e9:F1} GB, more than the {availableBytes / 1e9:F1} GB available");
            return null;
        }
    }
}
