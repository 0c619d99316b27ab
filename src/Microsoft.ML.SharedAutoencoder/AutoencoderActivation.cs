namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>The encoder's nonlinearity σ in x = σ(Wᵀy + b).</summary>
    public enum AutoencoderActivation
    {
        /// <summary>Rectified linear unit: x_i = max(0, z_i). The paper's choice for the mixture and non-negative models.</summary>
        Relu = 0,

        /// <summary>Hard threshold at λ: x_i = z_i when |z_i| &gt; λ, else 0. The paper's choice for sparse coding.</summary>
        HardThreshold = 1,

        /// <summary>
        /// Top-k (the k-sparse autoencoder of Makhzani &amp; Frey, 2013): x_i = z_i for the k largest pre-activations of the
        /// row, 0 for the others (k = <see cref="SharedAutoencoderEstimator.Options.ActiveUnits"/>, stored in the model).
        /// The k largest by value, and only positive ones: exactly k nonzeros when at least k pre-activations are positive,
        /// fewer otherwise (the top-k of max(0, z)); ties go to the lower index. Linear on its support, so training follows
        /// the gradient of ½‖y − Wx‖² with the support held fixed, as Makhzani &amp; Frey do. A row-wise nonlinearity: the
        /// code has exactly the sparsity asked for whatever the scale of the data.
        /// </summary>
        TopK = 2,
    }
}
