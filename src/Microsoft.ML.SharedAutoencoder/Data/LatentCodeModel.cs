namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>How the latent code x* of the bilinear model y = A x* + η is drawn.</summary>
    public enum LatentCodeModel
    {
        /// <summary>
        /// Mixture of spherical Gaussians: x* = e_i, component i drawn with probability p_i, so y = A_i + η.
        /// </summary>
        MixtureOfGaussians,

        /// <summary>
        /// k-sparse coding: a support of k distinct atoms drawn uniformly, nonzero values with zero mean and unit
        /// second moment (see <see cref="SparseValueDistribution"/>).
        /// </summary>
        SparseCoding,

        /// <summary>
        /// Non-negative k-sparse coding: a support of k distinct atoms drawn uniformly, nonzero values uniform in
        /// [<see cref="BilinearModelOptions.ValueLowerBound"/>, <see cref="BilinearModelOptions.ValueUpperBound"/>].
        /// </summary>
        NonNegativeSparseCoding,
    }

    /// <summary>The distribution of the nonzero values of a <see cref="LatentCodeModel.SparseCoding"/> code.</summary>
    public enum SparseValueDistribution
    {
        /// <summary>Rademacher: ±1 with equal probability.</summary>
        Rademacher,

        /// <summary>
        /// A random sign times a magnitude uniform in [a1, a2] (<see cref="BilinearModelOptions.ValueLowerBound"/>,
        /// <see cref="BilinearModelOptions.ValueUpperBound"/>), multiplied by c = √(3 / (a1² + a1·a2 + a2²)) so that
        /// E[x] = 0 and E[x²] = 1. Magnitudes therefore lie in [c·a1, c·a2]: bounded away from zero, and
        /// sub-Gaussian because bounded.
        /// </summary>
        SignedUniform,
    }
}
