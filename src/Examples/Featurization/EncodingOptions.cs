namespace Microsoft.ML.SharedAutoencoder.Examples.Featurization
{
    /// <summary>Puts an encoding and "no gradient training" into the estimator's options.</summary>
    internal static class EncodingOptions
    {
        public static void Apply(SharedAutoencoderEstimator.Options options, CodeEncodingSettings encoding)
        {
            // One step so small it leaves the sample atoms as they are: the descent does not improve these features.
            options.MaximumNumberOfIterations = 1;
            options.LearningRate = 1e-6f;
            options.Encoding = encoding.Kind;
            options.SplitPolarity = encoding.SplitPolarity;
            if (encoding.Kind == CodeEncoding.SoftThreshold)
                options.EncodingThreshold = encoding.Threshold;
            if (encoding.Kind is CodeEncoding.TopK or CodeEncoding.OrthogonalMatchingPursuit)
                options.ActiveUnits = encoding.ActiveUnits;
        }
    }
}
