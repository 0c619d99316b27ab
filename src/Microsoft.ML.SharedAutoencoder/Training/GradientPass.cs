using System;
using System.Numerics.Tensors;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>What one pass over the data gives: the mean loss, the gradient and how often each unit fired.</summary>
    internal sealed class PassResult
    {
        public PassResult(int inputSize, int hiddenUnits)
        {
            Gradient = new float[inputSize * hiddenUnits];
            ActiveCounts = new long[hiddenUnits];
        }

        /// <summary>Mean over rows of ½‖y − ŷ‖².</summary>
        public double Loss { get; set; }

        /// <summary>Mean over rows of ½‖y‖²: the loss of the all-zero code, the scale against which a loss is at rounding level.</summary>
        public double ZeroCodeLoss { get; set; }

        /// <summary>g (unit-major): g_i = −(1/N) Σ 1{x_i≠0}(z_i r + y W_iᵀr).</summary>
        public float[] Gradient { get; }

        /// <summary>Number of rows in which unit i fired.</summary>
        public long[] ActiveCounts { get; }

        public long RowCount { get; set; }
    }

    /// <summary>
    /// Runs <see cref="GradientKernel.Accumulate"/> over the rows on several threads. Rows are cut into chunks of
    /// <see cref="ChunkRows"/> consecutive rows by position, each chunk is accumulated from zero into its own slot,
    /// and the chunks are added into a double-precision total in chunk order. The arithmetic is therefore fixed by
    /// the row count alone: bit-identical on any number of threads, and for streamed and in-memory data alike.
    /// </summary>
    /// <remarks>
    /// <para>Before the rows, the pass computes Γ = WᵀW for the kernel (m²n); after the reduction it subtracts W·C, C
    /// being the reduced co-activation matrix Σ_t x_t x_tᵀ, from the reduced sums Σ_t (x_t + Wᵀr_t)·y_t, in double
    /// (m²n), which leaves S_i = Σ 1{x_i≠0}(z_i r + y W_iᵀr). Both are done once per pass (or mini-batch), in a fixed
    /// order. See <see cref="GradientKernel"/>.</para>
    /// <para>Chunks are processed in waves (a bounded number of slots, so memory does not grow with N). In memory the
    /// kernel reads the rows where they are; streamed rows are read into a wave buffer, the next wave being read on
    /// another thread while the current one is computed.</para>
    /// </remarks>
    internal sealed class GradientPass : IDisposable
    {
        /// <summary>Rows per chunk; a multiple of <see cref="GradientKernel.BlockRows"/>.</summary>
        public const int ChunkRows = 1024;

        /// <summary>
        /// How side passes over in-memory rows (dead-unit re-seeding, the refit) split <paramref name="rowCount"/> rows
        /// for threads: a function of the row count only (one part per chunk, at most 16), so their results do not depend
        /// on the number of threads either.
        /// </summary>
        public static int PartitionCount(int rowCount) => (int)Math.Clamp((rowCount + ChunkRows - 1L) / ChunkRows, 1, 16);

        private const int InMemoryWaveChunks = 16;
        private const int StreamingWaveChunks = 8;

        /// <summary>m·n from which the per-pass work on W (Γ, the reduction, W·C) is spread over threads.</summary>
        private const long ParallelUnitWorkThreshold = 1 << 16;

        private readonly ITrainingRows _data;
        private readonly DenseRows? _dense;
        private readonly int _inputSize;
        private readonly int _hiddenUnits;
        private readonly int _maxThreads;
        private readonly ChunkSlots _slots;
        private readonly PassTotals _totals;
        private readonly IPassCombiner _combiner;
        private readonly float[] _gram;
        private readonly double[] _weightsInDouble;
        private float[][]? _waveBuffers;
        private ITrainingRowReader? _reader;
        private long _position;

        public GradientPass(ITrainingRows data, int hiddenUnits, int maxThreads, IPassCombiner? combiner = null)
        {
            _combiner = combiner ?? LocalPassCombiner.Instance;
            _data = data;
            _dense = data as DenseRows;
            _inputSize = data.Dimension;
            _hiddenUnits = hiddenUnits;
            _maxThreads = Math.Max(1, maxThreads);
            long chunks = Math.Max(1, (data.RowCount + ChunkRows - 1) / ChunkRows);
            int slots = (int)Math.Min(chunks, _dense != null ? InMemoryWaveChunks : StreamingWaveChunks);
            _slots = new ChunkSlots(slots, _inputSize, hiddenUnits);
            _totals = new PassTotals(_inputSize, hiddenUnits);
            _gram = new float[hiddenUnits * hiddenUnits];
            _weightsInDouble = new double[_inputSize * hiddenUnits];
        }

        /// <summary>The row the next <see cref="RunNextBatch"/> starts at.</summary>
        public long Position => _position;

        /// <summary>Computes loss and gradient at (W, b) over all rows into <paramref name="result"/>.</summary>
        public void Run(float[] weights, float[] bias, EncoderActivation activation, PassResult result, CancellationToken cancellation)
        {
            ResetPosition();
            RunNextBatch(_data.RowCount, weights, bias, activation, result, cancellation);
        }

        /// <summary>
        /// Computes loss and gradient at (W, b) over the next <paramref name="batchRows"/> rows (fewer when the data
        /// end first), then moves on; after the last row it starts again at row 0.
        /// </summary>
        public void RunNextBatch(long batchRows, float[] weights, float[] bias, EncoderActivation activation, PassResult result, CancellationToken cancellation)
        {
            long rowCount = Math.Min(batchRows, _data.RowCount - _position);
            long firstRow = _position;
            _totals.Clear();
            ComputeGram(weights);
            long chunks = (rowCount + ChunkRows - 1) / ChunkRows;
            int waveChunks = _slots.Count;
            ExceptionDispatchInfo? failure = null;
            var options = new ParallelOptions { MaxDegreeOfParallelism = _maxThreads, CancellationToken = cancellation };

            Task? prefetch = null;
            try
            {
                if (_dense == null)
                {
                    _waveBuffers ??= new[] { new float[waveChunks * ChunkRows * _inputSize], new float[waveChunks * ChunkRows * _inputSize] };
                    _reader ??= _data.OpenReader();
                    ReadExactly(_reader, _waveBuffers[0], (int)Math.Min(rowCount, (long)waveChunks * ChunkRows));
                }
                for (long waveStart = 0, wave = 0; waveStart < chunks; waveStart += waveChunks, wave++)
                {
                    int count = (int)Math.Min(waveChunks, chunks - waveStart);
                    long waveFirstRow = waveStart * ChunkRows;
                    float[] source;
                    long sourceOffset;
                    if (_dense != null)
                    {
                        source = _dense.Values;
                        sourceOffset = (firstRow + waveFirstRow) * _inputSize;
                    }
                    else
                    {
                        source = _waveBuffers![wave % 2];
                        sourceOffset = 0;
                        long nextFirstRow = waveFirstRow + (long)count * ChunkRows;
                        if (nextFirstRow < rowCount)
                        {
                            float[] target = _waveBuffers[(wave + 1) % 2];
                            int nextRows = (int)Math.Min(rowCount - nextFirstRow, (long)waveChunks * ChunkRows);
                            ITrainingRowReader reader = _reader!;
                            prefetch = Task.Run(() => ReadExactly(reader, target, nextRows));
                        }
                    }

                    Parallel.For(0, count, options, () => new float[GradientKernel.ScratchLength(_inputSize, _hiddenUnits)], (c, _, scratch) =>
                    {
                        long chunkFirstRow = waveFirstRow + (long)c * ChunkRows;
                        int rows = (int)Math.Min(ChunkRows, rowCount - chunkFirstRow);
                        _slots.Clear(c, rows);
                        var span = source.AsSpan((int)(sourceOffset + (long)c * ChunkRows * _inputSize), rows * _inputSize);
                        _slots.Loss[c] = GradientKernel.Accumulate(
                            span, rows, weights, bias, _gram, activation, _slots.Sums[c], _slots.Coactivations[c], _slots.ActiveCounts[c], scratch, ref _slots.SquaredNorms[c]);
                        return scratch;
                    }, _ => { });

                    // In chunk order: see PassTotals.
                    _combiner.AddWave(_slots, count, _totals, ForEachUnit);

                    if (prefetch != null)
                    {
                        prefetch.GetAwaiter().GetResult();
                        prefetch = null;
                    }
                }
            }
            catch (Exception error)
            {
                // A half-read wave leaves the reader mid-way: the next pass must start from a fresh one.
                try
                {
                    prefetch?.Wait();
                }
                catch (AggregateException)
                {
                }
                ResetPosition();
                failure = ExceptionDispatchInfo.Capture(error);
            }

            // Other processes of a data-parallel run take part in every pass: a failure is thrown by the combiner, on all
            // of them at once, after their partial sums are combined (in one process it is simply rethrown).
            _combiner.Complete(_totals, failure, ForEachUnit);
            _position += rowCount;
            if (_position >= _data.RowCount)
                ResetPosition();
            // The means are over the rows of all processes.
            rowCount = _totals.RowCount;

            MirrorCoactivation();
            SubtractWeightsTimesCoactivation(weights);

            double scale = rowCount == 0 ? 0 : -1.0 / rowCount;
            double[] reduction = _totals.Sums;
            for (int j = 0; j < reduction.Length; j++)
                result.Gradient[j] = (float)(reduction[j] * scale);
            _totals.ActiveCounts.CopyTo(result.ActiveCounts, 0);
            result.Loss = rowCount == 0 ? 0 : _totals.Loss / rowCount;
            result.ZeroCodeLoss = rowCount == 0 ? 0 : 0.5 * _totals.SquaredNorms / rowCount;
            result.RowCount = rowCount;
        }

        /// <summary>Γ_ij = W_iᵀW_j, filled symmetrically.</summary>
        private void ComputeGram(float[] weights)
        {
            int m = _hiddenUnits;
            int n = _inputSize;
            ForEachUnit(i =>
            {
                ReadOnlySpan<float> wi = weights.AsSpan(i * n, n);
                for (int j = 0; j <= i; j++)
                {
                    float value = TensorPrimitives.Dot(wi, weights.AsSpan(j * n, n));
                    _gram[i * m + j] = value;
                    _gram[j * m + i] = value;
                }
            });
        }

        /// <summary>
        /// Runs <paramref name="body"/> for every unit: on several threads when the per-pass m²n and m·n work is large
        /// enough to pay for it (each unit's entries are written by one call only, so the result does not change).
        /// </summary>
        private void ForEachUnit(Action<int> body)
        {
            if (_maxThreads > 1 && (long)_hiddenUnits * _inputSize >= ParallelUnitWorkThreshold)
            {
                Parallel.For(0, _hiddenUnits, new ParallelOptions { MaxDegreeOfParallelism = _maxThreads }, body);
                return;
            }
            for (int i = 0; i < _hiddenUnits; i++)
                body(i);
        }

        /// <summary>The kernel accumulates only C's lower triangle; the upper one is its mirror image.</summary>
        private void MirrorCoactivation()
        {
            int m = _hiddenUnits;
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < i; j++)
                    _totals.Coactivation[j * m + i] = _totals.Coactivation[i * m + j];
            }
        }

        /// <summary>S_i −= Σ_j C_ij W_j on the double-precision reduction; pairs that never fired together cost nothing.</summary>
        private void SubtractWeightsTimesCoactivation(float[] weights)
        {
            int m = _hiddenUnits;
            int n = _inputSize;
            for (int k = 0; k < weights.Length; k++)
                _weightsInDouble[k] = weights[k];
            ForEachUnit(i =>
            {
                Span<double> sums = _totals.Sums.AsSpan(i * n, n);
                for (int j = 0; j < m; j++)
                {
                    double coactivation = _totals.Coactivation[i * m + j];
                    if (coactivation != 0)
                        TensorPrimitives.MultiplyAdd(_weightsInDouble.AsSpan(j * n, n), -coactivation, sums, sums);
                }
            });
        }

        private void ReadExactly(ITrainingRowReader reader, float[] buffer, int rows)
        {
            int dimension = _inputSize;
            int done = 0;
            while (done < rows)
            {
                int read = reader.Read(buffer.AsSpan(done * dimension), rows - done);
                if (read <= 0)
                    throw new InvalidOperationException($"The training data ended {rows - done} rows earlier than their reported row count.");
                done += read;
            }
        }

        private void ResetPosition()
        {
            _position = 0;
            _reader?.Dispose();
            _reader = null;
        }

        public void Dispose() => ResetPosition();
    }
}
