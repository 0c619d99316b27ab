using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Common;
using Microsoft.ML.SharedAutoencoder.Mpi;

namespace Microsoft.ML.SharedAutoencoder.Examples.Shell
{
    /// <summary>
    /// <c>train-distributed</c>: data-parallel training over MPI (the SharedAutoencoder.ML.Mpi package). Every rank takes
    /// its range of the rows, of a CSV/.idv file or of a generated bilinear-model dataset; the model is the one a single
    /// process would train on all the rows, and rank 0 saves it.
    /// </summary>
    internal static class TrainDistributedCommand
    {
        public const string Usage =
@"usage: mpiexec.mpich -n P dotnet Microsoft.ML.SharedAutoencoder.Examples.dll train-distributed
             (--input FILE | --bilinear-rows N [--bilinear-features n] [--bilinear-atoms a] [--bilinear-sparsity k]
             [--bilinear-noise σ] [--bilinear-seed S]) [--hidden m] [--activation relu|threshold|top-k] [--threshold λ]
             [--active-units k] [--iterations T] [--learning-rate ζ] [--init random|pca] [--seed S] [--threads t] [--stream]
             [--save model.zip]
             [--features SPEC] [--label-column NAME] [--header yes|no|auto] [--separator C] [--quiet|--progress]
  Every rank reads FILE (or generates the bilinear model's rows) and trains on its range of the rows
  (DistributedTraining.ShardRange: [r·N/P, (r+1)·N/P) in chunks of 1,024 rows); W is bit-identical to `train` on
  all the rows in one process. MPICH is needed (apt-get install mpich); without a launcher it runs as one process.
  Defaults as `train` (--active-units: k of --activation top-k); bilinear: n = 784, a = m, k = 3, σ = 0, seed 1.
  --threads: per rank (default 1).
  --stream streams the rows on every pass instead of holding them. Rank 0 prints the summary and saves the model.
" + TabularInput.OptionsHelp + "\n" + Progress.OptionsHelp + " Rank 0 reports for all.";

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[]
            {
                "input", "bilinear-rows", "bilinear-features", "bilinear-atoms", "bilinear-sparsity", "bilinear-noise", "bilinear-seed",
                "hidden", "activation", "threshold", "active-units", "iterations", "learning-rate", "init", "seed", "threads", "save",
                "features", "label-column", "header", "separator",
            }, Progress.Flags.Append("stream"));
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            var options = new SharedAutoencoderEstimator.Options
            {
                // A data-parallel fit does not normalize inside the model (each rank would use its own rows): the paper's
                // settings, as before format 0x00010004.
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                HiddenUnits = line.Int("hidden", 10, min: 1),
                Activation = line.Choice("activation", AutoencoderActivation.Relu, ("relu", AutoencoderActivation.Relu), ("threshold", AutoencoderActivation.HardThreshold),
                    ("top-k", AutoencoderActivation.TopK)),
                Threshold = line.Float("threshold", 0.5f, min: 0, exclusiveMin: true),
                ActiveUnits = line.NullableInt("active-units", min: 1),
                MaximumNumberOfIterations = line.Int("iterations", 50, min: 1),
                LearningRate = line.NullableFloat("learning-rate", 0, exclusiveMin: true),
                Initialization = line.Choice("init", WeightInitialization.Random, ("random", WeightInitialization.Random), ("pca", WeightInitialization.Pca)),
                Seed = line.Int("seed", 1),
                NumberOfThreads = line.Int("threads", 1, min: 1),
                MaximumInMemoryRows = line.Flag("stream") ? 0 : null,
            };
            if (line.Has("input") == line.Has("bilinear-rows"))
                throw new UsageException("Give either --input FILE or --bilinear-rows N.");
            string? save = line.String("save");
            // Refused before any work, on every rank alike: an output that would destroy the input.
            using var outputs = new OutputFiles(line.String("input"));
            outputs.CheckDistinct(("--save", save));
            // --quiet with --progress is refused here, on every rank alike, before MPI starts.
            Progress.For("train-distributed", line, TextWriter.Null);

            string[] mpiArgs = Array.Empty<string>();
            using var mpi = MpiSession.Start(ref mpiArgs);
            try
            {
                return Train(mpi, line, options, save, outputs, output, error);
            }
            catch (DistributedTrainingException e)
            {
                // Thrown on every rank alike: each ends normally.
                throw new InputException(e.Message);
            }
            catch (Exception e) when (mpi.Size > 1)
            {
                // A failure of this rank alone (its file, its rows): the other ranks may be waiting for it in a collective
                // call. End the whole job rather than leave them waiting.
                error.WriteLine($"error on rank {mpi.Rank}: {e.Message}");
                mpi.Abort(ExitCodes.InputError);
                throw;
            }
        });

        private static int Train(MpiSession mpi, Arguments line, SharedAutoencoderEstimator.Options options, string? save, OutputFiles outputs, TextWriter output, TextWriter error)
        {
            // Every rank has the same outcome: rank 0 speaks for all.
            TextWriter say = mpi.Rank == 0 ? output : TextWriter.Null;
            var progress = mpi.Rank == 0 ? Progress.For("train-distributed", line, error) : null;
            var mlContext = Contexts.Create(options.Seed, mpi.Rank == 0 ? error : TextWriter.Null, progress);
            progress?.Phase("reading the rows");
            var (shard, totalRows, description) = LoadShard(mlContext, line, options.HiddenUnits, mpi);
            say.WriteLine(description);

            var watch = Stopwatch.StartNew();
            SharedAutoencoderTransformer model = mlContext.Transforms.SharedAutoencoder(options).FitDistributed(shard, mpi.World);
            progress?.Done();
            double seconds = watch.Elapsed.TotalSeconds;
            var history = model.History.Iterations;
            var last = history.Last(i => !i.Undone);
            say.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "Trained m = {0} units on {1} rows over {2} rank(s) × {3} thread(s) in {4:F2} s: loss {5:G5} → {6:G5} after {7} steps; code density {8:P1}, dead units {9}.",
                options.HiddenUnits, totalRows, mpi.Size, options.NumberOfThreads, seconds, history[0].Loss, last.Loss, last.Iteration, last.ActiveFraction, last.DeadUnits));
            if (save != null && mpi.Rank == 0)
            {
                outputs.Stage(save, stream => mlContext.Model.Save(model, shard.Schema, stream));
                outputs.Commit();
                say.WriteLine($"Model saved to {Path.GetFullPath(save)} (an ordinary model file: it loads without MPI).");
            }
            return ExitCodes.Success;
        }

        /// <summary>This rank's rows: its range of the file, or of the generated dataset.</summary>
        private static (IDataView Shard, long TotalRows, string Description) LoadShard(MLContext mlContext, Arguments line, int hiddenUnits, MpiSession mpi)
        {
            if (line.Has("bilinear-rows"))
            {
                long rows = line.Int("bilinear-rows", 0, min: 1);
                var model = new BilinearModelOptions
                {
                    FeatureCount = line.Int("bilinear-features", 784, min: 1),
                    AtomCount = line.Int("bilinear-atoms", hiddenUnits, min: 1),
                    Sparsity = line.Int("bilinear-sparsity", 3, min: 1),
                    NoiseStandardDeviation = line.Float("bilinear-noise", 0f, min: 0),
                    Seed = line.Int("bilinear-seed", 1),
                };
                var shard = CheckedShard(() => mlContext.Data.LoadFromBilinearModelShard(model, rows, mpi.World));
                return (shard, rows, string.Format(CultureInfo.InvariantCulture,
                    "Bilinear model: {0} rows, n = {1}, {2} atoms, k = {3}, σ = {4}; {5} rank(s), rank 0 holds {6} rows.",
                    rows, model.FeatureCount, model.AtomCount, model.Sparsity, model.NoiseStandardDeviation, mpi.Size, shard.GetRowCount()));
            }
            string input = line.ExistingFile("input");
            var source = TabularInput.Load(mlContext, input, line);
            (long first, long count) = CheckedShard(() => DistributedTraining.ShardRange(source.Rows, mpi.Rank, mpi.Size));
            IDataView range = mlContext.Data.TakeRows(first > 0 ? mlContext.Data.SkipRows(source.Data, first) : source.Data, count);
            return (range, source.Rows, $"{source.Description}; {mpi.Size} rank(s), rank 0 holds rows [0, {count}).");
        }

        private static T CheckedShard<T>(Func<T> split)
        {
            try
            {
                return split();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new UsageException(e.Message.Split(" (Parameter")[0]);
            }
        }
    }
}
