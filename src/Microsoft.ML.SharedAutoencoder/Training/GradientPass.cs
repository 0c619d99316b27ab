using System;
using System.Numerics.Tensors;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// Runs <see cref="GradientKernel.Accumulate"/> over the rows on several threads. Rows are cut into chunks of
    /// <see cref="RowPartition.ChunkRows"/> consecutive rows by position, each chunk is accumulated from zero into its own slot,
    /// and the chunks are added into a double-precision total in chunk order. The arithmetic is therefore fixed by
    /// the row count alone: bit-identical on any number of threads, and for streamed and in-memory data alike.
    /// </summary>
    /// <remarks>
    /// <para>Before the rows, the pass computes Γ = WᵀW for the kernel (m²n); after the reduction it subtracts W·C, C
    /// being the reduced co-activation matrix Σ_t x_t x_tᵀ, from the reduced sums Σ_t (x_t + Wᵀr_t)·y_t, in double
    /// (m²n), which leaves S_i = Σ 1{x_i≠0}(z_i r + y W_iᵀr). Both are done once per pass (or mini-batch), in a fixed
    /// order. See <see cref="GradientKernel"/>.</para>
    /// <para>Chunks are processed in waves (a bounded number of slots, so memory does not grow with N), each wave one
    /// block of the source's <see cref="IRowBlockReader"/>: in memory a view of the rows where they are; streamed rows
    /// are read into a buffer, the next wave on another thread while the current one is computed.</para>
    /// </remarks>
    internal sealed class GradientPass : IDisposable
    {
        /// <summary>m·n from which the per-pass work on W (Γ, the reduction, W·C) is spread over threads.</summary>
        private const long ParallelUnitWorkThreshold = 1 << 16;

        private readonly ITrainingRows _data;
        private readonly IRowBlockReader _blocks;
        private readonly int _inputSize;
        private readonly int _hiddenUnits;
        private readonly int _numberOfThreads;
        private readonly ChunkSlots _slots;
        private readonly PassTotals _totals;
        private readonly IPassCombiner _combiner;
        private readonly float[] _gram;
        private readonly double[] _weightsInDouble;
        private long _position;

        /// <param name="data">The rows (this process's, in a data-parallel run).</param>
        /// <param name="hiddenUnits">m.</param>
        /// <param name="numberOfThreads">Threads for the chunks; results do not depend on it.</param>
        /// <param name="combiner">How the chunk sums become the pass totals; null: in this process (<see cref="LocalPassCombiner"/>).</param>
        public GradientPass(ITrainingRows data, int hiddenUnits, int numberOfThreads, IPassCombiner? combiner = null)
        {
            _combiner = combiner ?? LocalPassCombiner.Instance;
            _data = data;
            _inputSize = data.Dimension;
            _hiddenUnits = hiddenUnits;
            _numberOfThreads = Math.Max(1, numberOfThreads);
            int slots = (int)Math.Min(Math.Max(1, RowPartition.ChunkCount(data.RowCount)), data.WaveChunks);
            _blocks = data.OpenBlocks(slots * RowPartition.ChunkRows);
            _slots = new ChunkSlots(slots, _inputSize, hiddenUnits);
            _totals = new PassTotals(_inputSize, hiddenUnits);
            _gram = new float[hiddenUnits * hiddenUnits];
            _weightsInDouble = new double[_inputSize * hiddenUnits];
        }

        /// <summary>
        /// Computes loss and gradient at (W, b) over all rows into <paramref name="result"/>. With
        /// <paramref name="withGradient"/> false (no step will be taken from it) the gradient is left at zero and its
        /// co-activation terms, which cost O(a²) per row for a fired units, are skipped; loss, ‖y‖² and active counts
        /// are bit-identical to a full pass.
        /// </summary>
        public void Run(float[] weights, float[] bias, EncoderActivation activation, PassResult result, CancellationToken cancellation, bool withGradient = true)
        {
            ResetPosition();
            RunNextBatch(_data.RowCount, weights, bias, activation, result, cancellation, withGradient);
        }

        /// <summary>
        /// Computes loss and gradient at (W, b) over the next <paramref name="batchRows"/> rows (fewer when the data
        /// end first), then moves on; after the last row it starts again at row 0.
        /// </summary>
        public void RunNextBatch(
            long batchRows, float[] weights, float[] bias, EncoderActivation activation, PassResult result, CancellationToken cancellation, bool withGradient = true)
        {
            long rowCount = Math.Min(batchRows, _data.RowCount - _position);
            _totals.Clear();
            ComputeGram(weights);
            long chunks = RowPartition.ChunkCount(rowCount);
            int waveChunks = _slots.Count;
            var options = new ParallelOptions { MaxDegreeOfParallelism = _numberOfThreads, CancellationToken = cancellation };
            ExceptionDispatchInfo? failure = null;
            try
            {
                for (long waveStart = 0; waveStart < chunks; waveStart += waveChunks)
                {
                    int count = (int)Math.Min(waveChunks, chunks - waveStart);
                    long waveFirstRow = waveStart * RowPartition.ChunkRows;
                    long nextFirstRow = waveFirstRow + (long)count * RowPartition.ChunkRows;
                    int waveRows = (int)Math.Min(rowCount - waveFirstRow, (long)count * RowPartition.ChunkRows);
                    int nextRows = nextFirstRow < rowCount ? (int)Math.Min(rowCount - nextFirstRow, (long)waveChunks * RowPartition.ChunkRows) : 0;
                    ReadOnlyMemory<float> wave = _blocks.Next(waveRows, nextRows);
                    AccumulateWave(wave, count, waveRows, weights, bias, activation, options, withGradient);
                    // In chunk order (see PassTotals), or kept for later by a data-parallel combiner.
                    _combiner.AddWave(_slots, count, _totals, ForEachUnit);
                }
            }
            catch (Exception error)
            {
                ResetPosition();
                failure = ExceptionDispatchInfo.Capture(error);
            }

            // In a data-parallel run the other processes take part in every pass: the combiner throws a failure on all of
            // them at once, after combining (in one process it simply rethrows it).
            _combiner.Complete(_totals, failure, ForEachUnit);
            _position += rowCount;
            if (_position >= _data.RowCount)
                ResetPosition();
            FinishReduction(weights, result, withGradient);
        }

        /// <summary>Each chunk of the wave is accumulated from zero into its own slot, on as many threads as allowed.</summary>
        private void AccumulateWave(
            ReadOnlyMemory<float> wave, int count, int waveRows, float[] weights, float[] bias, EncoderActivation activation, ParallelOptions options,
            bool withGradient)
        {
            Parallel.For(0, count, options, () => new float[GradientKernel.ScratchLength(_inputSize, _hiddenUnits)], (c, _, scratch) =>
            {
                int chunkFirstRow = c * RowPartition.ChunkRows;
                int rows = Math.Min(RowPartition.ChunkRows, waveRows - chunkFirstRow);
                _slots.Clear(c, rows);
                ReadOnlySpan<float> span = wave.Span.Slice(chunkFirstRow * _inputSize, rows * _inputSize);
                _slots.Loss[c] = GradientKernel.Accumulate(
                    span, rows, weights, bias, _gram, activation, _slots.Sums[c], _slots.Coactivations[c], _slots.ActiveCounts[c], scratch, ref _slots.SquaredNorms[c],
                    withGradient);
                return scratch;
            }, _ => { });
        }

        /// <summary>
        /// S = reduced sums − W·C; gradient −S/N, mean loss and mean ½‖y‖² over the batch's rows (of all processes, in a
        /// data-parallel run: the combined totals count them).
        /// </summary>
        private void FinishReduction(float[] weights, PassResult result, bool withGradient)
        {
            long rowCount = _totals.RowCount;
            if (withGradient)
            {
                MirrorCoactivation();
                SubtractWeightsTimesCoactivation(weights);
                double scale = rowCount == 0 ? 0 : -1.0 / rowCount;
                double[] reduction = _totals.Sums;
                for (int j = 0; j < reduction.Length; j++)
                    result.Gradient[j] = (float)(reduction[j] * scale);
            }
            else
            {
                Array.Clear(result.Gradient);
            }
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
            if (_numberOfThreads > 1 && (long)_hiddenUnits * _inputSize >= ParallelUnitWorkThreshold)
            {
                Parallel.For(0, _hiddenUnits, new ParallelOptions { MaxDegreeOfParallelism = _numberOfThreads }, body);
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

        private void ResetPosition()
        {
            _position = 0;
            _blocks.Rewind();
        }

        public void Dispose() => _blocks.Dispose();
    }
}
