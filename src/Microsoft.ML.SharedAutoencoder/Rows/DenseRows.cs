using System;

namespace Microsoft.ML.SharedAutoencoder.Rows
{
    /// <summary>
    /// The training data as one contiguous row-major float32 block: row t occupies [t·n, (t+1)·n). One pass over this
    /// buffer is the whole cost of a training step, so it is kept contiguous and read sequentially.
    /// </summary>
    internal sealed class DenseRows : ITrainingRows
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

        long ITrainingRows.RowCount => RowCount;

        public int Dimension { get; }

        public ReadOnlySpan<float> Row(int index) => Values.AsSpan(index * Dimension, Dimension);

        public ReadOnlySpan<float> Rows(int start, int count) => Values.AsSpan(start * Dimension, count * Dimension);

        public ITrainingRowReader OpenReader() => new Reader(this);

        public DenseRows Head(int maxRows) => maxRows >= RowCount ? this : new DenseRows(Values, Math.Max(0, maxRows), Dimension);

        /// <summary>Rows in memory are only viewed, so a wave can be large: up to 16 chunks give 16 threads work.</summary>
        public int WaveChunks => 16;

        /// <summary>Views of the buffer itself: nothing is copied.</summary>
        public IRowBlockReader OpenBlocks(int maxBlockRows) => new BlockReader(this);

        private sealed class BlockReader : IRowBlockReader
        {
            private readonly DenseRows _rows;
            private int _next;

            public BlockReader(DenseRows rows) => _rows = rows;

            public ReadOnlyMemory<float> Next(int rows, int nextRows)
            {
                if (rows > _rows.RowCount - _next)
                    throw new InvalidOperationException($"Asked for {rows} rows; only {_rows.RowCount - _next} are left.");
                var block = _rows.Values.AsMemory(_next * _rows.Dimension, rows * _rows.Dimension);
                _next += rows;
                return block;
            }

            public void Rewind() => _next = 0;

            public void Dispose()
            {
            }
        }

        private sealed class Reader : ITrainingRowReader
        {
            private readonly DenseRows _rows;
            private int _next;

            public Reader(DenseRows rows) => _rows = rows;

            public int Read(Span<float> destination, int maxRows)
            {
                int count = Math.Min(maxRows, _rows.RowCount - _next);
                _rows.Rows(_next, count).CopyTo(destination);
                _next += count;
                return count;
            }

            public void Dispose()
            {
            }
        }
    }
}
