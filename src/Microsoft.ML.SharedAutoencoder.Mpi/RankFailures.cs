using System;
using System.Runtime.ExceptionServices;
using System.Text;

namespace Microsoft.ML.SharedAutoencoder.Mpi
{
    /// <summary>
    /// Turns a failure on one rank into the same exception on every rank. Every collective step of distributed training
    /// carries a status (the lowest failing rank, or -1); once every rank knows who failed, that rank broadcasts its
    /// error message and all of them throw <see cref="DistributedTrainingException"/>. Ranks therefore never wait for
    /// a rank that has given up, and none returns a model.
    /// </summary>
    internal static class RankFailures
    {
        /// <summary>Status meaning that no rank failed.</summary>
        public const int None = -1;

        /// <summary>Throws on every rank the failure of <paramref name="failedRank"/>; a collective call, every rank must make it.</summary>
        public static DistributedTrainingException Throw(MPI.Intracommunicator communicator, int failedRank, ExceptionDispatchInfo? localFailure, string stage)
        {
            byte[] text = communicator.Rank == failedRank
                ? Encoding.UTF8.GetBytes(Describe(localFailure?.SourceException))
                : Array.Empty<byte>();
            int length = text.Length;
            communicator.Broadcast(ref length, failedRank);
            if (communicator.Rank != failedRank)
                text = new byte[length];
            if (length > 0)
                communicator.Broadcast(ref text, failedRank);
            string message = $"Distributed training stopped {stage}: rank {failedRank} of {communicator.Size} failed: {Encoding.UTF8.GetString(text)}";
            throw new DistributedTrainingException(failedRank, message, localFailure?.SourceException);
        }

        private static string Describe(Exception? error)
            => error is null ? "(no message)" : $"{error.GetType().Name}: {error.Message}";
    }
}
