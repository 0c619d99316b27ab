using System;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// The training rows as the numeric core sees them: a fixed number of rows of one dimension, read in order from
    /// the first row. <see cref="DenseRows"/> holds them in memory; a streaming source (the ML.NET layer's adapter over
    /// an IDataView) produces them anew on every pass, so data larger than memory can be trained on.
    /// </summary>
    /// <remarks>
    /// The gradient pass cuts rows into chunks by row index (<see cref="GradientPass.ChunkRows"/>) whatever the source,
    /// so a streamed pass does the same arithmetic in the same order as an in-memory one: the results are bit-identical.
    /// </remarks>
    internal interface ITrainingRows
    {
        /// <summary>n: the length of every row.</summary>
        int Dimension { get; }

        /// <summary>N: the number of rows; every reader yields exactly this many.</summary>
        long RowCount { get; }

        /// <summary>Starts a sequential read at row 0. Each call gives an independent reader.</summary>
        ITrainingRowReader OpenReader();

        /// <summary>
        /// The first <paramref name="maxRows"/> rows (or all, if fewer) in memory: what an initializer that needs the
        /// data (PCA) looks at. For <see cref="DenseRows"/> this is a view, not a copy.
        /// </summary>
        DenseRows Head(int maxRows);
    }

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
