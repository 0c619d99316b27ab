using System;
using System.Linq;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Microsoft.ML.SharedAutoencoder.Whitening
{
    /// <summary>
    /// Turns a mean and covariance into a whitening matrix: with C = U diag(λ) Uᵀ (λ descending) and
    /// s_k = 1/√(λ_k + ε), PCA whitening is W = diag(s) U_rᵀ (r outputs) and ZCA whitening W = U_r diag(s) U_rᵀ
    /// (n outputs; the symmetric whitening closest to the identity).
    /// </summary>
    internal static class WhiteningSolver
    {
        /// <summary>Computes the whitening of data with <paramref name="mean"/> and <paramref name="covariance"/>.</summary>
        /// <param name="mean">μ, length n.</param>
        /// <param name="covariance">C, n·n, symmetric.</param>
        /// <param name="symmetric">ZCA (true) or PCA (false).</param>
        /// <param name="epsilon">ε &gt; 0.</param>
        /// <param name="rank">r in [1, n].</param>
        /// <param name="rowCount">Recorded in the result.</param>
        public static WhiteningParameters Solve(double[] mean, double[] covariance, bool symmetric, double epsilon, int rank, long rowCount)
        {
            int n = mean.Length;
            if (rank < 1 || rank > n)
                throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The rank must be in [1, {n}].");
            var (eigenvalues, vectors) = Decompose(covariance, n, rank);
            var scales = new double[rank];
            for (int k = 0; k < rank; k++)
                scales[k] = 1 / Math.Sqrt(eigenvalues[k] + epsilon);
            float[] matrix = symmetric ? Zca(vectors, scales, n) : Pca(vectors, scales, n);
            return new WhiteningParameters(symmetric, epsilon, mean.Select(v => (float)v).ToArray(), matrix, eigenvalues, rowCount);
        }

        /// <summary>
        /// The top <paramref name="rank"/> eigenpairs, eigenvalues clamped at 0 (rounding makes those of a singular
        /// covariance slightly negative), eigenvectors as rows (k·n + i), each signed so its largest-magnitude entry is
        /// positive: the decomposition fixes a vector only up to sign, and PCA output would otherwise depend on it.
        /// </summary>
        private static (double[] Values, double[] Vectors) Decompose(double[] covariance, int n, int rank)
        {
            Evd<double> evd = Matrix<double>.Build.DenseOfColumnMajor(n, n, covariance).Evd(Symmetricity.Symmetric);
            double[] all = evd.EigenValues.Select(c => c.Real).ToArray();
            double[] columns = evd.EigenVectors.ToColumnMajorArray();
            int[] order = Enumerable.Range(0, n).OrderByDescending(k => all[k]).ToArray();
            var values = new double[rank];
            var vectors = new double[rank * n];
            for (int k = 0; k < rank; k++)
            {
                values[k] = Math.Max(0, all[order[k]]);
                var target = vectors.AsSpan(k * n, n);
                columns.AsSpan(order[k] * n, n).CopyTo(target);
                int largest = TensorPrimitives.IndexOfMaxMagnitude<double>(target);
                if (target[largest] < 0)
                    TensorPrimitives.Negate<double>(target, target);
            }
            return (values, vectors);
        }

        private static float[] Pca(double[] vectors, double[] scales, int n)
        {
            var matrix = new float[scales.Length * n];
            for (int k = 0; k < scales.Length; k++)
            {
                for (int i = 0; i < n; i++)
                    matrix[k * n + i] = (float)(scales[k] * vectors[k * n + i]);
            }
            return matrix;
        }

        // W[i, j] = Σ_k u_k[i] s_k u_k[j], computed once per pair and mirrored so W is exactly symmetric.
        private static float[] Zca(double[] vectors, double[] scales, int n)
        {
            int rank = scales.Length;
            var coordinates = new double[n * rank];
            var scaled = new double[n * rank];
            for (int k = 0; k < rank; k++)
            {
                for (int i = 0; i < n; i++)
                {
                    coordinates[i * rank + k] = vectors[k * n + i];
                    scaled[i * rank + k] = vectors[k * n + i] * scales[k];
                }
            }
            var matrix = new float[n * n];
            for (int i = 0; i < n; i++)
            {
                var row = new ReadOnlySpan<double>(scaled, i * rank, rank);
                for (int j = 0; j <= i; j++)
                {
                    float w = (float)TensorPrimitives.Dot(row, new ReadOnlySpan<double>(coordinates, j * rank, rank));
                    matrix[i * n + j] = w;
                    matrix[j * n + i] = w;
                }
            }
            return matrix;
        }
    }
}
