using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>Same seed → bit-identical results (threads, processes); cancellation; concurrent use of one transformer.</summary>
    [TestClass]
    public sealed class ReproducibilityTests
    {
        private const int N = 12, M = 4;

        // More than 2 partitions of GradientPass (1024 rows each), so thread counts really split the work.
        private const int Count = 3000;

        private sealed class FeatureRow
        {
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        private sealed class CodeRow
        {
            public float[] Code { get; set; } = Array.Empty<float>();
        }

        private static SharedAutoencoderEstimator.Options Options(int threads, int seed = 11) => new()
        {
            // The paper's settings (the defaults before format 0x00010004).
            Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation,
            HiddenUnits = M, MaximumNumberOfIterations = 10, Seed = seed, NumberOfThreads = threads,
        };

        private static (float[] W, float[] B, double[] Losses, float[] Rates) Parameters(SharedAutoencoderTransformer model)
            => (ReliabilityData.Flatten(model.Model.GetWeights()), model.Model.GetBias(),
                model.History.Iterations.Select(e => e.Loss).ToArray(), model.History.Iterations.Select(e => e.LearningRate).ToArray());

        private static void AssertBitIdentical((float[] W, float[] B, double[] Losses, float[] Rates) expected, (float[] W, float[] B, double[] Losses, float[] Rates) actual, string what)
        {
            CollectionAssert.AreEqual(ReliabilityData.Bits(expected.W), ReliabilityData.Bits(actual.W), $"W, {what}");
            CollectionAssert.AreEqual(ReliabilityData.Bits(expected.B), ReliabilityData.Bits(actual.B), $"b, {what}");
            CollectionAssert.AreEqual(expected.Losses.Select(BitConverter.DoubleToInt64Bits).ToArray(), actual.Losses.Select(BitConverter.DoubleToInt64Bits).ToArray(), $"loss history, {what}");
            CollectionAssert.AreEqual(ReliabilityData.Bits(expected.Rates), ReliabilityData.Bits(actual.Rates), $"learning rates, {what}");
        }

        [TestMethod]
        public void SameSeedIsBitIdenticalOnOneTwoAndFourThreads()
        {
            var rows = ReliabilityData.Mixture(N, M, Count, seed: 21);
            var one = new MLContext(1);
            var reference = one.Transforms.SharedAutoencoder(Options(threads: 1)).Fit(ReliabilityData.View(one, rows, N));
            foreach (int threads in new[] { 2, 4 })
            {
                // A different MLContext seed too: only Options.Seed may matter.
                var ml = new MLContext(threads * 100);
                var model = ml.Transforms.SharedAutoencoder(Options(threads)).Fit(ReliabilityData.View(ml, rows, N));
                AssertBitIdentical(Parameters(reference), Parameters(model), $"{threads} threads");
                CollectionAssert.AreEqual(reference.History.Iterations.Select(e => (e.ActiveFraction, e.DeadUnits, e.Undone)).ToArray(),
                    model.History.Iterations.Select(e => (e.ActiveFraction, e.DeadUnits, e.Undone)).ToArray());
            }

            var other = new MLContext(1).Transforms.SharedAutoencoder(Options(threads: 1, seed: 12)).Fit(ReliabilityData.View(one, rows, N));
            CollectionAssert.AreNotEqual(Parameters(reference).W, Parameters(other).W, "another seed gives another model");
        }

        [TestMethod]
        public void SameSeedIsBitIdenticalInAnotherProcess()
        {
            var rows = ReliabilityData.Mixture(N, M, Count, seed: 22);
            var ml = new MLContext(1);
            var expected = Parameters(ml.Transforms.SharedAutoencoder(Options(threads: 2)).Fit(ReliabilityData.View(ml, rows, N)));

            string directory = ReliabilityData.TempDirectory();
            try
            {
                string rowsPath = Path.Combine(directory, "rows.bin");
                string outputPath = Path.Combine(directory, "parameters.bin");
                LoadProbe.WriteRows(rowsPath, Count, N, ReliabilityData.Flatten(rows));
                LoadProbe.Run("train", rowsPath, M.ToString(), "11", "1", outputPath);

                using var reader = new BinaryReader(File.OpenRead(outputPath));
                Assert.AreEqual(M, reader.ReadInt32());
                Assert.AreEqual(N, reader.ReadInt32());
                float[] w = Enumerable.Range(0, M * N).Select(_ => reader.ReadSingle()).ToArray();
                float[] b = Enumerable.Range(0, M).Select(_ => reader.ReadSingle()).ToArray();
                int h = reader.ReadInt32();
                var history = Enumerable.Range(0, h).Select(_ => (Loss: reader.ReadDouble(), Rate: reader.ReadSingle())).ToArray();
                // The other process trains on 1 thread, this one on 2.
                AssertBitIdentical(expected, (w, b, history.Select(e => e.Loss).ToArray(), history.Select(e => e.Rate).ToArray()), "other process");
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        /// <summary>Fits with a log listener that calls <paramref name="cancel"/> once iteration 3 is logged; returns the iterations logged.</summary>
        private static List<int> FitCancelledAfterIterationThree(Action<MLContext> cancel, Func<SharedAutoencoderEstimator, IDataView, SharedAutoencoderTransformer> fit)
        {
            const int cancelAfter = 3;
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, Count, seed: 23), N);
            var iterationsLogged = new List<int>();
            ml.Log += (_, e) =>
            {
                // The listener runs synchronously on the training thread, right after the step is logged.
                var match = System.Text.RegularExpressions.Regex.Match(e.Message, @"Iteration (\d+)/50: loss");
                if (!match.Success)
                    return;
                int iteration = int.Parse(match.Groups[1].Value);
                iterationsLogged.Add(iteration);
                if (iteration == cancelAfter)
                    cancel(ml);
            };
            var options = Options(threads: 2);
            options.MaximumNumberOfIterations = 50;
            var estimator = ml.Transforms.SharedAutoencoder(options);
            SharedAutoencoderTransformer? model = null;
            Assert.Throws<OperationCanceledException>(() => model = fit(estimator, data));
            Assert.IsNull(model, "nothing half-trained is returned");
            CollectionAssert.AreEqual(Enumerable.Range(0, cancelAfter + 1).ToArray(), iterationsLogged.ToArray(), "no step starts after the cancellation");
            return iterationsLogged;
        }

        [TestMethod]
        public void CancellationTokenStopsFitBeforeTheNextStep()
        {
            using var source = new CancellationTokenSource();
            FitCancelledAfterIterationThree(_ => source.Cancel(), (estimator, data) => estimator.Fit(data, source.Token));
        }

        [TestMethod]
        public void MLContextCancellationStopsFitBeforeTheNextStep()
        {
            // ML.NET 5.0.1's MLContext.CancelExecution is internal (AutoML uses it); it makes host.CheckAlive throw
            // OperationCanceledException, which Fit lets through unchanged.
            var cancelExecution = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic)!;
            Assert.IsNotNull(cancelExecution);
            FitCancelledAfterIterationThree(ml => cancelExecution.Invoke(ml, null), (estimator, data) => estimator.Fit(data));
        }

        [TestMethod]
        public void AnAlreadyCancelledTokenStopsFitBeforeAnyRowIsRead()
        {
            var input = new ReliabilityData.UnreadableView(N);
            var estimator = new MLContext(1).Transforms.SharedAutoencoder(Options(threads: 1));
            Assert.Throws<OperationCanceledException>(() => estimator.Fit(input, new CancellationToken(canceled: true)));
            Assert.AreEqual(0, input.CursorsOpened);
        }

        [TestMethod]
        public void EightPredictionEnginesOnEightThreadsGiveTheSingleThreadedCodes()
        {
            var ml = new MLContext(1);
            var rows = ReliabilityData.Mixture(N, M, 800, seed: 24);
            var data = ReliabilityData.View(ml, rows, N);
            var model = ml.Transforms.SharedAutoencoder(Options(threads: 1)).Fit(data);
            var expected = ReliabilityData.Codes(model.Transform(data));

            var schema = SchemaDefinition.Create(typeof(FeatureRow));
            schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, N);
            var mismatches = new ConcurrentBag<string>();
            using var barrier = new Barrier(8);
            var threads = Enumerable.Range(0, 8).Select(k => new Thread(() =>
            {
                var engine = ml.Model.CreatePredictionEngine<FeatureRow, CodeRow>(model, inputSchemaDefinition: schema);
                barrier.SignalAndWait();
                // Each thread walks the rows in its own order so that the threads overlap on different rows.
                for (int s = 0; s < rows.Length; s++)
                {
                    int t = (s * (2 * k + 1) + k * 97) % rows.Length;
                    float[] code = engine.Predict(new FeatureRow { Features = rows[t] }).Code;
                    if (!ReliabilityData.Bits(code).SequenceEqual(ReliabilityData.Bits(expected[t])))
                        mismatches.Add($"thread {k}, row {t}");
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.IsEmpty(mismatches, string.Join("; ", mismatches.Take(5)));
        }

        [TestMethod]
        public void ParallelCursorsOverTheTransformedViewGiveTheSingleThreadedCodes()
        {
            var ml = new MLContext(1);
            var rows = ReliabilityData.Mixture(N, M, 2000, seed: 25);
            // The cache supports cursor sets, so the transformed view really is read by several cursors.
            var data = ml.Data.Cache(ReliabilityData.View(ml, rows, N));
            var model = ml.Transforms.SharedAutoencoder(Options(threads: 1)).Fit(data);
            var output = model.Transform(data);
            var expected = ReliabilityData.Codes(output);
            var byFeatures = new Dictionary<string, int>();
            for (int t = 0; t < rows.Length; t++)
                byFeatures[string.Join(",", ReliabilityData.Bits(rows[t]))] = t;

            var columns = new[] { output.Schema["Features"], output.Schema["Code"] };
            var cursors = output.GetRowCursorSet(columns, 4);
            Assert.IsGreaterThan(1, cursors.Length, "the view must split into several cursors");
            var seen = new ConcurrentDictionary<int, float[]>();
            Parallel.ForEach(cursors, new ParallelOptions { MaxDegreeOfParallelism = cursors.Length }, cursor =>
            {
                using (cursor)
                {
                    var features = cursor.GetGetter<VBuffer<float>>(columns[0]);
                    var code = cursor.GetGetter<VBuffer<float>>(columns[1]);
                    VBuffer<float> y = default, x = default;
                    while (cursor.MoveNext())
                    {
                        features(ref y);
                        code(ref x);
                        int t = byFeatures[string.Join(",", ReliabilityData.Bits(y.DenseValues().ToArray()))];
                        Assert.IsTrue(seen.TryAdd(t, x.DenseValues().ToArray()), $"row {t} read twice");
                    }
                }
            });
            Assert.HasCount(rows.Length, seen);
            for (int t = 0; t < rows.Length; t++)
                CollectionAssert.AreEqual(ReliabilityData.Bits(expected[t]), ReliabilityData.Bits(seen[t]), $"row {t}");
        }
    }
}
