using Microsoft.ML.SharedAutoencoder.Model;

namespace Microsoft.ML.SharedAutoencoder.Examples
{
    /// <summary>Puts an encoding and "no gradient training" into the estimator's options.</summary>
    internal static class EncodingOptions
    {
        public static void Apply(SharedAutoencoderEstimator.Options options, CodeEncodingSettings encoding)
        {
            // Placeholder until the estimator takes an encoding: one step so small it leaves the sample atoms as they are.
            options.MaximumNumberOfIterations = 1;
            options.LearningRate = 1e-6f;
            if (encoding.Kind != CodeEncoding.Activation || encoding.SplitPolarity)
                throw new UsageException($"The estimator does not take the encoding {encoding.Kind} yet.");
        }
    }
}
