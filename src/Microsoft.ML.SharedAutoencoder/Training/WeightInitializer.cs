using System;
using System.Numerics.Tensors;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>Chooses W⁰ (unit-major, every column of unit norm).</summary>
    internal static class WeightInitializer
    {
        public static float[] Create(TrainerSettings settings, DenseRows data, Random random) => Create(settings, data, random, out _);

        public static float[] Create(TrainerSettings settings, DenseRows data, Random random, out InitializationReport report)
        {
            InitializationReport? spectralReport = null;
            float[] weights = settings.Initialization switch
            {
                WeightInitialization.Samples => SamplesInitializer.Create(data, settings.HiddenUnits, random, settings.NumberOfThreads),
                WeightInitialization.Spectral => Spectral(settings, data, random, out spectralReport),
                WeightInitialization.Random => RandomColumns(data.Dimension, settings.HiddenUnits, random),
                WeightInitialization.Pca => PcaInitializer.TopRightSingularVectors(data, settings.HiddenUnits, settings.NumberOfThreads),
                WeightInitialization.Given => (float[])(settings.InitialWeights ?? throw new ArgumentException("Given initialization needs initial weights.")).Clone(),
                _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Initialization, "Unknown initialization."),
            };
            for (int i = 0; i < settings.HiddenUnits; i++)
            {
                if (!NormalizeInPlace(weights.AsSpan(i * data.Dimension, data.Dimension)))
                    throw new InvalidOperationException($"Initial weight column {i} has zero or non-finite norm.");
            }
            report = spectralReport ?? new InitializationReport(settings.Initialization, settings.HiddenUnits, settings.HiddenUnits, 0, 0, 0);
            return weights;
        }

        private static float[] Spectral(TrainerSettings settings, DenseRows data, Random random, out InitializationReport? report)
        {
            var (weights, spectralReport) = SpectralInitializer.Create(data, settings.HiddenUnits, settings.Spectral ?? new SpectralSettings(), random.Next(), settings.NumberOfThreads);
            report = spectralReport;
            return weights;
        }

        /// <summary>Scales <paramref name="column"/> to unit norm; false (and unchanged) when its norm is zero or not finite.</summary>
        public static bool NormalizeInPlace(Span<float> column)
        {
            double norm = Math.Sqrt(SumOfSquares(column));
            if (!(norm > 0) || !double.IsFinite(norm))
                return false;
            TensorPrimitives.Multiply(column, (float)(1 / norm), column);
            return true;
        }

        // In double: a column of large values must not overflow float32 before it is normalized.
        private static double SumOfSquares(ReadOnlySpan<float> values)
        {
            double sum = 0;
            foreach (float v in values)
                sum += (double)v * v;
            return sum;
        }

        public static float[] RandomColumns(int inputSize, int hiddenUnits, Random random)
        {
            var weights = new float[inputSize * hiddenUnits];
            double scale = 1 / Math.Sqrt(inputSize);
            for (int j = 0; j < weights.Length; j++)
                weights[j] = (float)(scale * StandardNormal(random));
            return weights;
        }

        /// <summary>A standard normal draw (Box–Muller; one draw per call keeps the stream simple to reproduce).</summary>
        public static double StandardNormal(Random random)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
