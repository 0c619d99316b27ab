using System;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// Training cannot go on because the loss or the gradient left float32 range or kept rising: the features are too
    /// large for the step size. The message says so in the core's terms; the estimator adds the ML.NET remedy.
    /// </summary>
    internal sealed class TrainingDivergedException : InvalidOperationException
    {
        public TrainingDivergedException(string message)
            : base(message)
        {
        }
    }
}
