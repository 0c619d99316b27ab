using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Mpi;

namespace Microsoft.ML.SharedAutoencoder.Tests.Mpi
{
    /// <summary>
    /// Distributed training over MPICH, run for real: the probe is launched with mpiexec.mpich -n P and every rank trains
    /// on its shard of one bilinear-model dataset. The reference is an ordinary Fit, in this process, on all the rows.
    /// </summary>
    [TestClass]
    public sealed class DistributedTrainingTests
    {
        // 5 chunks of 1,024 rows (the last one partial): on 2 ranks, rank 0 holds 2,048 rows and rank 1 2,952.
        private const long Rows = 5000;
        private const int N = 20;
        private const int M = 8;
        private const int Iterations = 10;
        private const int Seed = 3;

        private static string[] Train(string directory, params string[] flags)
            => new[] { "train", directory, Rows.ToString(CultureInfo.InvariantCulture), N.ToString(CultureInfo.InvariantCulture), M.ToString(CultureInfo.InvariantCulture), Iterations.ToString(CultureInfo.InvariantCulture), Seed.ToString(CultureInfo.InvariantCulture) }
                .Concat(flags).ToArray();

        /// <summary>The one-process model: the probe's options, on 2 threads (threads do not change results).</summary>
        private static SharedAutoencoderTransformer Reference()
        {
            var ml = new MLContext(42);
            var data = ml.Data.LoadFromBilinearModel(new BilinearModelOptions { FeatureCount = N, AtomCount = M, Sparsity = 3, NoiseStandardDeviation = 0.01f, Seed = Seed }, Rows);
            var options = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = M, MaximumNumberOfIterations = Iterations, Seed = Seed, NumberOfThreads = 2 };
            return ml.Transforms.SharedAutoencoder(options).Fit(data);
        }

        private static void AssertSameModel(SharedAutoencoderTransformer expected, MpiProbe.RankOutput actual, string what)
        {
            float[] w = expected.Model.GetWeights().SelectMany(c => c).ToArray();
            Assert.HasCount(w.Length, actual.Weights, what);
            for (int j = 0; j < w.Length; j++)
                Assert.AreEqual(BitConverter.SingleToInt32Bits(w[j]), BitConverter.SingleToInt32Bits(actual.Weights[j]), $"{what}: W entry {j} ({w[j]:R} vs {actual.Weights[j]:R})");
            CollectionAssert.AreEqual(expected.Model.GetBias(), actual.Bias, $"{what}: b");
            CollectionAssert.AreEqual(expected.History.Iterations.Select(e => e.Loss).ToArray(), actual.Losses, $"{what}: losses");
            CollectionAssert.AreEqual(expected.History.Iterations.Select(e => e.LearningRate).ToArray(), actual.Rates, $"{what}: learning rates");
        }

        private static void AssertSucceeded(MpiProbe.Result result) => Assert.AreEqual(0, result.ExitCode, result.Error + result.Output);

        private static void InTempDirectory(Action<string> body)
        {
            string directory = MpiProbe.TempDirectory();
            try
            {
                body(directory);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [TestMethod]
        public void TwoRanksGiveTheModelOfOneProcessBitForBitOnEveryRank()
        {
            SharedAutoencoderTransformer reference = Reference();
            InTempDirectory(directory =>
            {
                AssertSucceeded(MpiProbe.Run(2, Train(directory)));
                MpiProbe.RankOutput rank0 = MpiProbe.ReadRank(directory, 0), rank1 = MpiProbe.ReadRank(directory, 1);
                AssertSameModel(reference, rank0, "rank 0 of 2");
                CollectionAssert.AreEqual(rank0.Bytes, rank1.Bytes, "every rank ends with the same model");

                // Rank 0's file is an ordinary model file: it loads here, without MPI, and is the same model.
                var loaded = (SharedAutoencoderTransformer)new MLContext(5).Model.Load(Path.Combine(directory, "model.zip"), out _);
                CollectionAssert.AreEqual(reference.Model.GetWeights().SelectMany(c => c).ToArray(), loaded.Model.GetWeights().SelectMany(c => c).ToArray());
            });
        }

        [TestMethod]
        public void OneRankAndASingletonWithoutLauncherGiveTheModelOfOneProcess()
        {
            SharedAutoencoderTransformer reference = Reference();
            InTempDirectory(directory =>
            {
                AssertSucceeded(MpiProbe.Run(1, Train(Path.Combine(directory, "one"))));
                AssertSameModel(reference, MpiProbe.ReadRank(Path.Combine(directory, "one"), 0), "mpiexec -n 1");
                AssertSucceeded(MpiProbe.Run(0, Train(Path.Combine(directory, "singleton"))));
                AssertSameModel(reference, MpiProbe.ReadRank(Path.Combine(directory, "singleton"), 0), "singleton");
            });
        }

        [TestMethod]
        public void StreamedShardsOnSeveralThreadsGiveTheSameModel()
        {
            SharedAutoencoderTransformer reference = Reference();
            InTempDirectory(directory =>
            {
                AssertSucceeded(MpiProbe.Run(2, Train(directory, "--stream", "--threads", "2")));
                AssertSameModel(reference, MpiProbe.ReadRank(directory, 0), "rank 0, streamed");
                AssertSameModel(reference, MpiProbe.ReadRank(directory, 1), "rank 1, streamed");
            });
        }

        [TestMethod]
        public void DataDrivenInitializationComesFromRankZeroOnEveryRank()
        {
            InTempDirectory(directory =>
            {
                AssertSucceeded(MpiProbe.Run(2, Train(directory, "--init", "Pca")));
                CollectionAssert.AreEqual(MpiProbe.ReadRank(directory, 0).Bytes, MpiProbe.ReadRank(directory, 1).Bytes);
            });
        }

        /// <summary>Checks that every rank stopped with the same error naming <paramref name="failedRank"/> and left no model.</summary>
        private static void AssertEveryRankStopped(string directory, MpiProbe.Result result, int failedRank, string expectedText)
        {
            Assert.AreNotEqual(0, result.ExitCode, "a failed run must not succeed");
            var errors = Enumerable.Range(0, 2).Select(rank => MpiProbe.ReadError(directory, rank)).ToArray();
            for (int rank = 0; rank < 2; rank++)
            {
                Assert.IsNotNull(errors[rank], $"rank {rank} must report the failure; stderr: {result.Error}");
                Assert.AreEqual(failedRank, errors[rank]!.Value.FailedRank);
                Assert.Contains(expectedText, errors[rank]!.Value.Message);
                Assert.IsFalse(File.Exists(Path.Combine(directory, $"rank{rank}.bin")), $"rank {rank} must not return a model");
            }
            Assert.AreEqual(errors[0]!.Value.Message, errors[1]!.Value.Message, "the same error on every rank");
            Assert.IsFalse(File.Exists(Path.Combine(directory, "model.zip")), "no model file");
        }

        [TestMethod]
        public void ABadRowOnOneRankStopsEveryRankWithThatError()
        {
            InTempDirectory(directory =>
            {
                // Streamed: the NaN is met during the first pass, on rank 1 (row 3,000 of the dataset).
                string streamed = Path.Combine(directory, "streamed");
                AssertEveryRankStopped(streamed, MpiProbe.Run(2, Train(streamed, "--stream", "--bad-row", "3000")), failedRank: 1, "non-finite value (NaN)");
                // In memory: met when rank 0 reads its rows, before training.
                string inMemory = Path.Combine(directory, "memory");
                AssertEveryRankStopped(inMemory, MpiProbe.Run(2, Train(inMemory, "--bad-row", "10")), failedRank: 0, "non-finite value (NaN)");
            });
        }

        [TestMethod]
        public void AnOverflowSeenInTheCombinedLossStopsEveryRankWithOneMessage()
        {
            // Decided from the combined totals, so every rank throws the estimator's own error, naming the largest
            // feature magnitude of all ranks (an MPI maximum).
            InTempDirectory(directory =>
            {
                MpiProbe.Result result = MpiProbe.Run(2, Train(directory, "--scale", "1e20"));
                Assert.AreNotEqual(0, result.ExitCode);
                var errors = Enumerable.Range(0, 2).Select(rank => MpiProbe.ReadError(directory, rank)).ToArray();
                Assert.IsNotNull(errors[0], result.Error);
                Assert.IsNotNull(errors[1], result.Error);
                Assert.Contains("overflows float32", errors[0]!.Value.Message);
                Assert.AreEqual(errors[0]!.Value.Message, errors[1]!.Value.Message);
                Assert.IsFalse(File.Exists(Path.Combine(directory, "model.zip")));
            });
        }

        [TestMethod]
        public void ACancelledRankStopsEveryRank()
        {
            InTempDirectory(directory => AssertEveryRankStopped(directory, MpiProbe.Run(2, Train(directory, "--cancel-rank", "1")), failedRank: 1, "cancelled"));
        }

        [TestMethod]
        public void UnalignedShardsAndUnsupportedOptionsAreRefusedOnEveryRank()
        {
            InTempDirectory(directory =>
            {
                string unaligned = Path.Combine(directory, "unaligned");
                AssertEveryRankStopped(unaligned, MpiProbe.Run(2, Train(unaligned, "--raw-split")), failedRank: -1, "not a multiple of 1024");
                string batches = Path.Combine(directory, "batches");
                AssertEveryRankStopped(batches, MpiProbe.Run(2, Train(batches, "--batch", "512")), failedRank: -1, "mini-batches");
            });
        }

        [TestMethod]
        public void TheTrainDistributedCommandTrainsOnTwoRanksAndSavesAModelThatLoadsWithoutMpi()
        {
            SharedAutoencoderTransformer reference = Reference();
            string examples = typeof(Microsoft.ML.SharedAutoencoder.Examples.Shell.TrainDistributedCommand).Assembly.Location;
            InTempDirectory(directory =>
            {
                string save = Path.Combine(directory, "model.zip");
                MpiProbe.Result result = MpiProbe.RunProgram(examples, 2, null, "train-distributed", "--bilinear-rows", Rows.ToString(CultureInfo.InvariantCulture),
                    "--bilinear-features", N.ToString(CultureInfo.InvariantCulture), "--bilinear-noise", "0.01", "--bilinear-seed", Seed.ToString(CultureInfo.InvariantCulture),
                    "--hidden", M.ToString(CultureInfo.InvariantCulture), "--iterations", Iterations.ToString(CultureInfo.InvariantCulture),
                    "--seed", Seed.ToString(CultureInfo.InvariantCulture), "--threads", "2", "--save", save, "--progress");
                AssertSucceeded(result);
                Assert.Contains("over 2 rank(s)", result.Output);
                // --progress: rank 0 alone reports the phase and the iterations.
                Assert.AreEqual(1, result.Error.Split('\n').Count(l => l.Trim() == "train-distributed: reading the rows..."), result.Error);
                Assert.Contains($"train-distributed: iteration {Iterations}/{Iterations}, loss ", result.Error);
                var loaded = (SharedAutoencoderTransformer)new MLContext(5).Model.Load(save, out _);
                CollectionAssert.AreEqual(reference.Model.GetWeights().SelectMany(c => c).ToArray(), loaded.Model.GetWeights().SelectMany(c => c).ToArray(),
                    "the command's model is the one-process model");
            });
        }

        [TestMethod]
        public void MissingMpichAndOpenMpiLauncherAreExplained()
        {
            MpiProbe.Result missing = MpiProbe.Run(0, new[] { ("SHAREDAUTOENCODER_MPI_LIBRARY", "libmpich-not-installed.so.12") }, "info");
            Assert.AreNotEqual(0, missing.ExitCode);
            Assert.Contains("apt-get install mpich", missing.Error);

            MpiProbe.Result openMpi = MpiProbe.Run(0, new[] { ("OMPI_COMM_WORLD_SIZE", "2") }, "info");
            Assert.AreNotEqual(0, openMpi.ExitCode);
            Assert.Contains("Open MPI", openMpi.Error);
            Assert.Contains("mpiexec.mpich", openMpi.Error);

            MpiProbe.Result singleton = MpiProbe.Run(0, "info");
            AssertSucceeded(singleton);
            Assert.AreEqual("rank 0 size 1", singleton.Output.Trim());
        }
    }
}
