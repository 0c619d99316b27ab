namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// How a trained autoencoder turns an input row y into features. Every kind starts from the projections p = Wᵀy of
    /// the row on the unit weight vectors (the dictionary atoms); z = p + b is the encoder's pre-activation.
    /// </summary>
    /// <remarks>
    /// With <see cref="CodeEncodingSettings.SplitPolarity"/> every kind gives 2m features: the first m from the atoms W_i,
    /// the last m from the mirrored atoms −W_i. The bias is a per-unit threshold shared by both polarities, so the
    /// mirrored half uses −p + b (not −z = −p − b): with b = 0 the split code is exactly [σ(z), σ(−z)], and with b = −α it
    /// is Coates &amp; Ng's [max(0, p − α), max(0, −p − α)]. Under −z instead, a bias that keeps a unit quiet on its own
    /// side would make the mirrored unit fire more easily, which no trained bias means.
    /// </remarks>
    public enum CodeEncoding
    {
        /// <summary>
        /// The model's own nonlinearity, x = σ(z): what the autoencoder was trained with. Split: the positive part of σ on
        /// each polarity, [σ⁺(p + b), σ⁺(−p + b)] (σ⁺(u) = u where σ fires on a positive u, else 0); for the
        /// <see cref="AutoencoderActivation.TopK"/> activation, the k largest of those 2m values (as <see cref="TopK"/>).
        /// </summary>
        Activation = 0,

        /// <summary>
        /// Soft threshold x = max(0, z − α) with α ≥ 0 (<see cref="CodeEncodingSettings.Threshold"/>): ReLU shifted so that
        /// only correlations above α fire. Split: [max(0, p + b − α), max(0, −p + b − α)].
        /// </summary>
        SoftThreshold = 1,

        /// <summary>
        /// Keep the k largest pre-activations of each row (k = <see cref="CodeEncodingSettings.ActiveUnits"/>), zero the
        /// rest: exactly k nonzeros when at least k are positive (non-positive values are never kept); ties go to the lower
        /// index. After Makhzani &amp; Frey's k-sparse autoencoders (2013). Split: the k largest of the 2m values
        /// [p + b, −p + b].
        /// </summary>
        TopK = 2,

        /// <summary>
        /// Sparse inference on the learned dictionary: orthogonal matching pursuit picks up to k atoms
        /// (k = <see cref="CodeEncodingSettings.ActiveUnits"/>) greedily and gives the least-squares coefficients on them,
        /// so the residual y − W x is orthogonal to every chosen atom (scikit-learn's SparseCoder with
        /// transform_algorithm='omp'). The bias is not used; coefficients may be negative. Split: [max(0, x), max(0, −x)].
        /// It stops early when no atom is left that explains a meaningful part of the residual.
        /// </summary>
        OrthogonalMatchingPursuit = 3,
    }
}
