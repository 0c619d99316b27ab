using System;
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

        /// <summary>g (unit-major): g_i = −(1/N) Σ 1{x_i≠0}(z_i r + y W_iᵀr).</summary>
        public float[] Gradient { get; }

        /// <summary>Number of rows in which unit i fired.</summary>
        public long[] ActiveCounts { get; }

        public long RowCount { get; set; }
    }

    /// <summary>
    /// Runs <see cref="GradientKernel.Accumulate"/> over all rows on several threads. Rows are cut into partitions
    /// whose number depends only on the row count, each partition has its own accumulator, and partitions are summed
    /// in a fixed order, so the result is bit-identical whatever the number of threads.
    /// </summary>
    internal sealed class GradientPass
    {
        private const int MinRowsPerPartition = 1024;
        private const int MaxPartitions = 16;

        private readonly int _inputSize;
        private readonly int _hiddenUnits;
        private readonly int _maxThreads;
        private readonly float[][] _partitionSums;
        private readonly long[][] _partitionCounts;
        private readonly double[] _partitionLoss;
        private readonly double[] _reduction;
        private readonly DenseRows _data;

        public GradientPass(DenseRows data, int hiddenUnits, int maxThreads)
        {
            _data = data;
            _inputSize = data.Dimension;
            _hiddenUnits = hiddenUnits;
            _maxThreads = Math.Max(1, maxThreads);
            int partitions = PartitionCount(data.RowCount);
            _partitionSums = new float[partitions][];
            _partitionCounts = new long[partitions][];
            for (int p = 0; p < partitions; p++)
            {
                _partitionSums[p] = new float[_inputSize * hiddenUnits];
                _partitionCounts[p] = new long[hiddenUnits];
            }
            _partitionLoss = new double[partitions];
            _reduction = new double[_inputSize * hiddenUnits];
        }

        public static int PartitionCount(int rowCount) => Math.Clamp((rowCount + MinRowsPerPartition - 1) / MinRowsPerPartition, 1, MaxPartitions);

        /// <summary>Computes loss and gradient at (W, b) into <paramref name="result"/>.</summary>
        public void Run(float[] weights, float[] bias, EncoderActivation activation, PassResult result, CancellationToken cancellation)
        {
            int partitions = _partitionSums.Length;
            int rowCount = _data.RowCount;
            var options = new ParallelOptions { MaxDegreeOfParallelism = _maxThreads, CancellationToken = cancellation };
            Parallel.For(0, partitions, options, () => new float[GradientKernel.ScratchLength(_inputSize, _hiddenUnits)], (p, _, scratch) =>
            {
                int start = (int)((long)rowCount * p / partitions);
                int end = (int)((long)rowCount * (p + 1) / partitions);
                Array.Clear(_partitionSums[p]);
                Array.Clear(_partitionCounts[p]);
                _partitionLoss[p] = GradientKernel.Accumulate(
                    _data.Rows(start, end - start), end - start, weights, bias, activation, _partitionSums[p], _partitionCounts[p], scratch);
                return scratch;
            }, _ => { });

            Array.Clear(_reduction);
            Array.Clear(result.ActiveCounts);
            double loss = 0;
            for (int p = 0; p < partitions; p++)
            {
                loss += _partitionLoss[p];
                float[] sums = _partitionSums[p];
                for (int j = 0; j < sums.Length; j++)
                    _reduction[j] += sums[j];
                long[] counts = _partitionCounts[p];
                for (int i = 0; i < counts.Length; i++)
                    result.ActiveCounts[i] += counts[i];
            }

            double scale = rowCount == 0 ? 0 : -1.0 / rowCount;
            for (int j = 0; j < _reduction.Length; j++)
                result.Gradient[j] = (float)(_reduction[j] * scale);
            result.Loss = rowCount == 0 ? 0 : loss / rowCount;
            result.RowCount = rowCount;
        }
    }
}
