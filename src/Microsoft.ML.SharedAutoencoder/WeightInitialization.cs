namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>How the weights W⁰ are chosen before the first gradient step.</summary>
    public enum WeightInitialization
    {
        /// <summary>Each column drawn from N(0, I/n), then normalized to unit length.</summary>
        Random = 0,

        /// <summary>The top-m right singular vectors of the (uncentered) data matrix; needs m ≤ n and at least m rows.</summary>
        Pca = 1,

        /// <summary>A user-supplied n×m matrix (normalized column by column before use).</summary>
        Given = 2,

        /// <summary>
        /// Columns seeded from normalized data rows chosen k-means++ style: the first uniformly, each next one with
        /// probability proportional to its squared distance to the nearest column already chosen. The natural
        /// data-driven start for a mixture. Deterministic given the seed.
        /// </summary>
        Samples = 3,

        /// <summary>
        /// The pairwise-reweighting spectral method of Arora, Ge, Ma and Moitra (COLT 2015, Algorithm 3): for random
        /// pairs of rows (u, v), the top eigenvector of (1/p) Σ ⟨y,u⟩⟨y,v⟩ y yᵀ is kept when its eigenvalue is large
        /// and separated from the second and it is not a vector already found; missing columns are completed as
        /// <see cref="Samples"/> does. Its thresholds are the <c>Spectral…</c> options; the history's
        /// <see cref="TrainingHistory.Initialization"/> reports how many columns it found.
        /// </summary>
        Spectral = 4,
    }
}
