using System;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Mpi
{
    /// <summary>
    /// Data-parallel training of a <see cref="SharedAutoencoderEstimator"/> over MPI: every rank gives its own shard of
    /// one dataset, computes the partial sums of its rows, and the ranks combine them so that every rank takes the same
    /// step and ends with the same transformer, bit-identical to <see cref="SharedAutoencoderEstimator.Fit(IDataView)"/>
    /// in one process on the shards concatenated in rank order.
    /// </summary>
    /// <remarks>
    /// <para>Shards: rank r holds the rows [s_r, s_{r+1}) of the dataset, and every shard but the last holds a multiple of
    /// <see cref="ShardAlignment"/> rows (the chunk of the gradient pass, whose order fixes the rounding);
    /// <see cref="ShardRange"/> gives such a split.</para>
    /// <para>Initialization: W⁰ is computed on rank 0 and broadcast. Random and Given are then exactly as in one process;
    /// Pca, Samples and Spectral look at rank 0's shard only (its first rows, as one process looks at the first rows of
    /// the data), so they equal one process when the rows that one process would look at are in rank 0's shard.</para>
    /// <para>Not supported (refused with an error on every rank): mini-batches (<c>BatchSize</c> below the total row
    /// count), dead-unit re-seeding and the final least-squares refit, which need passes over all rows held in memory.</para>
    /// </remarks>
    public static class DistributedTraining
    {
        /// <summary>Every shard but the last must hold a multiple of this many rows: the gradient pass's chunk.</summary>
        public const int ShardAlignment = RowPartition.ChunkRows;

        /// <summary>
        /// The rows of rank <paramref name="rank"/> when <paramref name="totalRows"/> rows are split between
        /// <paramref name="size"/> ranks: [r·N/P, (r+1)·N/P) counted in chunks of <see cref="ShardAlignment"/> rows
        /// (exactly [r·N/P, (r+1)·N/P) when N is a multiple of 1,024·P), so every shard but the last is aligned.
        /// </summary>
        /// <param name="totalRows">N, the rows of the whole dataset.</param>
        /// <param name="rank">r, in [0, P).</param>
        /// <param name="size">P, the number of ranks; at most the number of chunks ⌈N / 1,024⌉.</param>
        /// <returns>The first row and the number of rows of the shard.</returns>
        public static (long FirstRow, long RowCount) ShardRange(long totalRows, int rank, int size)
        {
            if (size < 1)
                throw new ArgumentOutOfRangeException(nameof(size), size, $"{nameof(size)} must be positive, got {size}.");
            if (rank < 0 || rank >= size)
                throw new ArgumentOutOfRangeException(nameof(rank), rank, $"{nameof(rank)} must be in [0, {size}), got {rank}.");
            long chunks = (totalRows + ShardAlignment - 1) / ShardAlignment;
            if (totalRows <= 0 || chunks < size)
                throw new ArgumentOutOfRangeException(nameof(totalRows), totalRows,
                    $"{totalRows} rows make {chunks} chunks of {ShardAlignment} rows, fewer than the {size} ranks: every rank needs at least one chunk. Use at most {chunks} ranks.");
            long first = ShardAlignment * (long)(rank * (decimal)chunks / size);
            long end = Math.Min(totalRows, ShardAlignment * (long)((rank + 1) * (decimal)chunks / size));
            return (first, end - first);
        }

        /// <summary>
        /// Loads this rank's shard (<see cref="ShardRange"/>) of <paramref name="totalRows"/> rows of the bilinear model:
        /// each rank generates only its own rows. Set <see cref="BilinearModelOptions.Seed"/>: every rank must use the same model.
        /// </summary>
        /// <param name="catalog">The data catalog of an <see cref="MLContext"/>.</param>
        /// <param name="options">The model, with its seed set.</param>
        /// <param name="totalRows">N, the rows of the whole dataset.</param>
        /// <param name="communicator">The ranks sharing the dataset.</param>
        public static BilinearModelDataView LoadFromBilinearModelShard(this DataOperationsCatalog catalog, BilinearModelOptions options, long totalRows, MPI.Intracommunicator communicator)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentNullException.ThrowIfNull(communicator);
            if (options.Seed is null)
                throw new ArgumentException($"Set {nameof(BilinearModelOptions)}.{nameof(BilinearModelOptions.Seed)}: every rank must generate rows of the same model.", nameof(options));
            (long first, long count) = ShardRange(totalRows, communicator.Rank, communicator.Size);
            return catalog.LoadFromBilinearModel(options, count, first);
        }

        /// <summary>
        /// Trains on the shards of all ranks of <paramref name="communicator"/>; a collective call that every rank makes
        /// with its own shard and the same estimator options. Every rank returns the same transformer, bit-identical to
        /// a one-process <see cref="SharedAutoencoderEstimator.Fit(IDataView)"/> on the shards concatenated in rank order
        /// (see <see cref="DistributedTraining"/> for the shards and the initialization). Save it on rank 0 with
        /// <c>mlContext.Model.Save</c>: the file is an ordinary model file that loads anywhere, without MPI.
        /// </summary>
        /// <param name="estimator">The estimator, created with the same options on every rank.</param>
        /// <param name="shard">This rank's rows (the input column as for <c>Fit</c>).</param>
        /// <param name="communicator">The ranks taking part, e.g. <see cref="MpiSession.World"/>.</param>
        /// <param name="cancellationToken">Cancels training on every rank (checked once per pass).</param>
        /// <returns>The fitted transformer, the same on every rank.</returns>
        /// <exception cref="DistributedTrainingException">A rank failed (bad data, an exception, a cancellation) or the ranks
        /// disagree (dimensions, options, unaligned shards): thrown on every rank, and no rank returns a model.</exception>
        public static SharedAutoencoderTransformer FitDistributed(this SharedAutoencoderEstimator estimator, IDataView shard, MPI.Intracommunicator communicator, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(estimator);
            ArgumentNullException.ThrowIfNull(communicator);
            IHost host = estimator.Host;
            using IChannel channel = host.Start("Distributed training of a shared autoencoder");

            TrainerSettings? settings = null;
            CodeEncodingSettings? encoding = null;
            ITrainingRows? rows = null;
            ExceptionDispatchInfo? failure = null;
            try
            {
                ArgumentNullException.ThrowIfNull(shard);
                (settings, encoding, rows) = estimator.PrepareFit(shard, channel);
            }
            catch (Exception error)
            {
                failure = ExceptionDispatchInfo.Capture(error);
            }
            long totalRows = Agree(communicator, failure, settings, encoding, rows);
            CheckSupported(settings!, totalRows);

            ITrainingMonitor monitor = SharedAutoencoderEstimator.CreateDataParallelMonitor(channel);
            monitor.Info(string.Format(CultureInfo.InvariantCulture, "Rank {0} of {1}: {2} of {3} rows; the passes are combined in rank order (bit-identical to one process).",
                communicator.Rank, communicator.Size, rows!.RowCount, totalRows));
            var combiner = new MpiPassCombiner(communicator, rows.Dimension, settings!.HiddenUnits, cancellationToken);
            // Cancellation reaches the trainer through the combiner only, so that every rank stops at the same pass.
            SharedAutoencoderTransformer transformer = estimator.Train(settings, encoding!, rows, monitor, CancellationToken.None, combiner);
            monitor.Info(string.Format(CultureInfo.InvariantCulture,
                "Rank {0}: combining the passes took {1:F6} s over {2} passes (waiting for the other ranks included), of which {3:F6} s adding this rank's chunks.",
                communicator.Rank, combiner.CommunicationSeconds, combiner.Passes, combiner.FoldSeconds));
            return transformer;
        }

        /// <summary>
        /// The collective check before training: throws on every rank if any rank failed to prepare its shard, or if the
        /// ranks disagree on the dimension or the options, or the shards are not aligned. Returns the total row count.
        /// </summary>
        private static long Agree(MPI.Intracommunicator communicator, ExceptionDispatchInfo? failure, TrainerSettings? settings, CodeEncodingSettings? encoding, ITrainingRows? rows)
        {
            const int Facts = 4;
            long[] local = failure != null
                ? new long[] { communicator.Rank, 0, 0, 0 }
                : new long[] { RankFailures.None, rows!.Dimension, rows.RowCount, Fingerprint(settings!, encoding!) };
            long[] all = communicator.AllgatherFlattened(local, Facts);
            for (int r = 0; r < communicator.Size; r++)
            {
                if (all[r * Facts] != RankFailures.None)
                    throw RankFailures.Throw(communicator, r, failure, "before training");
            }
            long total = 0;
            for (int r = 0; r < communicator.Size; r++)
            {
                long dimension = all[r * Facts + 1], count = all[r * Facts + 2], fingerprint = all[r * Facts + 3];
                if (dimension != all[1])
                    throw Disagree($"rank {r}'s rows have dimension {dimension}, rank 0's {all[1]}: every rank must give the same input column.");
                if (fingerprint != all[3])
                    throw Disagree($"rank {r} was given other training options than rank 0: every rank must create the estimator with the same options.");
                if (r < communicator.Size - 1 && count % ShardAlignment != 0)
                    throw Disagree(string.Format(CultureInfo.InvariantCulture,
                        "rank {0} holds {1} rows, not a multiple of {2}: every shard but the last must hold whole chunks of {2} rows for the model to be identical to one process. Split the rows with DistributedTraining.ShardRange.",
                        r, count, ShardAlignment));
                total += count;
            }
            return total;
        }

        private static DistributedTrainingException Disagree(string reason)
            => new(-1, "Distributed training cannot start: " + reason);

        /// <summary>The options a data-parallel run cannot honour; the same on every rank (the options agree), so every rank throws.</summary>
        private static void CheckSupported(TrainerSettings settings, long totalRows)
        {
            if (settings.BatchSize > 0 && settings.BatchSize < totalRows)
                throw Disagree($"mini-batches (BatchSize = {settings.BatchSize} of {totalRows} rows) are not supported: leave BatchSize unset (full batch, the paper's method).");
            if (settings.ReseedDeadUnits)
                throw Disagree("ReseedDeadUnits is not supported (it re-seeds from rows held in one process): leave it off.");
            if (settings.FinalRefitIterations > 0)
                throw Disagree($"the final least-squares refit (FinalRefitIterations = {settings.FinalRefitIterations}) is not supported (it solves on rows held in one process): set it to 0.");
            if (settings.AlternatingMinimizationIterations > 0)
                throw Disagree($"alternating minimization (AlternatingMinimizationIterations = {settings.AlternatingMinimizationIterations}) is not supported (it solves on rows held in one process): set it to 0.");
        }

        /// <summary>
        /// A hash of the settings that steer the steps and of the code encoding (not the seed, the given weights or the
        /// threads: W⁰ comes from rank 0, and threads do not change results).
        /// </summary>
        private static long Fingerprint(TrainerSettings s, CodeEncodingSettings encoding)
        {
            string text = string.Join("|",
                s.HiddenUnits, s.Activation, s.Threshold.ToString("R", CultureInfo.InvariantCulture), s.InitialBias.ToString("R", CultureInfo.InvariantCulture),
                s.BiasDecay.ToString("R", CultureInfo.InvariantCulture), s.LearningRate.ToString("R", CultureInfo.InvariantCulture), s.MaximumNumberOfIterations,
                s.Tolerance.ToString("R", CultureInfo.InvariantCulture), s.DivergenceFactor.ToString("R", CultureInfo.InvariantCulture), s.MaxLearningRateHalvings,
                s.Initialization, s.BatchSize, s.ReseedDeadUnits, s.FinalRefitIterations, string.Create(CultureInfo.InvariantCulture, $"{encoding}"));
            ulong hash = 14695981039346656037UL;
            foreach (byte b in Encoding.UTF8.GetBytes(text))
                hash = (hash ^ b) * 1099511628211UL;
            return (long)hash;
        }
    }
}
