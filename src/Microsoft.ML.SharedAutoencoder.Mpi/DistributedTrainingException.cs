using System;

namespace Microsoft.ML.SharedAutoencoder.Mpi
{
    /// <summary>
    /// Distributed training stopped on every rank because one rank failed (a bad row, an exception, a cancellation) or
    /// the ranks disagree (shards, options). Every rank throws it, with the same message; on the rank that failed,
    /// <see cref="Exception.InnerException"/> is the original exception. No model is returned on any rank.
    /// </summary>
    public sealed class DistributedTrainingException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="failedRank">The rank whose failure stopped the training, or -1 when the ranks disagree.</param>
        /// <param name="message">The message, the same on every rank.</param>
        /// <param name="inner">The original exception on the failing rank; null elsewhere.</param>
        public DistributedTrainingException(int failedRank, string message, Exception? inner = null)
            : base(message, inner)
        {
            FailedRank = failedRank;
        }

        /// <summary>The rank whose failure stopped the training (the lowest one if several failed), or -1 when the ranks disagree.</summary>
        public int FailedRank { get; }
    }
}
