using System;
using System.Numerics.Tensors;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Streaming
{
    /// <summary>
    /// Training rows read from a float vector column of an <see cref="IDataView"/> anew on every pass, never held in
    /// memory at once: the source for data larger than the in-memory budget. Every row is checked (length, finite
    /// values) as it is read, so a bad row fails training with its position rather than producing NaN weights.
    /// </summary>
    /// <remarks>
    /// Rows are read by one cursor in order (the gradient pass reads the next wave of rows on its own thread while the
    /// current one is computed). A single ordered cursor, rather than a cursor set, keeps the rows' positions — and so
    /// the chunking and the arithmetic — the same as in memory: streamed and in-memory training give identical weights.
    /// </remarks>
    internal sealed class DataViewTrainingRows : ITrainingRows
    {
        private readonly IHost _host;
        private readonly IDataView _data;
        private readonly DataViewSchema.Column _column;
        private readonly int _headLimit;

        /// <param name="host">For errors and cancellation.</param>
        /// <param name="data">The source, read from its start on every pass.</param>
        /// <param name="columnName">A known-size float vector column of length <paramref name="dimension"/>.</param>
        /// <param name="dimension">n.</param>
        /// <param name="rowCount">N, the rows every pass reads.</param>
        /// <param name="headLimit">The most rows <see cref="Head"/> materializes, whatever it is asked for.</param>
        public DataViewTrainingRows(IHost host, IDataView data, string columnName, int dimension, long rowCount, int headLimit)
        {
            _headLimit = headLimit;
            _host = host;
            _data = data;
            _column = data.Schema[columnName];
            Dimension = dimension;
            RowCount = rowCount;
        }

        public int Dimension { get; }

        public long RowCount { get; }

        public ITrainingRowReader OpenReader() => new Reader(this);

        public DenseRows Head(int maxRows) => Read(maxRows, out _);

        /// <summary>
        /// Reads up to <paramref name="maxRows"/> rows (at most the head limit) into one dense buffer, reporting whether
        /// any value is non-zero: the estimator's all-zero check, made on each row while it is in cache rather than by a
        /// second pass over the whole buffer.
        /// </summary>
        public DenseRows Read(int maxRows, out bool anyNonZero)
        {
            int rows = (int)Math.Min(Math.Min(maxRows, _headLimit), Math.Min(RowCount, int.MaxValue / Dimension));
            // Every element is overwritten by the reader (or cut off by the returned row count): zeroing the buffer
            // first would be one more full write pass over up to gigabytes.
            float[] values = GC.AllocateUninitializedArray<float>(rows * Dimension);
            using var reader = new Reader(this);
            int read = 0;
            while (read < rows)
            {
                int count = reader.Read(values.AsSpan(read * Dimension), rows - read);
                if (count == 0)
                    break;
                read += count;
            }
            anyNonZero = reader.AnyNonZero;
            return new DenseRows(values, read, Dimension);
        }

        /// <summary>Counts the rows with a cursor that reads no column (for sources that do not know their row count).</summary>
        public static long CountRows(IDataView data)
        {
            long? known = data.GetRowCount();
            if (known.HasValue)
                return known.Value;
            long count = 0;
            using var cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>());
            while (cursor.MoveNext())
                count++;
            return count;
        }

        private sealed class Reader : ITrainingRowReader
        {
            private readonly DataViewTrainingRows _rows;
            private readonly DataViewRowCursor _cursor;
            private readonly ValueGetter<VBuffer<float>> _getter;
            private VBuffer<float> _value;
            private long _position;
            private bool _anyNonZero;

            public Reader(DataViewTrainingRows rows)
            {
                _rows = rows;
                _cursor = rows._data.GetRowCursor(new[] { rows._column });
                _getter = _cursor.GetGetter<VBuffer<float>>(rows._column);
            }

            /// <summary>Whether a row read so far has a non-zero value.</summary>
            public bool AnyNonZero => _anyNonZero;

            public int Read(Span<float> destination, int maxRows)
            {
                int n = _rows.Dimension;
                int count = 0;
                while (count < maxRows && _position < _rows.RowCount && _cursor.MoveNext())
                {
                    _rows._host.CheckAlive();
                    _getter(ref _value);
                    Span<float> row = destination.Slice(count * n, n);
                    ReadRow(_rows._host, _rows._column.Name, _value, _position, row);
                    // Looked for only until found: usually on the first row, so it costs nothing afterwards.
                    _anyNonZero = _anyNonZero || TensorPrimitives.MaxMagnitude(row) != 0;
                    _position++;
                    count++;
                }
                return count;
            }

            public void Dispose() => _cursor.Dispose();
        }

        /// <summary>Copies one row's value into <paramref name="destination"/>, rejecting a wrong length or a non-finite value.</summary>
        private static void ReadRow(IExceptionContext ectx, string columnName, in VBuffer<float> value, long position, Span<float> destination)
        {
            if (value.Length != destination.Length)
                throw ectx.Except($"Row {position} of column '{columnName}' has {value.Length} values; expected {destination.Length}.");
            value.CopyTo(destination);
            if (!TensorPrimitives.IsFiniteAll(destination))
            {
                int bad = 0;
                while (float.IsFinite(destination[bad]))
                    bad++;
                throw ectx.Except($"Column '{columnName}' has a non-finite value ({destination[bad]}) at row {position}, index {bad}. Remove or impute such rows before training.");
            }
        }
    }
}
