namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>The encoder's nonlinearity σ in x = σ(Wᵀy + b).</summary>
    public enum AutoencoderActivation
    {
        /// <summary>Rectified linear unit: x_i = max(0, z_i). The paper's choice for the mixture and non-negative models.</summary>
        Relu = 0,

        /// <summary>Hard threshold at λ: x_i = z_i when |z_i| &gt; λ, else 0. The paper's choice for sparse coding.</summary>
        HardThreshold = 1,
    }
}
