using System;

namespace Microsoft.ML.SharedAutoencoder.Rows
{
    /// <summary>
    /// The training rows as the numeric core sees them: a fixed number of rows of one dimension, read in order from
    /// the first row. <see cref="DenseRows"/> holds them in memory; a streaming source (the ML.NET layer's adapter over
    /// an IDataView) produces them anew on every pass, so data larger than memory can be trained on.
    /// </summary>
    /// <remarks>
    /// The gradient pass cuts rows into chunks by row index (<see cref="RowPartition.ChunkRows"/>) whatever the source,
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
        /// data (PCA) looks at. For <see cref="DenseRows"/> this is a view, not a copy; a streamed source gives at most
        /// the rows it was told it may hold.
        /// </summary>
        DenseRows Head(int maxRows);

        /// <summary>
        /// How many chunks of rows one wave of the gradient pass takes from <see cref="OpenBlocks"/>: a streamed source
        /// buffers two waves (the one computed and the one being read), so it keeps them small; rows in memory are only
        /// viewed, so <see cref="DenseRows"/> takes more and gives more threads work.
        /// </summary>
        int WaveChunks => 8;

        /// <summary>
        /// Opens a reader of consecutive blocks of rows for the gradient pass, each at most <paramref name="maxBlockRows"/>
        /// rows. By default the rows are read with <see cref="OpenReader"/> into two buffers, the next block on another
        /// thread while the caller computes on the current one; <see cref="DenseRows"/> gives views of its buffer.
        /// </summary>
        IRowBlockReader OpenBlocks(int maxBlockRows) => new PrefetchingBlockReader(this, maxBlockRows);
    }
}
