using System;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>Resolved thresholds of the pairwise-reweighting (spectral) initialization.</summary>
    internal sealed class SpectralSettings
    {
        /// <summary>Accept a pair only when |σ₁| / |σ₂| is at least this (the gap test).</summary>
        public double MinGapRatio { get; init; } = SharedAutoencoderEstimator.Defaults.SpectralMinimumGapRatio;

        /// <summary>Accept a pair only when |σ₁| is at least this fraction of tr(Σ|w_t| y_t y_tᵀ)/p (the "σ₁ is large" test).</summary>
        public double MinTraceFraction { get; init; } = SharedAutoencoderEstimator.Defaults.SpectralMinimumTraceFraction;

        /// <summary>A candidate within this distance (up to sign) of a vector already found is a duplicate.</summary>
        public double DuplicateDistance { get; init; } = SharedAutoencoderEstimator.Defaults.SpectralDuplicateDistance;

        /// <summary>At most this many pairs (u, v) are tried; null: <see cref="SharedAutoencoderEstimator.Defaults.SpectralMaximumPairs"/> of m and k.</summary>
        public int? MaxPairs { get; init; }

        /// <summary>The pair budget for <paramref name="hiddenUnits"/> columns: <see cref="MaxPairs"/> or its default.</summary>
        public int PairBudget(int hiddenUnits) => MaxPairs ?? SharedAutoencoderEstimator.Defaults.SpectralMaximumPairs(hiddenUnits, ExpectedSparsity);

        /// <summary>
        /// The pair search hands over to the residual search once this many pairs in a row added no vector; null: max(m, 100)
        /// (see <see cref="StallWindow"/>); 0: never (only the pair budget ends the pair search).
        /// </summary>
        public int? StallPairs { get; init; }

        /// <summary>
        /// The stopping window for <paramref name="hiddenUnits"/> columns: <see cref="StallPairs"/> or max(m, 100). With j of
        /// m atoms missing a pair adds one with probability ∝ j/m, so m pairs without a new atom mean few are missing —
        /// the residual search's case (measured on the n = 100, m = 150, k = 4 targets: 2–12 left for it).
        /// </summary>
        public int StallWindow(int hiddenUnits) => StallPairs ?? Math.Max(hiddenUnits, 100);

        /// <summary>p: the rows M̂_{u,v} averages over.</summary>
        public int SampleCount { get; init; } = SharedAutoencoderEstimator.Defaults.SpectralSampleCount;

        /// <summary>
        /// Whether rows (and u, v) are centered by the data mean before reweighting; null: when ‖ȳ‖² ≤ 5% of the mean
        /// ‖y‖² (sparse codes, ± or non-negative; not a mixture of ≤ 20 components). The refinement subtracts the Gaussian
        /// part 3·E[⟨y,z⟩²]·Σz (the fourth-cumulant power step) when the rows are centered or the mean is that small: it
        /// removes the second-order pull of the other atoms for zero-mean codes, while for a mixture (x = e_i) it would
        /// be a pull of relative size ≈ 3/m towards the data mean.
        /// </summary>
        public bool? CenterData { get; init; }

        /// <summary>k, the expected number of atoms per row: the support size of the least-squares codes of the residual search.</summary>
        public int ExpectedSparsity { get; init; } = SharedAutoencoderEstimator.Defaults.ExpectedSparsity;
    }
}
