using System;
using System.Collections.Generic;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// How well a learned weight matrix W (n × m_learned) recovers a ground-truth dictionary A (n × m_truth) up to a
    /// permutation of columns and, when allowed, sign flips of columns. Produced by
    /// <see cref="DictionaryRecovery.Evaluate(float[][], float[][], bool)"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Truth column i is matched to learned column π(i) = <see cref="Permutation"/>[i] with sign s_i =
    /// <see cref="Signs"/>[i]; the matching maximizes Σ_i |⟨W_π(i), A_i⟩| when sign flips are allowed and
    /// Σ_i ⟨W_π(i), A_i⟩ otherwise (an exact linear assignment). π(W) denotes the n × m_truth matrix whose column i is
    /// s_i · W_π(i) (see <see cref="Align(float[][])"/>); every error below compares π(W) with A.
    /// </para>
    /// <para>
    /// All errors are non-negative and smaller is better; they are 0 exactly when π(W) = A. The paper (Nguyen, Wong,
    /// Hegde, AISTATS 2019) calls W δ-close to A when <see cref="MaxColumnError"/> ≤ δ.
    /// </para>
    /// </remarks>
    public sealed class DictionaryRecoveryMetrics
    {
        private readonly int[] _permutation;
        private readonly int[] _signs;

        /// <summary>
        /// The column matching: <c>Permutation[i]</c> is the index of the learned column (hidden unit) matched to truth
        /// column (atom) i. Its length is <see cref="TruthColumnCount"/>; its entries are distinct indices in
        /// [0, <see cref="LearnedColumnCount"/>). Learned columns that appear nowhere in it are unmatched (only possible
        /// when the learned matrix has more columns than the truth).
        /// </summary>
        public IReadOnlyList<int> Permutation { get; }

        /// <summary>
        /// The sign applied to the matched learned column: <c>Signs[i]</c> is +1 or −1 and s_i · W_Permutation[i] is
        /// compared with truth column i. A matched column whose inner product with its truth column is 0 gets +1.
        /// All +1 when <see cref="SignFlipsAllowed"/> is false.
        /// </summary>
        public IReadOnlyList<int> Signs { get; }

        /// <summary>
        /// Per truth column i, the Euclidean distance ‖s_i · W_π(i) − A_i‖₂. Length <see cref="TruthColumnCount"/>.
        /// </summary>
        public IReadOnlyList<double> ColumnErrors { get; }

        /// <summary>
        /// The Frobenius distance ‖π(W) − A‖_F = sqrt(Σ_i ‖s_i · W_π(i) − A_i‖₂²).
        /// </summary>
        public double FrobeniusError { get; }

        /// <summary>
        /// The largest column error max_i ‖s_i · W_π(i) − A_i‖₂: the δ for which W is δ-close to A in the paper's sense.
        /// </summary>
        public double MaxColumnError { get; }

        /// <summary>
        /// The average column error (1 / m_truth) Σ_i ‖s_i · W_π(i) − A_i‖₂.
        /// </summary>
        public double MeanColumnError { get; }

        /// <summary>
        /// The relative spectral distance ‖π(W) − A‖₂ / ‖A‖₂, where ‖·‖₂ is the largest singular value (computed
        /// exactly by a singular value decomposition). <see cref="double.NaN"/> only in metrics produced by the
        /// trainer's per-iteration fast path, which skips it; never from the public <c>Evaluate</c> method.
        /// </summary>
        public double SpectralNearness { get; }

        /// <summary>Whether the matching allowed sign flips (sparse coding) or not.</summary>
        public bool SignFlipsAllowed { get; }

        /// <summary>The length n of every column (the input dimension).</summary>
        public int Dimension { get; }

        /// <summary>The number of columns m_learned of the learned matrix (hidden units).</summary>
        public int LearnedColumnCount { get; }

        /// <summary>The number of columns m_truth of the ground-truth dictionary (atoms).</summary>
        public int TruthColumnCount { get; }

        internal DictionaryRecoveryMetrics(int[] permutation, int[] signs, double[] columnErrors, double frobeniusError,
            double maxColumnError, double meanColumnError, double spectralNearness, bool signFlipsAllowed,
            int dimension, int learnedColumnCount)
        {
            _permutation = permutation;
            _signs = signs;
            Permutation = Array.AsReadOnly(permutation);
            Signs = Array.AsReadOnly(signs);
            ColumnErrors = Array.AsReadOnly(columnErrors);
            FrobeniusError = frobeniusError;
            MaxColumnError = maxColumnError;
            MeanColumnError = meanColumnError;
            SpectralNearness = spectralNearness;
            SignFlipsAllowed = signFlipsAllowed;
            Dimension = dimension;
            LearnedColumnCount = learnedColumnCount;
            TruthColumnCount = permutation.Length;
        }

        internal ReadOnlySpan<int> PermutationSpan => _permutation;

        internal ReadOnlySpan<int> SignSpan => _signs;

        /// <summary>
        /// Returns π(W): the learned columns reordered and sign-corrected to line up with the truth, so that column i of
        /// the result is <c>Signs[i] * learned[Permutation[i]]</c>. Unmatched learned columns are dropped.
        /// </summary>
        /// <param name="learned">The learned matrix as columns: <see cref="LearnedColumnCount"/> arrays of length
        /// <see cref="Dimension"/> (the matrix these metrics were computed from, or one of the same shape).</param>
        /// <returns>New arrays: <see cref="TruthColumnCount"/> columns of length <see cref="Dimension"/>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="learned"/> or one of its columns is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="learned"/> does not have the shape described above.</exception>
        public float[][] Align(float[][] learned)
        {
            ArgumentNullException.ThrowIfNull(learned);
            if (learned.Length != LearnedColumnCount)
                throw new ArgumentException(
                    $"The learned matrix has {learned.Length} columns; these metrics match {LearnedColumnCount} learned columns.",
                    nameof(learned));
            for (int j = 0; j < learned.Length; j++)
            {
                if (learned[j] is null)
                    throw new ArgumentNullException(nameof(learned), $"Learned column {j} is null.");
                if (learned[j].Length != Dimension)
                    throw new ArgumentException(
                        $"Learned column {j} has length {learned[j].Length}; every column must have length {Dimension}.",
                        nameof(learned));
            }

            var aligned = new float[TruthColumnCount][];
            for (int i = 0; i < aligned.Length; i++)
            {
                aligned[i] = new float[Dimension];
                CopySigned(learned[_permutation[i]], _signs[i], aligned[i]);
            }
            return aligned;
        }

        /// <summary>
        /// Writes π(W) in the unit-major layout (truth column i at [i·n, (i+1)·n)) without allocating.
        /// </summary>
        internal void Align(ReadOnlySpan<float> learnedUnitMajor, Span<float> alignedUnitMajor)
        {
            int n = Dimension;
            if (learnedUnitMajor.Length != (long)LearnedColumnCount * n)
                throw new ArgumentException(
                    $"The learned matrix has {learnedUnitMajor.Length} entries; {LearnedColumnCount} columns of length {n} need {(long)LearnedColumnCount * n}.",
                    nameof(learnedUnitMajor));
            if (alignedUnitMajor.Length != (long)TruthColumnCount * n)
                throw new ArgumentException(
                    $"The destination has {alignedUnitMajor.Length} entries; {TruthColumnCount} columns of length {n} need {(long)TruthColumnCount * n}.",
                    nameof(alignedUnitMajor));
            for (int i = 0; i < TruthColumnCount; i++)
                CopySigned(learnedUnitMajor.Slice(_permutation[i] * n, n), _signs[i], alignedUnitMajor.Slice(i * n, n));
        }

        private static void CopySigned(ReadOnlySpan<float> source, int sign, Span<float> destination)
        {
            if (sign > 0)
                source.CopyTo(destination);
            else
                System.Numerics.Tensors.TensorPrimitives.Negate(source, destination);
        }
    }
}
