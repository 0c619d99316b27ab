using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// PCA initialization: the top-m right singular vectors of the N×n data matrix Y (uncentred), i.e. the top
    /// eigenvectors of the Gram matrix YᵀY.
    /// </summary>
    /// <remarks>
    /// <para>First, block subspace iteration with Rayleigh–Ritz directly on Y (m + oversampling vectors from a fixed
    /// starting block; each product with YᵀY is two float32 SIMD passes over the rows, chunked by row index and summed
    /// in order, so thread count does not change it), stopped when every wanted Ritz pair has residual
    /// ‖YᵀYv − θv‖ ≤ 1e-5·θ₁. Data with a clear top-m subspace (the paper's models) converge in a few iterations.</para>
    /// <para>Otherwise (no gap within 12 iterations, small n, or N &lt; n) the Gram matrix YᵀY is formed (float32 rank-4
    /// updates, chunks added in double) and its top eigenvectors found by subspace iteration to 1e-7·θ₁ or, failing
    /// that, by the full symmetric eigendecomposition (MathNet, double). The result is always the PCA to within
    /// rounding, and deterministic.</para>
    /// </remarks>
    internal static class PcaInitializer
    {
        private const int TileRows = 32;
        private const int ChunkRows = 1024;
        private const int FullDecompositionMaxDimension = 128;
        private const int MaxIterations = 200;
        private const double ResidualTolerance = 1e-7;
        private const int DataIterations = 12;
        // The product with YᵀY is formed in float32 there, so its residuals cannot go much below ~1e-6 relative.
        private const double DataTolerance = 1e-5;

        public static float[] TopRightSingularVectors(DenseRows data, int count, int numberOfThreads = -1)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            if (count > n)
                throw new ArgumentOutOfRangeException(nameof(count), count, $"PCA initialization gives at most n = {n} directions; {count} hidden units were asked for.");
            if (count > rows)
                throw new ArgumentOutOfRangeException(nameof(count), count, $"PCA initialization needs at least as many rows as hidden units; the data have {rows} rows for {count} hidden units.");

            float[] weights = rows < n ? FromRowGram(data, count) : FromColumnGram(data, count, numberOfThreads);

            // Sign: the data project onto each direction positively on average (deterministic, and points mixture
            // components the right way).
            var totals = new double[n];
            for (int t = 0; t < rows; t++)
            {
                ReadOnlySpan<float> y = data.Row(t);
                for (int j = 0; j < n; j++)
                    totals[j] += y[j];
            }
            for (int i = 0; i < count; i++)
            {
                Span<float> column = weights.AsSpan(i * n, n);
                double projection = 0;
                for (int j = 0; j < n; j++)
                    projection += column[j] * totals[j];
                if (projection < 0)
                    TensorPrimitives.Negate(column, column);
            }
            return weights;
        }

        /// <summary>YᵀY (n×n, row-major, symmetric), in double.</summary>
        internal static double[] Gram(DenseRows data, int numberOfThreads = -1)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            var gram = new double[n * n];
            int tiles = (n + TileRows - 1) / TileRows;
            var options = new ParallelOptions { MaxDegreeOfParallelism = numberOfThreads };
            Parallel.For(0, tiles, options, tile =>
            {
                int first = tile * TileRows;
                int last = Math.Min(n, first + TileRows);
                var partial = new float[TileRows * n];
                for (int chunk = 0; chunk < rows; chunk += ChunkRows)
                {
                    int chunkEnd = Math.Min(rows, chunk + ChunkRows);
                    Array.Clear(partial);
                    AccumulateTile(data, chunk, chunkEnd, first, last, partial);
                    for (int i = first; i < last; i++)
                    {
                        int start = i - i % Vector256<float>.Count;
                        Span<double> target = gram.AsSpan(i * n, n);
                        ReadOnlySpan<float> source = partial.AsSpan((i - first) * n, n);
                        for (int j = start; j < n; j++)
                            target[j] += source[j];
                    }
                }
            });
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < i; j++)
                    gram[i * n + j] = gram[j * n + i];
            }
            return gram;
        }

        // partial[(i − first)·n + j] += Σ_t y_t[i] y_t[j] for i in [first, last), j from i's vector boundary on.
        private static void AccumulateTile(DenseRows data, int rowStart, int rowEnd, int first, int last, float[] partial)
        {
            int n = data.Dimension;
            int vectorEnd = n - n % Vector256<float>.Count;
            ref float p = ref MemoryMarshal.GetArrayDataReference(partial);
            ref float values = ref MemoryMarshal.GetArrayDataReference(data.Values);
            int t = rowStart;
            for (; t + 4 <= rowEnd; t += 4)
            {
                ref float y0 = ref Unsafe.Add(ref values, (nint)t * n);
                ref float y1 = ref Unsafe.Add(ref y0, n);
                ref float y2 = ref Unsafe.Add(ref y0, 2 * n);
                ref float y3 = ref Unsafe.Add(ref y0, 3 * n);
                for (int i = first; i < last; i++)
                {
                    var c0 = Vector256.Create(Unsafe.Add(ref y0, i));
                    var c1 = Vector256.Create(Unsafe.Add(ref y1, i));
                    var c2 = Vector256.Create(Unsafe.Add(ref y2, i));
                    var c3 = Vector256.Create(Unsafe.Add(ref y3, i));
                    ref float row = ref Unsafe.Add(ref p, (i - first) * n);
                    int j = i - i % Vector256<float>.Count;
                    for (; j < vectorEnd; j += Vector256<float>.Count)
                    {
                        var acc = Vector256.LoadUnsafe(ref row, (nuint)j);
                        acc = Vector256.FusedMultiplyAdd(c0, Vector256.LoadUnsafe(ref y0, (nuint)j), acc);
                        acc = Vector256.FusedMultiplyAdd(c1, Vector256.LoadUnsafe(ref y1, (nuint)j), acc);
                        acc = Vector256.FusedMultiplyAdd(c2, Vector256.LoadUnsafe(ref y2, (nuint)j), acc);
                        acc = Vector256.FusedMultiplyAdd(c3, Vector256.LoadUnsafe(ref y3, (nuint)j), acc);
                        acc.StoreUnsafe(ref row, (nuint)j);
                    }
                    for (; j < n; j++)
                    {
                        float acc = Unsafe.Add(ref row, j);
                        acc = MathF.FusedMultiplyAdd(c0.ToScalar(), Unsafe.Add(ref y0, j), acc);
                        acc = MathF.FusedMultiplyAdd(c1.ToScalar(), Unsafe.Add(ref y1, j), acc);
                        acc = MathF.FusedMultiplyAdd(c2.ToScalar(), Unsafe.Add(ref y2, j), acc);
                        acc = MathF.FusedMultiplyAdd(c3.ToScalar(), Unsafe.Add(ref y3, j), acc);
                        Unsafe.Add(ref row, j) = acc;
                    }
                }
            }
            for (; t < rowEnd; t++)
            {
                ReadOnlySpan<float> y = data.Row(t);
                for (int i = first; i < last; i++)
                {
                    int j = i - i % Vector256<float>.Count;
                    Span<float> row = partial.AsSpan((i - first) * n + j, n - j);
                    TensorPrimitives.MultiplyAdd(y.Slice(j), y[i], row, row);
                }
            }
        }

        private static float[] FromColumnGram(DenseRows data, int count, int numberOfThreads)
        {
            int n = data.Dimension;
            double[]? vectors = null;
            if (n > FullDecompositionMaxDimension)
            {
                // Cheapest first: iterate on Y itself (two passes over the data per iteration, no n² matrix); data
                // with a clear top-m subspace converge in a few iterations.
                int block = Math.Min(n, count + Math.Max(8, count / 2));
                vectors = SubspaceIteration((q, z) => MultiplyByDataGram(data, q, z, block, numberOfThreads), n, count, DataIterations, DataTolerance);
            }
            if (vectors == null)
            {
                double[] gram = Gram(data, numberOfThreads);
                if (n > FullDecompositionMaxDimension)
                {
                    int block = Math.Min(n, count + Math.Max(8, count / 2));
                    vectors = SubspaceIteration((q, z) => Multiply(gram, n, q, z, block), n, count, MaxIterations, ResidualTolerance);
                }
                vectors ??= FullDecomposition(gram, n, count);
            }
            var weights = new float[count * n];
            for (int k = 0; k < weights.Length; k++)
                weights[k] = (float)vectors[k];
            return weights;
        }

        /// <summary>Top <paramref name="count"/> eigenvectors (unit-major) of the symmetric n×n matrix, via MathNet.</summary>
        private static double[] FullDecomposition(double[] gram, int n, int count)
        {
            var matrix = Matrix<double>.Build.Dense(n, n, gram); // column-major = row-major for a symmetric matrix
            var evd = matrix.Evd(Symmetricity.Symmetric);
            var result = new double[count * n];
            // MathNet returns eigenvalues in ascending order for symmetric matrices.
            for (int i = 0; i < count; i++)
            {
                var column = evd.EigenVectors.Column(n - 1 - i);
                for (int j = 0; j < n; j++)
                    result[i * n + j] = column[j];
            }
            return result;
        }

        /// <summary>Block subspace iteration with Rayleigh–Ritz; null when it does not converge within the cap.</summary>
        private static double[]? SubspaceIteration(Action<double[], double[]> multiplyByGram, int n, int count, int maxIterations, double tolerance)
        {
            int block = Math.Min(n, count + Math.Max(8, count / 2));
            var random = new Random(20190416);
            var q = new double[block * n];
            for (int k = 0; k < q.Length; k++)
                q[k] = WeightInitializer.StandardNormal(random);
            Orthonormalize(q, n, block);
            var z = new double[block * n];
            var projected = Matrix<double>.Build.Dense(block, block);
            var ritz = new double[count * n];
            var image = new double[n];
            for (int iteration = 0; iteration < maxIterations; iteration++)
            {
                multiplyByGram(q, z);
                for (int a = 0; a < block; a++)
                {
                    for (int b = 0; b < block; b++)
                        projected[a, b] = TensorPrimitives.Dot<double>(q.AsSpan(a * n, n), z.AsSpan(b * n, n));
                }
                var evd = projected.Evd(Symmetricity.Symmetric);
                double largest = Math.Abs(evd.EigenValues[block - 1].Real);
                bool converged = largest > 0;
                for (int i = 0; i < count && converged; i++)
                {
                    var s = evd.EigenVectors.Column(block - 1 - i);
                    double theta = evd.EigenValues[block - 1 - i].Real;
                    Span<double> v = ritz.AsSpan(i * n, n);
                    v.Clear();
                    image.AsSpan().Clear();
                    for (int b = 0; b < block; b++)
                    {
                        TensorPrimitives.MultiplyAdd<double>(q.AsSpan(b * n, n), s[b], v, v);
                        TensorPrimitives.MultiplyAdd<double>(z.AsSpan(b * n, n), s[b], image, image);
                    }
                    TensorPrimitives.MultiplyAdd<double>(v, -theta, image, image);
                    converged = TensorPrimitives.Norm<double>(image) <= tolerance * largest;
                }
                if (converged)
                {
                    for (int i = 0; i < count; i++)
                    {
                        Span<double> v = ritz.AsSpan(i * n, n);
                        TensorPrimitives.Divide<double>(v, TensorPrimitives.Norm<double>(v), v);
                    }
                    return ritz;
                }
                (q, z) = (z, q);
                Orthonormalize(q, n, block);
            }
            return null;
        }

        // z_b = YᵀY q_b: per row u = Qᵀy then Z += y uᵀ, in float32 per chunk of rows, chunks added in order in double.
        private static void MultiplyByDataGram(DenseRows data, double[] q, double[] z, int block, int numberOfThreads)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            var basis = new float[q.Length];
            for (int k = 0; k < q.Length; k++)
                basis[k] = (float)q[k];
            int chunks = (rows + ChunkRows - 1) / ChunkRows;
            var partials = new float[chunks][];
            var options = new ParallelOptions { MaxDegreeOfParallelism = numberOfThreads };
            Parallel.For(0, chunks, options, c =>
            {
                var partial = new float[block * n];
                var u = new float[block];
                int end = Math.Min(rows, (c + 1) * ChunkRows);
                for (int t = c * ChunkRows; t < end; t++)
                {
                    ReadOnlySpan<float> y = data.Row(t);
                    for (int b = 0; b < block; b++)
                        u[b] = TensorPrimitives.Dot(basis.AsSpan(b * n, n), y);
                    for (int b = 0; b < block; b++)
                    {
                        Span<float> target = partial.AsSpan(b * n, n);
                        TensorPrimitives.MultiplyAdd(y, u[b], target, target);
                    }
                }
                partials[c] = partial;
            });
            Array.Clear(z);
            foreach (float[] partial in partials)
            {
                for (int k = 0; k < z.Length; k++)
                    z[k] += partial[k];
            }
        }

        // z_b = G q_b for each of the block's vectors (G symmetric, row-major).
        private static void Multiply(double[] gram, int n, double[] q, double[] z, int block)
        {
            Parallel.For(0, n, i =>
            {
                ReadOnlySpan<double> row = gram.AsSpan(i * n, n);
                for (int b = 0; b < block; b++)
                    z[b * n + i] = TensorPrimitives.Dot<double>(row, q.AsSpan(b * n, n));
            });
        }

        // Modified Gram–Schmidt, twice for stability.
        private static void Orthonormalize(double[] q, int n, int block)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int b = 0; b < block; b++)
                {
                    Span<double> v = q.AsSpan(b * n, n);
                    for (int a = 0; a < b; a++)
                    {
                        ReadOnlySpan<double> u = q.AsSpan(a * n, n);
                        TensorPrimitives.MultiplyAdd<double>(u, -TensorPrimitives.Dot<double>(u, v), v, v);
                    }
                    double norm = TensorPrimitives.Norm<double>(v);
                    if (norm > 0)
                        TensorPrimitives.Divide<double>(v, norm, v);
                }
            }
        }

        /// <summary>N &lt; n: eigenvectors of the smaller YYᵀ mapped back through Yᵀ (small N, so MathNet is quick).</summary>
        private static float[] FromRowGram(DenseRows data, int count)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            var y = Matrix<double>.Build.Dense(rows, n, (t, j) => data.Values[t * n + j]);
            var gram = y.TransposeAndMultiply(y);
            var evd = gram.Evd(Symmetricity.Symmetric);
            var weights = new float[count * n];
            double largest = 0;
            for (int i = 0; i < count; i++)
            {
                var u = evd.EigenVectors.Column(rows - 1 - i);
                var v = y.TransposeThisAndMultiply(u);
                double norm = v.L2Norm();
                largest = Math.Max(largest, norm);
                // Yᵀu vanishes for u in the null space of YYᵀ (data of rank < count): take a unit direction orthogonal
                // to the earlier ones, as the eigendecomposition of YᵀY would, instead of a zero column.
                if (!(norm > 1e-7 * largest))
                    (v, norm) = (OrthogonalDirection(weights, i, n), 1);
                for (int j = 0; j < n; j++)
                    weights[i * n + j] = (float)(v[j] / norm);
            }
            return weights;
        }

        /// <summary>
        /// A unit vector orthogonal to the first <paramref name="count"/> unit-major columns (count &lt; n): the standard
        /// basis vector with the largest component outside their span, that component normalized. Deterministic.
        /// </summary>
        private static Vector<double> OrthogonalDirection(float[] columns, int count, int n)
        {
            Vector<double>? best = null;
            double bestNorm = 0;
            for (int e = 0; e < n; e++)
            {
                var v = Vector<double>.Build.Dense(n);
                v[e] = 1;
                for (int i = 0; i < count; i++)
                {
                    var column = Vector<double>.Build.Dense(n, j => columns[i * n + j]);
                    v -= column * (column * v / (column * column));
                }
                double norm = v.L2Norm();
                if (norm > bestNorm)
                    (best, bestNorm) = (v, norm);
            }
            return best! / bestNorm;
        }
    }
}
