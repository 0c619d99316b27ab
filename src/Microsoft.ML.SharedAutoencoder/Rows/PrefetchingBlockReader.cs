using System;
using System.Threading.Tasks;

namespace Microsoft.ML.SharedAutoencoder.Rows
{
    /// <summary>
    /// Blocks of a streamed source, double-buffered: while the caller computes on one block, the next is read on another
    /// thread. The buffers live as long as this reader (the gradient pass keeps it across passes); the source's reader
    /// is opened at the first <see cref="Next"/> after a <see cref="Rewind"/>.
    /// </summary>
    internal sealed class PrefetchingBlockReader : IRowBlockReader
    {
        private readonly ITrainingRows _rows;
        private readonly int _maxBlockRows;
        private float[][]? _buffers;
        private ITrainingRowReader? _reader;
        private Task? _pending;
        private int _pendingRows;
        private int _current;

        public PrefetchingBlockReader(ITrainingRows rows, int maxBlockRows)
        {
            _rows = rows;
            _maxBlockRows = maxBlockRows;
        }

        public ReadOnlyMemory<float> Next(int rows, int nextRows)
        {
            int dimension = _rows.Dimension;
            _buffers ??= new[] { new float[_maxBlockRows * dimension], new float[_maxBlockRows * dimension] };
            float[] block = _buffers[_current];
            if (_pending != null)
            {
                Task pending = _pending;
                _pending = null;
                pending.GetAwaiter().GetResult();
                if (_pendingRows != rows)
                    throw new InvalidOperationException($"Read ahead {_pendingRows} rows, but {rows} were asked for.");
            }
            else
            {
                _reader ??= _rows.OpenReader();
                ReadExactly(_reader, block, rows, dimension);
            }

            _current = 1 - _current;
            if (nextRows > 0)
            {
                float[] target = _buffers[_current];
                ITrainingRowReader reader = _reader!;
                _pendingRows = nextRows;
                _pending = Task.Run(() => ReadExactly(reader, target, nextRows, dimension));
            }
            return block.AsMemory(0, rows * dimension);
        }

        public void Rewind()
        {
            // A half-read block leaves the reader mid-way: the next pass must start from a fresh one.
            try
            {
                _pending?.Wait();
            }
            catch (AggregateException)
            {
                // The read that failed is abandoned with its reader; its error was (or will be) reported by the pass.
            }
            _pending = null;
            _current = 0;
            _reader?.Dispose();
            _reader = null;
        }

        public void Dispose() => Rewind();

        private static void ReadExactly(ITrainingRowReader reader, float[] buffer, int rows, int dimension)
        {
            int done = 0;
            while (done < rows)
            {
                int read = reader.Read(buffer.AsSpan(done * dimension), rows - done);
                if (read <= 0)
                    throw new InvalidOperationException($"The training data ended {rows - done} rows earlier than their reported row count.");
                done += read;
            }
        }
    }
}
