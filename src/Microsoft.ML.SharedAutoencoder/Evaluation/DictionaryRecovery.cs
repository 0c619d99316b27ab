using System;
using System.Buffers;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra.Double;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// Measures how well a learned weight matrix recovers a ground-truth dictionary up to a permutation of columns
    /// (and sign flips), and how well learned codes recover ground-truth latent codes.
    /// </summary>
    /// <remarks>
    /// Matrices are passed as their columns: <c>float[m][]</c> with every column of length n, column i being atom i of
    /// the dictionary or hidden unit i of the autoencoder.
    /// </remarks>
    public static class DictionaryRecovery
    {
        /// <summary>
        /// Matches the columns of <paramref name="learned"/> to those of <paramref name="truth"/> by an exact linear
        /// assignment and measures the distance between the matched, sign-corrected learned columns and the truth.
        /// </summary>
        /// <param name="learned">The learned matrix W as m_learned columns of length n.</param>
        /// <param name="truth">The ground-truth dictionary A as m_truth columns of length n (the paper assumes unit-norm
        /// columns; the metrics are defined without that assumption). Must not be all zeros.</param>
        /// <param name="allowSignFlips">Whether a learned column may match a truth column up to sign (sparse coding,
        /// where the model is symmetric under x ↦ −x per unit). When true the matching maximizes
        /// Σ_i |⟨W_π(i), A_i⟩|; when false it maximizes Σ_i ⟨W_π(i), A_i⟩ and all signs are +1.</param>
        /// <returns>The matching and the errors; see <see cref="DictionaryRecoveryMetrics"/>.</returns>
        /// <remarks>
        /// When m_learned &gt; m_truth every truth column is matched to a distinct learned column (a rectangular
        /// assignment) and the remaining learned columns are ignored by the errors. When m_learned = m_truth the
        /// matching also minimizes <see cref="DictionaryRecoveryMetrics.FrobeniusError"/>, because Σ_i ‖W_π(i)‖² then
        /// does not depend on π. Cost: n · m_learned · m_truth for the inner products, O(m_truth² · m_learned) for the
        /// assignment, and two singular value decompositions of n × m_truth matrices for
        /// <see cref="DictionaryRecoveryMetrics.SpectralNearness"/> (about 1.5 s each at n = m = 1000).
        /// </remarks>
        /// <exception cref="ArgumentNullException">An argument or one of its columns is null.</exception>
        /// <exception cref="ArgumentException">A matrix has no columns or empty columns, columns of different
        /// lengths, non-finite entries, the two matrices have different column lengths, <paramref name="learned"/>
        /// has fewer columns than <paramref name="truth"/>, or <paramref name="truth"/> is all zeros.</exception>
        public static DictionaryRecoveryMetrics Evaluate(float[][] learned, float[][] truth, bool allowSignFlips)
        {
            float[] truthUnitMajor = ToUnitMajor(truth, nameof(truth), out int truthColumns, out int n);
            float[] learnedUnitMajor = ToUnitMajor(learned, nameof(learned), out int learnedColumns, out int learnedLength);
            if (learnedLength != n)
                throw new ArgumentException(
                    $"The learned columns have length {learnedLength}; the truth columns have length {n}. Both must have the same length.",
                    nameof(learned));
            if (TensorPrimitives.MaxMagnitude<float>(truthUnitMajor) == 0)
                throw new ArgumentException("The truth dictionary is all zeros, so it has no columns to recover.", nameof(truth));
            if (learnedColumns < truthColumns)
                throw new ArgumentException(
                    $"The learned matrix has {learnedColumns} columns, fewer than the {truthColumns} truth columns: every truth column needs a distinct learned column.",
                    nameof(learned));
            return Evaluate(learnedUnitMajor, learnedColumns, truthUnitMajor, truthColumns, n, allowSignFlips);
        }

        /// <summary>
        /// The one implementation of <see cref="Evaluate(float[][], float[][], bool)"/>, on the flat unit-major layout
        /// (column i at [i·n, (i+1)·n)). The trainer calls it every iteration with
        /// <paramref name="computeSpectralNearness"/> false: everything else is O(n · m²) with a few O(m²) and O(n · m)
        /// buffers, and the spectral norm would dominate the cost.
        /// </summary>
        internal static DictionaryRecoveryMetrics Evaluate(ReadOnlySpan<float> learnedUnitMajor, int learnedColumns,
            ReadOnlySpan<float> truthUnitMajor, int truthColumns, int n, bool allowSignFlips, bool computeSpectralNearness = true)
        {
            if (n < 1)
                throw new ArgumentOutOfRangeException(nameof(n), n, "The column length must be positive.");
            if (truthColumns < 1)
                throw new ArgumentOutOfRangeException(nameof(truthColumns), truthColumns, "The truth must have at least one column.");
            if (learnedColumns < truthColumns)
                throw new ArgumentOutOfRangeException(nameof(learnedColumns), learnedColumns,
                    $"The learned matrix needs at least as many columns as the truth ({truthColumns}): every truth column needs a distinct learned column.");
            RequireUnitMajor(learnedUnitMajor, learnedColumns, n, nameof(learnedUnitMajor));
            RequireUnitMajor(truthUnitMajor, truthColumns, n, nameof(truthUnitMajor));

            var permutation = new int[truthColumns];
            double[] profit = ArrayPool<double>.Shared.Rent(truthColumns * learnedColumns);
            try
            {
                Span<double> profitMatrix = profit.AsSpan(0, truthColumns * learnedColumns);
                ComputeInnerProducts(truthUnitMajor, truthColumns, learnedUnitMajor, learnedColumns, n, profitMatrix);
                if (allowSignFlips)
                    TensorPrimitives.Abs(profitMatrix, profitMatrix);
                HungarianAlgorithm.MaximizeProfit(profitMatrix, truthColumns, learnedColumns, permutation);
            }
            finally
            {
                ArrayPool<double>.Shared.Return(profit);
            }

            var signs = new int[truthColumns];
            var columnErrors = new double[truthColumns];
            double sumOfSquares = 0;
            double maxColumnError = 0;
            double sumOfColumnErrors = 0;
            for (int i = 0; i < truthColumns; i++)
            {
                ReadOnlySpan<float> truthColumn = truthUnitMajor.Slice(i * n, n);
                ReadOnlySpan<float> learnedColumn = learnedUnitMajor.Slice(permutation[i] * n, n);
                // Recomputed in double: the single-precision products only had to be good enough to rank matchings.
                signs[i] = allowSignFlips && DotInDouble(learnedColumn, truthColumn) < 0 ? -1 : 1;
                double squaredError = SquaredDistanceInDouble(learnedColumn, signs[i], truthColumn);
                columnErrors[i] = Math.Sqrt(squaredError);
                sumOfSquares += squaredError;
                sumOfColumnErrors += columnErrors[i];
                maxColumnError = Math.Max(maxColumnError, columnErrors[i]);
            }

            double spectralNearness = computeSpectralNearness
                ? SpectralNearness(learnedUnitMajor, truthUnitMajor, truthColumns, n, permutation, signs)
                : double.NaN;

            return new DictionaryRecoveryMetrics(permutation, signs, columnErrors, Math.Sqrt(sumOfSquares), maxColumnError,
                sumOfColumnErrors / truthColumns, spectralNearness, allowSignFlips, n, learnedColumns);
        }

        /// <summary>‖π(W)·S − A‖₂ / ‖A‖₂ (spectral norms) for the matched, sign-corrected learned columns.</summary>
        private static double SpectralNearness(ReadOnlySpan<float> learnedUnitMajor, ReadOnlySpan<float> truthUnitMajor, int truthColumns, int n,
            int[] permutation, int[] signs)
        {
            var truthMatrix = new double[truthColumns * n];
            var differenceMatrix = new double[truthColumns * n];
            for (int i = 0; i < truthColumns; i++)
            {
                ReadOnlySpan<float> truthColumn = truthUnitMajor.Slice(i * n, n);
                ReadOnlySpan<float> learnedColumn = learnedUnitMajor.Slice(permutation[i] * n, n);
                for (int r = 0; r < n; r++)
                {
                    truthMatrix[i * n + r] = truthColumn[r];
                    differenceMatrix[i * n + r] = signs[i] * (double)learnedColumn[r] - truthColumn[r];
                }
            }
            // Unit-major storage is MathNet's column-major storage of the n × m matrix, so no transposition.
            double truthNorm = new DenseMatrix(n, truthColumns, truthMatrix).L2Norm();
            if (truthNorm == 0)
                throw new ArgumentException("The truth dictionary is all zeros, so its spectral norm cannot normalize anything.",
                    nameof(truthUnitMajor));
            return new DenseMatrix(n, truthColumns, differenceMatrix).L2Norm() / truthNorm;
        }

        /// <summary>
        /// Measures code consistency on data: whether each row's learned code, read through the dictionary matching,
        /// has the support and the signs of the row's ground-truth latent code.
        /// </summary>
        /// <param name="data">Rows holding both codes.</param>
        /// <param name="codeColumnName">A known-size vector of <see cref="float"/> of length
        /// <see cref="DictionaryRecoveryMetrics.LearnedColumnCount"/>: the learned code x (one entry per hidden unit).</param>
        /// <param name="latentCodeColumnName">A known-size vector of <see cref="float"/> of length
        /// <see cref="DictionaryRecoveryMetrics.TruthColumnCount"/>: the ground-truth latent code x*.</param>
        /// <param name="matching">The dictionary matching, from <see cref="Evaluate(float[][], float[][], bool)"/>.</param>
        /// <returns>The support and sign recovery rates; see <see cref="CodeRecoveryMetrics"/>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="data"/>, <paramref name="matching"/> or a column name
        /// is null.</exception>
        /// <exception cref="ArgumentException">A column is missing, is not a known-size vector of <see cref="float"/>,
        /// or has the wrong length; or a code holds NaN.</exception>
        public static CodeRecoveryMetrics EvaluateCodes(IDataView data, string codeColumnName, string latentCodeColumnName,
            DictionaryRecoveryMetrics matching)
        {
            ArgumentNullException.ThrowIfNull(data);
            ArgumentNullException.ThrowIfNull(codeColumnName);
            ArgumentNullException.ThrowIfNull(latentCodeColumnName);
            ArgumentNullException.ThrowIfNull(matching);
            DataViewSchema.Column codeColumn = RequireFloatVectorColumn(data.Schema, codeColumnName,
                matching.LearnedColumnCount, "the number of learned columns", nameof(codeColumnName));
            DataViewSchema.Column latentColumn = RequireFloatVectorColumn(data.Schema, latentCodeColumnName,
                matching.TruthColumnCount, "the number of truth columns", nameof(latentCodeColumnName));

            var counter = new CodeRecoveryCounter(matching.PermutationSpan, matching.SignSpan, matching.LearnedColumnCount);
            var code = new float[matching.LearnedColumnCount];
            var latent = new float[matching.TruthColumnCount];
            VBuffer<float> codeBuffer = default;
            VBuffer<float> latentBuffer = default;
            using DataViewRowCursor cursor = data.GetRowCursor(new[] { codeColumn, latentColumn });
            ValueGetter<VBuffer<float>> getCode = cursor.GetGetter<VBuffer<float>>(codeColumn);
            ValueGetter<VBuffer<float>> getLatent = cursor.GetGetter<VBuffer<float>>(latentColumn);
            while (cursor.MoveNext())
            {
                getCode(ref codeBuffer);
                getLatent(ref latentBuffer);
                CopyToDense(in codeBuffer, code, codeColumnName);
                CopyToDense(in latentBuffer, latent, latentCodeColumnName);
                counter.Add(code, latent);
            }
            return counter.ToMetrics();
        }

        private static DataViewSchema.Column RequireFloatVectorColumn(DataViewSchema schema, string columnName,
            int expectedLength, string expectedLengthMeaning, string argumentName)
        {
            DataViewSchema.Column? column = schema.GetColumnOrNull(columnName);
            if (column is null)
                throw new ArgumentException($"The data has no column named '{columnName}'.", argumentName);
            if (column.Value.Type is not VectorDataViewType vectorType || vectorType.ItemType != NumberDataViewType.Single)
                throw new ArgumentException(
                    $"Column '{columnName}' has type {column.Value.Type}; expected a known-size vector of Single.", argumentName);
            if (!vectorType.IsKnownSize)
                throw new ArgumentException(
                    $"Column '{columnName}' is a vector of unknown size; expected a known-size vector of Single of length {expectedLength}.",
                    argumentName);
            if (vectorType.Size != expectedLength)
                throw new ArgumentException(
                    $"Column '{columnName}' has length {vectorType.Size}; expected {expectedLength} ({expectedLengthMeaning} of the matching).",
                    argumentName);
            return column.Value;
        }

        private static void CopyToDense(in VBuffer<float> buffer, Span<float> destination, string columnName)
        {
            if (buffer.Length != destination.Length)
                throw new InvalidOperationException(
                    $"Column '{columnName}' produced a vector of length {buffer.Length} although its type declares {destination.Length}.");
            ReadOnlySpan<float> values = buffer.GetValues();
            if (buffer.IsDense)
            {
                values.CopyTo(destination);
                return;
            }
            ReadOnlySpan<int> indices = buffer.GetIndices();
            destination.Clear();
            for (int k = 0; k < values.Length; k++)
                destination[indices[k]] = values[k];
        }

        private static float[] ToUnitMajor(float[][] columns, string argumentName, out int columnCount, out int length)
        {
            ArgumentNullException.ThrowIfNull(columns, argumentName);
            if (columns.Length == 0)
                throw new ArgumentException("The matrix must have at least one column.", argumentName);
            if (columns[0] is null)
                throw new ArgumentNullException(argumentName, "Column 0 is null.");
            columnCount = columns.Length;
            length = columns[0].Length;
            if (length == 0)
                throw new ArgumentException("The columns must not be empty.", argumentName);
            var unitMajor = new float[(long)columnCount * length];
            for (int i = 0; i < columnCount; i++)
            {
                float[] column = columns[i];
                if (column is null)
                    throw new ArgumentNullException(argumentName, $"Column {i} is null.");
                if (column.Length != length)
                    throw new ArgumentException(
                        $"Column {i} has length {column.Length} but column 0 has length {length}: all columns must have the same length.",
                        argumentName);
                for (int r = 0; r < length; r++)
                {
                    if (!float.IsFinite(column[r]))
                        throw new ArgumentException($"Entry {r} of column {i} is {column[r]}; all entries must be finite.", argumentName);
                }
                column.CopyTo(unitMajor, (long)i * length);
            }
            return unitMajor;
        }

        private static void RequireUnitMajor(ReadOnlySpan<float> unitMajor, int columns, int n, string argumentName)
        {
            if (unitMajor.Length != (long)columns * n)
                throw new ArgumentException(
                    $"The matrix has {unitMajor.Length} entries; {columns} columns of length {n} need {(long)columns * n}.", argumentName);
            for (int k = 0; k < unitMajor.Length; k++)
            {
                if (!float.IsFinite(unitMajor[k]))
                    throw new ArgumentException(
                        $"Entry {k % n} of column {k / n} is {unitMajor[k]}; all entries must be finite.", argumentName);
            }
        }

        /// <summary>
        /// profit[i · learnedColumns + j] = ⟨A_i, W_j⟩. Truth columns are taken in blocks small enough to stay in
        /// cache while each learned column streams past them once per block, rather than once per truth column.
        /// </summary>
        private static void ComputeInnerProducts(ReadOnlySpan<float> truthUnitMajor, int truthColumns,
            ReadOnlySpan<float> learnedUnitMajor, int learnedColumns, int n, Span<double> profit)
        {
            const int BlockBytes = 128 * 1024;
            int blockSize = Math.Clamp(BlockBytes / (sizeof(float) * n), 1, 64);
            for (int blockStart = 0; blockStart < truthColumns; blockStart += blockSize)
            {
                int blockEnd = Math.Min(blockStart + blockSize, truthColumns);
                for (int j = 0; j < learnedColumns; j++)
                {
                    ReadOnlySpan<float> learnedColumn = learnedUnitMajor.Slice(j * n, n);
                    for (int i = blockStart; i < blockEnd; i++)
                        profit[i * learnedColumns + j] = TensorPrimitives.Dot(truthUnitMajor.Slice(i * n, n), learnedColumn);
                }
            }
        }

        private static double DotInDouble(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        {
            double sum = 0;
            for (int r = 0; r < x.Length; r++)
                sum += (double)x[r] * y[r];
            return sum;
        }

        private static double SquaredDistanceInDouble(ReadOnlySpan<float> learned, int sign, ReadOnlySpan<float> truth)
        {
            double sum = 0;
            for (int r = 0; r < learned.Length; r++)
            {
                double difference = sign * (double)learned[r] - truth[r];
                sum += difference * difference;
            }
            return sum;
        }
    }
}
