using System;

namespace Microsoft.ML.SharedAutoencoder.Rows
{
    /// <summary>
    /// How passes over the rows split them for threads. The split depends on the row count only, never on the number of
    /// threads, so every sum over rows is added in the same order and the results are bit-identical on any machine.
    /// </summary>
    internal static class RowPartition
    {
        /// <summary>Rows per chunk of the gradient pass (a multiple of the kernel's block of rows).</summary>
        public const int ChunkRows = 1024;

        /// <summary>The most parts a side pass (re-seeding, refit, spectral residuals) splits the rows into.</summary>
        private const int MaxParts = 16;

        /// <summary>Chunks of <see cref="ChunkRows"/> needed for <paramref name="rowCount"/> rows.</summary>
        public static long ChunkCount(long rowCount) => (rowCount + ChunkRows - 1) / ChunkRows;

        /// <summary>
        /// How side passes over in-memory rows split <paramref name="rowCount"/> rows: one part per chunk, at least one
        /// and at most 16.
        /// </summary>
        public static int PartCount(int rowCount) => (int)Math.Clamp((rowCount + ChunkRows - 1L) / ChunkRows, 1, MaxParts);

        /// <summary>The rows [Start, End) of part <paramref name="part"/> of <paramref name="parts"/> equal parts.</summary>
        public static (int Start, int End) Part(int rowCount, int part, int parts) =>
            ((int)((long)rowCount * part / parts), (int)((long)rowCount * (part + 1) / parts));
    }
}
