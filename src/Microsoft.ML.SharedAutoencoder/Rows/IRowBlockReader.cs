using System;

namespace Microsoft.ML.SharedAutoencoder.Rows
{
    /// <summary>Consecutive blocks of training rows for the gradient pass (see <see cref="ITrainingRows.OpenBlocks"/>).</summary>
    internal interface IRowBlockReader : IDisposable
    {
        /// <summary>
        /// The next <paramref name="rows"/> rows, row-major, valid until the next call. <paramref name="nextRows"/> is how
        /// many rows the following call will ask for (0: none before <see cref="Rewind"/>), so a streamed source can read
        /// them while the caller computes on these.
        /// </summary>
        /// <exception cref="InvalidOperationException">The rows ended before their reported row count.</exception>
        ReadOnlyMemory<float> Next(int rows, int nextRows);

        /// <summary>Starts again at row 0 (a streamed source reopens its reader at the next <see cref="Next"/>).</summary>
        void Rewind();
    }
}
