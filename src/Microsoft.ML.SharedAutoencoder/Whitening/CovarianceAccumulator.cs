using System;
using System.Threading.Tasks;

namespace Microsoft.ML.SharedAutoencoder.Whitening
{
    /// <summary>
    /// Accumulates the mean and covariance of rows fed one at a time, in double precision, in one pass and in
    /// memory independent of the row count.
    /// </summary>
    /// <remarks>
    /// <para>Rows are shifted by the first row before their products are summed (Σ(x − x₁)(x − x₁)ᵀ, corrected by the
    /// mean at the end): for data far from the origin, such as pixels, this keeps the cancellation of the one-pass
    /// formula small.</para>
    /// <para>Rows are gathered in fixed blocks of <see cref="BlockRows"/>; each block's products are added to the
    /// running sums before the next block, with threads splitting the entries of the matrix, never the rows. Every
    /// entry is therefore summed in the same order on any thread count: the result is bit-identical.</para>
    /// </remarks>
    internal sealed class CovarianceAccumulator
    {
        /// <summary>Rows per block: a block of 784 coordinates is 1.6 MB of doubles, about the size of a core's L2.</summary>
        public const int BlockRows = 256;

        private readonly int _n;
        private readonly int _padded;
        private readonly int _threads;
        private readonly double[] _block;
        private readonly double[] _products;
        private readonly double[] _sums;
        private readonly double[] _shift;
        private int _filled;

        /// <param name="dimension">n, the row length.</param>
        /// <param name="threads">The number of threads adding a block's products (does not change the result).</param>
        public CovarianceAccumulator(int dimension, int threads)
        {
            _n = dimension;
            _padded = (dimension + CovarianceKernel.CoordinateBlock - 1) / CovarianceKernel.CoordinateBlock * CovarianceKernel.CoordinateBlock;
            _threads = Math.Max(1, threads);
            _block = new double[_padded * BlockRows];
            _products = new double[_padded * _padded];
            _sums = new double[dimension];
            _shift = new double[dimension];
        }

        /// <summary>The number of rows added.</summary>
        public long Count { get; private set; }

        /// <summary>Adds one row of length n; its values must be finite.</summary>
        public void Add(ReadOnlySpan<float> row)
        {
            if (Count == 0)
            {
                for (int j = 0; j < _n; j++)
                    _shift[j] = row[j];
            }
            for (int j = 0; j < _n; j++)
            {
                double d = row[j] - _shift[j];
                _block[j * BlockRows + _filled] = d;
                _sums[j] += d;
            }
            Count++;
            if (++_filled == BlockRows)
                Flush();
        }

        /// <summary>The mean and the covariance (divided by the row count), n·n row-major and exactly symmetric.</summary>
        public (double[] Mean, double[] Covariance) Finish()
        {
            if (Count == 0)
                throw new InvalidOperationException("No rows were added.");
            if (_filled > 0)
            {
                // Zero rows add nothing to the shifted products, so the partial block is padded with them.
                for (int j = 0; j < _n; j++)
                    Array.Clear(_block, j * BlockRows + _filled, BlockRows - _filled);
                Flush();
            }
            double count = Count;
            var shiftedMean = new double[_n];
            var mean = new double[_n];
            for (int j = 0; j < _n; j++)
            {
                shiftedMean[j] = _sums[j] / count;
                mean[j] = _shift[j] + shiftedMean[j];
            }
            var covariance = new double[_n * _n];
            for (int i = 0; i < _n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double c = _products[i * _padded + j] / count - shiftedMean[i] * shiftedMean[j];
                    covariance[i * _n + j] = c;
                    covariance[j * _n + i] = c;
                }
            }
            return (mean, covariance);
        }

        private void Flush()
        {
            int blocks = _padded / CovarianceKernel.CoordinateBlock;
            if (_threads == 1)
            {
                for (int b = 0; b < blocks; b++)
                    CovarianceKernel.AddRowBlock(_block, BlockRows, b, _products, _padded);
            }
            else
            {
                // Largest blocks (the longest rows of the triangle) first, so the threads finish together.
                Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = _threads },
                    b => CovarianceKernel.AddRowBlock(_block, BlockRows, blocks - 1 - b, _products, _padded));
            }
            _filled = 0;
        }
    }
}
