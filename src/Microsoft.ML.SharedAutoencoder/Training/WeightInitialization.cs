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
    }
}
