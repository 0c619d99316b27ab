using System;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// <see cref="InputNormalization.CenterAndScale"/> for training: fits μ and s on the rows, and presents streamed rows
    /// normalized as they are read (rows in memory are normalized in place instead, see <see cref="NormalizeInPlace"/>).
    /// </summary>
    internal sealed class NormalizedRows : ITrainingRows
    {
        private readonly ITrainingRows _source;
        private readonly InputNormalizer _normalizer;

        private NormalizedRows(ITrainingRows source, InputNormalizer normalizer)
        {
            _source = source;
            _normalizer = normalizer;
        }

        public int Dimension => _source.Dimension;

        public long RowCount => _source.RowCount;

        /// <summary>
        /// μ and s of <paramref name="rows"/>, in one sequential pass with double sums (the same result on any thread count).
        /// Null when every row is the same (s = 0): there is no scale to divide by.
        /// </summary>
        public static InputNormalizer? Fit(ITrainingRows rows)
        {
            int n = rows.Dimension;
            var sum = new double[n];
            var sumOfSquares = new double[n];
            const int BlockRows = 256;
            var block = new float[BlockRows * n];
            long count = 0;
            using (ITrainingRowReader reader = rows.OpenReader())
            {
                int read;
                while ((read = reader.Read(block, BlockRows)) > 0)
                {
                    AddRows(block.AsSpan(0, read * n), n, sum, sumOfSquares);
                    count += read;
                }
            }
            if (count == 0)
                return null;
            var center = new float[n];
            double trace = 0;
            for (int j = 0; j < n; j++)
            {
                double mean = sum[j] / count;
                center[j] = (float)mean;
                // One pass (E[y²] − E[y]², in double) so streamed data are read once; clamped at 0 against rounding.
                trace += Math.Max(0, sumOfSquares[j] / count - mean * mean);
            }
            float scale = (float)Math.Sqrt(trace / n);
            return float.IsFinite(scale) && scale > 0 ? new InputNormalizer(center, scale) : null;
        }

        private static void AddRows(ReadOnlySpan<float> rows, int n, double[] sum, double[] sumOfSquares)
        {
            for (int start = 0; start < rows.Length; start += n)
            {
                ReadOnlySpan<float> row = rows.Slice(start, n);
                for (int j = 0; j < n; j++)
                {
                    double v = row[j];
                    sum[j] += v;
                    sumOfSquares[j] += v * v;
                }
            }
        }

        /// <summary>
        /// The rows as the autoencoder trains on them: rows in memory (owned by the caller's fit) are normalized in place
        /// and returned; streamed rows are wrapped and normalized as each pass reads them.
        /// </summary>
        public static ITrainingRows NormalizeInPlace(ITrainingRows rows, InputNormalizer normalizer)
        {
            if (rows is DenseRows dense)
            {
                normalizer.NormalizeRows(dense.Values, dense.RowCount);
                return dense;
            }
            return new NormalizedRows(rows, normalizer);
        }

        public ITrainingRowReader OpenReader() => new Reader(_source.OpenReader(), _normalizer);

        public DenseRows Head(int maxRows)
        {
            DenseRows head = _source.Head(maxRows);
            var copy = head.Values.AsSpan(0, head.RowCount * head.Dimension).ToArray();
            _normalizer.NormalizeRows(copy, head.RowCount);
            return new DenseRows(copy, head.RowCount, head.Dimension);
        }

        public int WaveChunks => _source.WaveChunks;

        private sealed class Reader : ITrainingRowReader
        {
            private readonly ITrainingRowReader _inner;
            private readonly InputNormalizer _normalizer;

            public Reader(ITrainingRowReader inner, InputNormalizer normalizer)
            {
                _inner = inner;
                _normalizer = normalizer;
            }

            public int Read(Span<float> destination, int maxRows)
            {
                int count = _inner.Read(destination, maxRows);
                _normalizer.NormalizeRows(destination, count);
                return count;
            }

            public void Dispose() => _inner.Dispose();
        }
    }
}
