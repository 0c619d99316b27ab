namespace Microsoft.ML.SharedAutoencoder.Examples.Featurization
{
    /// <summary>Puts an encoding and "no gradient training" into the estimator's options.</summary>
    internal static class EncodingOptions
    {
        public static void Apply(SharedAutoencoderEstimator.Options options, CodeEncodingSettings encoding)
        {
            // No gradient step: the sample atoms as drawn; the descent does not improve these features (docs/featurization.md).
            options.MaximumNumberOfIterations = 0;
            options.Encoding = encoding.Kind;
            options.SplitPolarity = encoding.SplitPolarity;
            if (encoding.Kind == CodeEncoding.SoftThreshold)
                options.EncodingThreshold = encoding.Threshold;
            if (encoding.Kind is CodeEncoding.TopK or CodeEncoding.OrthogonalMatchingPursuit)
                options.ActiveUnits = encoding.ActiveUnits;
        }
    }
}
