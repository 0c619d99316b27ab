using System;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// The training data as one contiguous row-major float32 block: row t occupies [t·n, (t+1)·n). One pass over this
    /// buffer is the whole cost of a training step, so it is kept contiguous and read sequentially.
    /// </summary>
    internal sealed class DenseRows
    {
        public DenseRows(float[] values, int rowCount, int dimension)
        {
            if (dimension <= 0)
                throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The row dimension must be positive.");
            if (rowCount < 0 || (long)rowCount * dimension > values.Length)
                throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, "The buffer holds fewer rows than stated.");
            Values = values;
            RowCount = rowCount;
            Dimension = dimension;
        }

        public float[] Values { get; }

        public int RowCount { get; }

        public int Dimension { get; }

        public ReadOnlySpan<float> Row(int index) => Values.AsSpan(index * Dimension, Dimension);

        public ReadOnlySpan<float> Rows(int start, int count) => Values.AsSpan(start * Dimension, count * Dimension);
    }
}
