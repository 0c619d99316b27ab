using System;

namespace Microsoft.ML.SharedAutoencoder.Rows
{
    /// <summary>A forward-only reader of consecutive training rows.</summary>
    internal interface ITrainingRowReader : IDisposable
    {
        /// <summary>
        /// Copies the next rows, at most <paramref name="maxRows"/>, row-major into <paramref name="destination"/>;
        /// returns how many were copied (fewer only at the end of the data, 0 once it is exhausted).
        /// </summary>
        int Read(Span<float> destination, int maxRows);
    }
}
