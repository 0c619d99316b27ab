namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>Which whitening matrix <see cref="WhiteningEstimator"/> fits (as in ML.NET's VectorWhiten).</summary>
    public enum WhiteningKind
    {
        /// <summary>
        /// ZCA (Mahalanobis) whitening, W = U diag(1/√(λ + ε)) Uᵀ: symmetric, n outputs, the whitening closest to the
        /// input, so pixels stay pixels (edges are emphasised, the image layout is kept).
        /// </summary>
        Zca = 0,

        /// <summary>PCA whitening, W = diag(1/√(λ + ε)) Uᵀ: one output per principal direction, largest variance first.</summary>
        Pca = 1,
    }
}
