using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        private readonly float[][] _slotSums;
        private readonly long[][] _slotCounts;
        private readonly double[][] _slotCoactivations;
        private readonly double[] _slotLoss;
        private readonly double[] _slotSquaredNorms;
        private readonly double[] _reduction;
        private readonly double[] _coactivation;
        private readonly float[] _gram;
        private readonly double[] _weightsInDouble;
        private long _position;

        public GradientPass(ITrainingRows data, int hiddenUnits, int numberOfThreads)
        {
            _data = data;
            _inputSize = data.Dimension;
            _hiddenUnits = hiddenUnits;
            _numberOfThreads = Math.Max(1, numberOfThreads);
            int slots = (int)Math.Min(Math.Max(1, RowPartition.ChunkCount(data.RowCount)), data.WaveChunks);
            _blocks = data.OpenBlocks(slots * RowPartition.ChunkRows);
            _slotSums = new float[slots][];
            _slotCounts = new long[slots][];
            _slotCoactivations = new double[slots][];
            for (int s = 0; s < slots; s++)
            {
                _slotSums[s] = new float[_inputSize * hiddenUnits];
                _slotCounts[s] = new long[hiddenUnits];
                _slotCoactivations[s] = new double[hiddenUnits * hiddenUnits];
            }
            _slotLoss = new double[slots];
            _slotSquaredNorms = new double[slots];
            _reduction = new double[_inputSize * hiddenUnits];
            _coactivation = new double[hiddenUnits * hiddenUnits];
            _gram = new float[hiddenUnits * hiddenUnits];
            _weightsInDouble = new double[_inputSize * hiddenUnits];
        }

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
            Array.Clear(_reduction);
            Array.Clear(_coactivation);
            Array.Clear(result.ActiveCounts);
            ComputeGram(weights);
            double loss = 0;
            double squaredNorms = 0;
            long chunks = RowPartition.ChunkCount(rowCount);
            int waveChunks = _slotSums.Length;
            var options = new ParallelOptions { MaxDegreeOfParallelism = _numberOfThreads, CancellationToken = cancellation };
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
                    AccumulateWave(wave, count, waveRows, weights, bias, activation, options);
                    ReduceWave(count, result, ref loss, ref squaredNorms);
                }
            }
            catch
            {
                ResetPosition();
                throw;
            }

            _position += rowCount;
            if (_position >= _data.RowCount)
                ResetPosition();
            FinishReduction(weights, result, rowCount, loss, squaredNorms);
        }

        /// <summary>Each chunk of the wave is accumulated from zero into its own slot, on as many threads as allowed.</summary>
        private void AccumulateWave(
            ReadOnlyMemory<float> wave, int count, int waveRows, float[] weights, float[] bias, EncoderActivation activation, ParallelOptions options)
        {
            Parallel.For(0, count, options, () => new float[GradientKernel.ScratchLength(_inputSize, _hiddenUnits)], (c, _, scratch) =>
            {
                int chunkFirstRow = c * RowPartition.ChunkRows;
                int rows = Math.Min(RowPartition.ChunkRows, waveRows - chunkFirstRow);
                Array.Clear(_slotSums[c]);
                Array.Clear(_slotCounts[c]);
                Array.Clear(_slotCoactivations[c]);
                ReadOnlySpan<float> span = wave.Span.Slice(chunkFirstRow * _inputSize, rows * _inputSize);
                _slotSquaredNorms[c] = 0;
                _slotLoss[c] = GradientKernel.Accumulate(
                    span, rows, weights, bias, _gram, activation, _slotSums[c], _slotCoactivations[c], _slotCounts[c], scratch, ref _slotSquaredNorms[c]);
                return scratch;
            }, _ => { });
        }

        /// <summary>Adds the wave's slots into the pass totals in chunk order (the order fixes the rounding).</summary>
        private void ReduceWave(int count, PassResult result, ref double loss, ref double squaredNorms)
        {
            ForEachUnit(i =>
            {
                Span<double> total = _reduction.AsSpan(i * _inputSize, _inputSize);
                for (int c = 0; c < count; c++)
                    AddWidened(_slotSums[c].AsSpan(i * _inputSize, _inputSize), total);
            });
            for (int c = 0; c < count; c++)
            {
                loss += _slotLoss[c];
                squaredNorms += _slotSquaredNorms[c];
                long[] counts = _slotCounts[c];
                for (int i = 0; i < counts.Length; i++)
                    result.ActiveCounts[i] += counts[i];
                double[] coactivation = _slotCoactivations[c];
                for (int k = 0; k < coactivation.Length; k++)
                    _coactivation[k] += coactivation[k];
            }
        }

        /// <summary>S = reduced sums − W·C; gradient −S/N, mean loss and mean ½‖y‖² over the batch's rows.</summary>
        private void FinishReduction(float[] weights, PassResult result, long rowCount, double loss, double squaredNorms)
        {
            MirrorCoactivation();
            SubtractWeightsTimesCoactivation(weights);
            double scale = rowCount == 0 ? 0 : -1.0 / rowCount;
            for (int j = 0; j < _reduction.Length; j++)
                result.Gradient[j] = (float)(_reduction[j] * scale);
            result.Loss = rowCount == 0 ? 0 : loss / rowCount;
            result.ZeroCodeLoss = rowCount == 0 ? 0 : 0.5 * squaredNorms / rowCount;
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

        /// <summary>total += values, widened to double (the chunk sums are float, the pass total double).</summary>
        private static void AddWidened(ReadOnlySpan<float> values, Span<double> total)
        {
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                ref float source = ref MemoryMarshal.GetReference(values);
                ref double target = ref MemoryMarshal.GetReference(total);
                for (; j <= values.Length - Vector256<float>.Count; j += Vector256<float>.Count)
                {
                    var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref source, (nuint)j));
                    (Vector256.LoadUnsafe(ref target, (nuint)j) + lower).StoreUnsafe(ref target, (nuint)j);
                    (Vector256.LoadUnsafe(ref target, (nuint)(j + Vector256<double>.Count)) + upper).StoreUnsafe(ref target, (nuint)(j + Vector256<double>.Count));
                }
            }
            for (; j < values.Length; j++)
                total[j] += values[j];
        }

        /// <summary>The kernel accumulates only C's lower triangle; the upper one is its mirror image.</summary>
        private void MirrorCoactivation()
        {
            int m = _hiddenUnits;
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < i; j++)
                    _coactivation[j * m + i] = _coactivation[i * m + j];
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
                Span<double> sums = _reduction.AsSpan(i * n, n);
                for (int j = 0; j < m; j++)
                {
                    double coactivation = _coactivation[i * m + j];
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
