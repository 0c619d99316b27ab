using System;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// Options of the generative bilinear model y = A x* + η (A is n×m with unit-norm columns, x* a latent code,
    /// η ~ N(0, σ²I)) behind <see cref="BilinearModel"/> and <c>mlContext.Data.LoadFromBilinearModel</c>.
    /// </summary>
    public sealed class BilinearModelOptions
    {
        /// <summary>n, the length of an observation y (the <c>Features</c> column). Must be positive. Default: 100.</summary>
        public int FeatureCount { get; set; } = 100;

        /// <summary>
        /// m, the number of atoms (columns of A), the length of x* (the <c>LatentCode</c> column). Must be positive;
        /// m &gt; n is allowed (overcomplete), but for <see cref="LatentCodeModel.MixtureOfGaussians"/> it is reported as
        /// a warning. Default: 100.
        /// </summary>
        public int AtomCount { get; set; } = 100;

        /// <summary>How the latent code is drawn. Default: <see cref="LatentCodeModel.SparseCoding"/>.</summary>
        public LatentCodeModel LatentCodeModel { get; set; } = LatentCodeModel.SparseCoding;

        /// <summary>
        /// k, the number of nonzeros of x* for the sparse-coding models, 1 ≤ k ≤ m. Ignored by
        /// <see cref="LatentCodeModel.MixtureOfGaussians"/> (whose code has exactly one nonzero). Default: 5.
        /// </summary>
        public int Sparsity { get; set; } = 5;

        /// <summary>
        /// Distribution of the nonzero values for <see cref="LatentCodeModel.SparseCoding"/>.
        /// Default: <see cref="SparseValueDistribution.Rademacher"/>.
        /// </summary>
        public SparseValueDistribution SparseValueDistribution { get; set; } = SparseValueDistribution.Rademacher;

        /// <summary>
        /// a1, the lower bound of the nonzero magnitudes (before the rescaling of
        /// <see cref="SparseValueDistribution.SignedUniform"/>). Used by <see cref="LatentCodeModel.NonNegativeSparseCoding"/>
        /// and by <see cref="SparseValueDistribution.SignedUniform"/>; always checked: finite and 0 &lt; a1 ≤ a2. Default: 1.
        /// </summary>
        public float ValueLowerBound { get; set; } = 1f;

        /// <summary>a2, the upper bound of the nonzero magnitudes; finite and ≥ a1. Default: 2.</summary>
        public float ValueUpperBound { get; set; } = 2f;

        /// <summary>σ, the standard deviation of each noise entry; finite and ≥ 0 (0: noiseless). Default: 0.</summary>
        public float NoiseStandardDeviation { get; set; }

        /// <summary>
        /// Mixture weights p_i for <see cref="LatentCodeModel.MixtureOfGaussians"/>: m finite non-negative entries with a
        /// positive sum, normalized to sum 1. Null: uniform. Ignored by the other models. Default: null.
        /// </summary>
        public double[]? MixtureProbabilities { get; set; }

        /// <summary>
        /// A user-supplied dictionary as its columns (m arrays of length n, array i = atom A_i), copied. Entries must be
        /// finite and no column zero; columns must have unit norm (within 1e-4) unless
        /// <see cref="NormalizeDictionary"/> is set. Null: Gaussian columns normalized to unit norm. Default: null.
        /// </summary>
        public float[][]? Dictionary { get; set; }

        /// <summary>
        /// Whether a user-supplied <see cref="Dictionary"/> is rescaled to unit-norm columns instead of being rejected
        /// when its columns are not unit-norm. Default: false.
        /// </summary>
        public bool NormalizeDictionary { get; set; }

        /// <summary>
        /// An upper bound on the mutual coherence μ = √n·max_{i≠j}|⟨A_i, A_j⟩| of the random dictionary: it is
        /// resampled until μ ≤ the bound, at most <see cref="MaxDictionaryAttempts"/> times. A supplied
        /// <see cref="Dictionary"/> is checked against it instead. Must be positive when set. Null: no bound. Default: null.
        /// </summary>
        public double? MaxMutualCoherence { get; set; }

        /// <summary>How many random dictionaries are drawn at most to satisfy <see cref="MaxMutualCoherence"/>; ≥ 1. Default: 100.</summary>
        public int MaxDictionaryAttempts { get; set; } = 100;

        /// <summary>
        /// The seed of the dictionary and of every row. Null: drawn from the <see cref="MLContext"/>'s random source when
        /// loaded through the catalog; required when creating a <see cref="BilinearModel"/> directly. Default: null.
        /// </summary>
        public int? Seed { get; set; }

        // The largest noise level and code value whose rows stay finite in float32 (see Validate).
        private const float MaxMagnitude = 1e18f;

        /// <summary>Checks every option (except <see cref="Seed"/>), throwing with the option's name and value.</summary>
        internal void Validate()
        {
            if (FeatureCount <= 0)
                throw new ArgumentOutOfRangeException(nameof(FeatureCount), FeatureCount, $"{nameof(FeatureCount)} (n) must be positive, got {FeatureCount}.");
            if (AtomCount <= 0)
                throw new ArgumentOutOfRangeException(nameof(AtomCount), AtomCount, $"{nameof(AtomCount)} (m) must be positive, got {AtomCount}.");
            if ((long)FeatureCount * AtomCount > Array.MaxLength)
            {
                throw new ArgumentOutOfRangeException(nameof(AtomCount), AtomCount,
                    $"{nameof(FeatureCount)} × {nameof(AtomCount)} (n·m = {(long)FeatureCount * AtomCount}) must be at most {Array.MaxLength}, the values one .NET array holds (the dictionary A is one array); got {nameof(FeatureCount)} = {FeatureCount}, {nameof(AtomCount)} = {AtomCount}.");
            }
            if (!Enum.IsDefined(LatentCodeModel))
                throw new ArgumentOutOfRangeException(nameof(LatentCodeModel), LatentCodeModel, $"Unknown {nameof(LatentCodeModel)} {LatentCodeModel}.");
            if (!Enum.IsDefined(SparseValueDistribution))
                throw new ArgumentOutOfRangeException(nameof(SparseValueDistribution), SparseValueDistribution, $"Unknown {nameof(SparseValueDistribution)} {SparseValueDistribution}.");
            if (LatentCodeModel != LatentCodeModel.MixtureOfGaussians && (Sparsity <= 0 || Sparsity > AtomCount))
                throw new ArgumentOutOfRangeException(nameof(Sparsity), Sparsity, $"{nameof(Sparsity)} (k) must be in [1, {nameof(AtomCount)} = {AtomCount}], got {Sparsity}.");
            if (!float.IsFinite(ValueLowerBound) || ValueLowerBound <= 0)
                throw new ArgumentOutOfRangeException(nameof(ValueLowerBound), ValueLowerBound, $"{nameof(ValueLowerBound)} (a1) must be finite and positive (nonzero values are bounded away from zero), got {ValueLowerBound}.");
            if (!float.IsFinite(ValueUpperBound) || ValueUpperBound < ValueLowerBound)
                throw new ArgumentOutOfRangeException(nameof(ValueUpperBound), ValueUpperBound, $"{nameof(ValueUpperBound)} (a2) must be finite and ≥ {nameof(ValueLowerBound)} (a1) = {ValueLowerBound}, got {ValueUpperBound}.");
            if (!float.IsFinite(NoiseStandardDeviation) || NoiseStandardDeviation < 0)
                throw new ArgumentOutOfRangeException(nameof(NoiseStandardDeviation), NoiseStandardDeviation, $"{nameof(NoiseStandardDeviation)} (σ) must be finite and non-negative, got {NoiseStandardDeviation}.");
            // Rows are drawn in float32 (the noise as √(−2σ² ln u)·cos θ, the signal as sums of k values): past these
            // bounds they overflow to ∞. Rows that large could not be trained anyway (the loss overflows near ‖y‖ = 10¹⁹).
            if (NoiseStandardDeviation > MaxMagnitude)
                throw new ArgumentOutOfRangeException(nameof(NoiseStandardDeviation), NoiseStandardDeviation, $"{nameof(NoiseStandardDeviation)} (σ) must be at most {MaxMagnitude:G3}: larger noise overflows float32 when rows are drawn; got {NoiseStandardDeviation}.");
            if (ValueUpperBound > MaxMagnitude)
                throw new ArgumentOutOfRangeException(nameof(ValueUpperBound), ValueUpperBound, $"{nameof(ValueUpperBound)} (a2) must be at most {MaxMagnitude:G3}: larger values overflow float32 when rows are drawn; got {ValueUpperBound}.");
            if (MixtureProbabilities is double[] p && LatentCodeModel == LatentCodeModel.MixtureOfGaussians)
                ValidateProbabilities(p);
            if (Dictionary is float[][] dictionary)
                ValidateDictionaryShape(dictionary);
            if (MaxMutualCoherence is double bound && !(bound > 0 && !double.IsNaN(bound)))
                throw new ArgumentOutOfRangeException(nameof(MaxMutualCoherence), bound, $"{nameof(MaxMutualCoherence)} must be positive when set, got {bound}.");
            if (MaxDictionaryAttempts < 1)
                throw new ArgumentOutOfRangeException(nameof(MaxDictionaryAttempts), MaxDictionaryAttempts, $"{nameof(MaxDictionaryAttempts)} must be at least 1, got {MaxDictionaryAttempts}.");
        }

        private void ValidateProbabilities(double[] p)
        {
            if (p.Length != AtomCount)
                throw new ArgumentException($"{nameof(MixtureProbabilities)} must have {nameof(AtomCount)} = {AtomCount} entries, got {p.Length}.", nameof(MixtureProbabilities));
            double sum = 0;
            for (int i = 0; i < p.Length; i++)
            {
                if (!double.IsFinite(p[i]) || p[i] < 0)
                    throw new ArgumentException($"{nameof(MixtureProbabilities)} entries must be finite and non-negative, got {p[i]} at index {i}.", nameof(MixtureProbabilities));
                sum += p[i];
            }
            if (!(sum > 0) || !double.IsFinite(sum))
                throw new ArgumentException($"{nameof(MixtureProbabilities)} must have a positive finite sum, got {sum}.", nameof(MixtureProbabilities));
        }

        private void ValidateDictionaryShape(float[][] dictionary)
        {
            if (dictionary.Length != AtomCount)
                throw new ArgumentException($"{nameof(Dictionary)} must hold {nameof(AtomCount)} = {AtomCount} columns, got {dictionary.Length}.", nameof(Dictionary));
            for (int i = 0; i < dictionary.Length; i++)
            {
                float[]? column = dictionary[i];
                if (column is null || column.Length != FeatureCount)
                    throw new ArgumentException($"{nameof(Dictionary)} column {i} must have {nameof(FeatureCount)} = {FeatureCount} entries, got {(column is null ? "null" : column.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))}.", nameof(Dictionary));
                double squaredNorm = 0;
                foreach (float value in column)
                {
                    if (!float.IsFinite(value))
                        throw new ArgumentException($"{nameof(Dictionary)} column {i} has a non-finite entry {value}.", nameof(Dictionary));
                    squaredNorm += (double)value * value;
                }
                if (squaredNorm == 0)
                    throw new ArgumentException($"{nameof(Dictionary)} column {i} is zero.", nameof(Dictionary));
                if (!NormalizeDictionary && Math.Abs(Math.Sqrt(squaredNorm) - 1) > UnitNormTolerance)
                    throw new ArgumentException($"{nameof(Dictionary)} column {i} has norm {Math.Sqrt(squaredNorm)}, not 1 (within {UnitNormTolerance}); normalize it or set {nameof(NormalizeDictionary)}.", nameof(Dictionary));
            }
        }

        internal const double UnitNormTolerance = 1e-4;

        /// <summary>A shallow copy with the arrays copied, so later edits of the caller's options change nothing.</summary>
        internal BilinearModelOptions Clone()
        {
            var copy = (BilinearModelOptions)MemberwiseClone();
            copy.MixtureProbabilities = (double[]?)MixtureProbabilities?.Clone();
            copy.Dictionary = Dictionary is null ? null : Array.ConvertAll(Dictionary, column => (float[])column?.Clone()!);
            return copy;
        }
    }
}
