using System;
using System.Numerics.Tensors;

namespace Microsoft.ML.SharedAutoencoder.Whitening
{
    /// <summary>
    /// A fitted whitening: z = W (x − μ), with W the <see cref="OutputSize"/>×<see cref="InputSize"/> whitening matrix.
    /// Immutable; <see cref="Apply"/> is safe from many threads.
    /// </summary>
    internal sealed class WhiteningParameters
    {
        private readonly float[] _mean;
        private readonly float[] _matrix;
        private readonly double[] _eigenvalues;

        /// <param name="symmetric">True for ZCA (W = U diag(s) Uᵀ, n outputs), false for PCA (W = diag(s) Uᵀ, rank outputs).</param>
        /// <param name="epsilon">ε in s_k = 1/√(λ_k + ε).</param>
        /// <param name="mean">μ, length n.</param>
        /// <param name="matrix">W, row-major, outputs·n.</param>
        /// <param name="eigenvalues">The kept eigenvalues λ_1 ≥ … ≥ λ_r of the covariance (r = the rank).</param>
        /// <param name="rowCount">The number of rows the covariance was estimated from.</param>
        public WhiteningParameters(bool symmetric, double epsilon, float[] mean, float[] matrix, double[] eigenvalues, long rowCount)
        {
            Symmetric = symmetric;
            Epsilon = epsilon;
            _mean = mean;
            _matrix = matrix;
            _eigenvalues = eigenvalues;
            RowCount = rowCount;
            InputSize = mean.Length;
            OutputSize = matrix.Length / mean.Length;
        }

        /// <summary>True for ZCA, false for PCA whitening.</summary>
        public bool Symmetric { get; }

        /// <summary>ε, the regularizer added to every eigenvalue.</summary>
        public double Epsilon { get; }

        /// <summary>n, the input length.</summary>
        public int InputSize { get; }

        /// <summary>The output length: n for ZCA, the rank for PCA.</summary>
        public int OutputSize { get; }

        /// <summary>The number of principal directions kept.</summary>
        public int Rank => _eigenvalues.Length;

        /// <summary>The number of rows the fit used.</summary>
        public long RowCount { get; }

        /// <summary>μ.</summary>
        public ReadOnlySpan<float> Mean => _mean;

        /// <summary>W, row-major (output-major).</summary>
        public ReadOnlySpan<float> Matrix => _matrix;

        /// <summary>The kept eigenvalues, largest first.</summary>
        public ReadOnlySpan<double> Eigenvalues => _eigenvalues;

        /// <summary>z = W (x − μ).</summary>
        /// <param name="input">x, length n.</param>
        /// <param name="centered">Scratch of length n.</param>
        /// <param name="output">z, length <see cref="OutputSize"/>.</param>
        public void Apply(ReadOnlySpan<float> input, Span<float> centered, Span<float> output)
        {
            int n = InputSize;
            TensorPrimitives.Subtract(input, _mean, centered);
            ReadOnlySpan<float> x = centered.Slice(0, n);
            for (int i = 0; i < OutputSize; i++)
                output[i] = TensorPrimitives.Dot(new ReadOnlySpan<float>(_matrix, i * n, n), x);
        }
    }
}
