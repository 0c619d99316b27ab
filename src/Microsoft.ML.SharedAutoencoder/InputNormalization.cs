namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// How the transform rescales its input before encoding. The statistics are fitted on the training rows and stored in
    /// the model, so a pipeline needs no separate normalizer and a model trained on pixels 0–255 and one trained on 0–1
    /// give the same codes.
    /// </summary>
    public enum InputNormalization
    {
        /// <summary>None: the autoencoder sees the rows as they are (the paper's setting; scale them upstream).</summary>
        None = 0,

        /// <summary>
        /// Center on the training mean μ and divide by one scalar s, the root mean square of the centered training values,
        /// s = sqrt(trace(C)/n) (C the training covariance): the autoencoder works on (y − μ)/s, whose features have unit
        /// variance on average, and the reconstruction is s·Wx + μ. One scalar keeps the relative scale of the features
        /// (no feature's noise is blown up, as per-feature scaling would) and makes thresholds such as the soft threshold
        /// α = 0.5 mean the same on any input scale.
        /// </summary>
        CenterAndScale = 1,
    }
}
