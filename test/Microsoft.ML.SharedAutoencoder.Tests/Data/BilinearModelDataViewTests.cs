using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Data
{
    [TestClass]
    public sealed class BilinearModelDataViewTests
    {
        private sealed record Row(ulong Id, float[] Features, float[] LatentCode, uint? Label);

        private static BilinearModelDataView Load(MLContext context, LatentCodeModel model = LatentCodeModel.SparseCoding, long rows = 500, int? seed = 11)
            => context.Data.LoadFromBilinearModel(new BilinearModelOptions
            {
                FeatureCount = 12,
                AtomCount = 8,
                Sparsity = 3,
                LatentCodeModel = model,
                NoiseStandardDeviation = 0.1f,
                Seed = seed,
            }, rows);

        private static List<Row> ReadAll(DataViewRowCursor cursor, IDataView view, int limit = int.MaxValue)
        {
            var rows = new List<Row>();
            var id = cursor.GetIdGetter();
            var features = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
            var latent = cursor.GetGetter<VBuffer<float>>(view.Schema["LatentCode"]);
            ValueGetter<uint>? label = view.Schema.GetColumnOrNull("Label") is DataViewSchema.Column column ? cursor.GetGetter<uint>(column) : null;
            long expectedPosition = 0;
            while (rows.Count < limit && cursor.MoveNext())
            {
                Assert.AreEqual(expectedPosition++, cursor.Position);
                DataViewRowId rowId = default;
                VBuffer<float> featureValues = default, latentValues = default;
                uint labelValue = 0;
                id(ref rowId);
                features(ref featureValues);
                latent(ref latentValues);
                label?.Invoke(ref labelValue);
                rows.Add(new Row(rowId.Low, featureValues.DenseValues().ToArray(), latentValues.DenseValues().ToArray(), label is null ? null : labelValue));
            }
            return rows;
        }

        private static void AssertSameRows(IEnumerable<Row> expected, IEnumerable<Row> actual)
        {
            var byId = actual.ToDictionary(row => row.Id);
            foreach (Row row in expected)
            {
                Assert.IsTrue(byId.TryGetValue(row.Id, out Row? other), $"row {row.Id} missing");
                CollectionAssert.AreEqual(row.Features, other.Features, $"features of row {row.Id}");
                CollectionAssert.AreEqual(row.LatentCode, other.LatentCode, $"latent code of row {row.Id}");
                Assert.AreEqual(row.Label, other.Label);
            }
            Assert.HasCount(expected.Count(), byId);
        }

        [TestMethod]
        public void RowRangesAreTheRowsOfTheWholeDatasetWithTheirRowIds()
        {
            var options = new BilinearModelOptions { FeatureCount = 12, AtomCount = 8, Sparsity = 3, NoiseStandardDeviation = 0.1f, Seed = 11 };
            var whole = new MLContext(1).Data.LoadFromBilinearModel(options, 500);
            List<Row> all = ReadAll(whole.GetRowCursor(whole.Schema), whole);
            var ranges = new List<Row>();
            foreach ((long first, long count) in new[] { (0L, 130L), (130L, 200L), (330L, 170L) })
            {
                // Another context: the rows depend on the seed and row index only.
                var part = new MLContext(99).Data.LoadFromBilinearModel(options, count, first);
                Assert.AreEqual(first, part.FirstRow);
                Assert.AreEqual(count, part.GetRowCount());
                CollectionAssert.AreEqual(whole.GetFeatures(first + 5), part.GetFeatures(5));
                CollectionAssert.AreEqual(whole.GetLatentCode(first + 7), part.GetLatentCode(7));
                List<Row> rows = ReadAll(part.GetRowCursor(part.Schema), part);
                CollectionAssert.AreEqual(Enumerable.Range((int)first, (int)count).Select(i => (ulong)i).ToList(), rows.Select(r => r.Id).ToList());
                // Shuffled and parallel cursors stay inside the range.
                AssertSameRows(rows, ReadAll(part.GetRowCursor(part.Schema, new Random(3)), part));
                AssertSameRows(rows, part.GetRowCursorSet(part.Schema, 3).SelectMany(c => ReadAll(c, part)));
                ranges.AddRange(rows);
            }
            AssertSameRows(all, ranges);
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(1).Data.LoadFromBilinearModel(options, 10, -1));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(1).Data.LoadFromBilinearModel(options, 10, long.MaxValue - 5));
        }

        [TestMethod]
        public void SchemaHasTheDocumentedColumns()
        {
            var context = new MLContext(1);
            var sparse = Load(context);
            Assert.AreEqual(2, sparse.Schema.Count);
            Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 12), sparse.Schema["Features"].Type);
            Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 8), sparse.Schema["LatentCode"].Type);
            Assert.AreEqual(500L, sparse.GetRowCount());
            Assert.IsTrue(sparse.CanShuffle);

            var mixture = Load(context, LatentCodeModel.MixtureOfGaussians);
            Assert.AreEqual(new KeyDataViewType(typeof(uint), 8), mixture.Schema["Label"].Type);
        }

        [TestMethod]
        public void LatentCodeIsSparseAndMatchesTheGroundTruth()
        {
            var view = Load(new MLContext(1));
            using var cursor = view.GetRowCursor(view.Schema);
            var latent = cursor.GetGetter<VBuffer<float>>(view.Schema["LatentCode"]);
            var features = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
            VBuffer<float> value = default, featureValue = default;
            for (long row = 0; row < 20; row++)
            {
                Assert.IsTrue(cursor.MoveNext());
                latent(ref value);
                Assert.IsFalse(value.IsDense);
                Assert.AreEqual(3, value.GetValues().Length);
                CollectionAssert.AreEqual(view.GetLatentCode(row), value.DenseValues().ToArray());
                features(ref featureValue);
                CollectionAssert.AreEqual(view.GetFeatures(row), featureValue.DenseValues().ToArray());
            }
        }

        [TestMethod]
        public void MixtureLabelsAreTheOneBasedComponentOfTheLatentCode()
        {
            var view = Load(new MLContext(1), LatentCodeModel.MixtureOfGaussians);
            using var cursor = view.GetRowCursor(view.Schema);
            List<Row> rows = ReadAll(cursor, view);
            Assert.HasCount(500, rows);
            foreach (Row row in rows)
            {
                int component = Array.FindIndex(row.LatentCode, v => v != 0);
                Assert.AreEqual(1f, row.LatentCode[component]);
                Assert.AreEqual(1, row.LatentCode.Count(v => v != 0));
                Assert.AreEqual((uint)component + 1, row.Label);
                Assert.AreEqual(component, view.Model.GetMixtureComponent((long)row.Id));
            }
            Assert.AreEqual(8, rows.Select(r => r.Label).Distinct().Count());
        }

        [TestMethod]
        public void SerialShuffledAndParallelCursorsSeeTheSameRows()
        {
            var view = Load(new MLContext(1), LatentCodeModel.MixtureOfGaussians, rows: 1000);
            List<Row> serial;
            using (var cursor = view.GetRowCursor(view.Schema))
                serial = ReadAll(cursor, view);
            CollectionAssert.AreEqual(Enumerable.Range(0, 1000).Select(i => (ulong)i).ToArray(), serial.Select(r => r.Id).ToArray());

            using (var again = view.GetRowCursor(view.Schema))
                AssertSameRows(serial, ReadAll(again, view));

            List<Row> shuffled;
            using (var cursor = view.GetRowCursor(view.Schema, new Random(5)))
                shuffled = ReadAll(cursor, view);
            AssertSameRows(serial, shuffled);
            Assert.IsLessThan(100, shuffled.Select((row, position) => row.Id == (ulong)position).Count(same => same));

            List<Row> shuffledAgain;
            using (var cursor = view.GetRowCursor(view.Schema, new Random(5)))
                shuffledAgain = ReadAll(cursor, view);
            CollectionAssert.AreEqual(shuffled.Select(r => r.Id).ToArray(), shuffledAgain.Select(r => r.Id).ToArray());

            DataViewRowCursor[] set = view.GetRowCursorSet(view.Schema, 3);
            Assert.HasCount(3, set);
            var parallel = new List<Row>();
            foreach (DataViewRowCursor cursor in set)
                using (cursor)
                {
                    List<Row> part = ReadAll(cursor, view);
                    Assert.IsGreaterThan(0, part.Count);
                    parallel.AddRange(part);
                }
            AssertSameRows(serial, parallel);

            DataViewRowCursor[] shuffledSet = view.GetRowCursorSet(view.Schema, 4, new Random(9));
            var shuffledParallel = shuffledSet.SelectMany(cursor => { using (cursor) return ReadAll(cursor, view); }).ToList();
            AssertSameRows(serial, shuffledParallel);
        }

        [TestMethod]
        public void CursorSetBatchesRestoreTheSerialOrder()
        {
            var view = Load(new MLContext(1), rows: 300);
            var ordered = new List<(long Batch, long Position, ulong Id)>();
            foreach (DataViewRowCursor cursor in view.GetRowCursorSet(new[] { view.Schema["Features"] }, 2))
                using (cursor)
                {
                    var id = cursor.GetIdGetter();
                    long lastBatch = -1;
                    while (cursor.MoveNext())
                    {
                        Assert.IsGreaterThanOrEqualTo(lastBatch, cursor.Batch);
                        lastBatch = cursor.Batch;
                        DataViewRowId value = default;
                        id(ref value);
                        ordered.Add((cursor.Batch, cursor.Position, value.Low));
                    }
                }
            ulong[] ids = ordered.OrderBy(r => r.Batch).ThenBy(r => r.Position).Select(r => r.Id).ToArray();
            CollectionAssert.AreEqual(Enumerable.Range(0, 300).Select(i => (ulong)i).ToArray(), ids);
        }

        [TestMethod]
        public void SeedComesFromTheOptionsOrTheContext()
        {
            float[] First(BilinearModelDataView view) => view.GetFeatures(0);
            CollectionAssert.AreEqual(First(Load(new MLContext(1))), First(Load(new MLContext(2))));
            CollectionAssert.AreNotEqual(First(Load(new MLContext(1), seed: 11)), First(Load(new MLContext(1), seed: 12)));

            var fromContext = Load(new MLContext(3), seed: null);
            Assert.IsNotNull(fromContext.Options.Seed);
            CollectionAssert.AreEqual(First(fromContext), First(Load(new MLContext(3), seed: null)));
            CollectionAssert.AreNotEqual(First(fromContext), First(Load(new MLContext(4), seed: null)));
        }

        [TestMethod]
        public void GroundTruthIsExposed()
        {
            var view = Load(new MLContext(1));
            float[][] dictionary = view.Dictionary;
            Assert.HasCount(8, dictionary);
            Assert.HasCount(12, dictionary[0]);
            dictionary[0][0] = 100;
            Assert.AreNotEqual(100f, view.Dictionary[0][0], "the dictionary must be returned as a copy");
            Assert.AreEqual(view.Model.MutualCoherence, view.MutualCoherence);
            Assert.IsGreaterThan(1.0, view.SpectralNorm);
            Assert.AreEqual(3, view.Options.Sparsity);
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => view.GetLatentCode(500));
        }

        [TestMethod]
        public void ABillionRowsCostNothingUntilRead()
        {
            var stopwatch = Stopwatch.StartNew();
            var view = Load(new MLContext(1), rows: 1_000_000_000);
            Assert.AreEqual(1_000_000_000L, view.GetRowCount());
            using (var cursor = view.GetRowCursor(view.Schema, new Random(1)))
            {
                List<Row> rows = ReadAll(cursor, view, limit: 5);
                Assert.HasCount(5, rows);
                foreach (Row row in rows)
                {
                    Assert.IsLessThan(1_000_000_000UL, row.Id);
                    CollectionAssert.AreEqual(view.GetFeatures((long)row.Id), row.Features);
                }
            }
            DataViewRowCursor[] set = view.GetRowCursorSet(view.Schema, 2);
            foreach (DataViewRowCursor cursor in set)
                using (cursor)
                    Assert.HasCount(3, ReadAll(cursor, view, limit: 3));
            Assert.IsLessThan(10_000L, stopwatch.ElapsedMilliseconds, "no work proportional to the row count");
        }

        [TestMethod]
        public void OvercompleteMixtureWarnsThroughTheContext()
        {
            var context = new MLContext(1);
            var warnings = new List<string>();
            context.Log += (_, e) => { if (e.Kind == Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
            context.Data.LoadFromBilinearModel(new BilinearModelOptions { FeatureCount = 4, AtomCount = 6, LatentCodeModel = LatentCodeModel.MixtureOfGaussians, Seed = 1 }, 10);
            Assert.IsTrue(warnings.Any(w => w.Contains("AtomCount")), string.Join("; ", warnings));
        }

        [TestMethod]
        public void InvalidArgumentsAreRejected()
        {
            var context = new MLContext(1);
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => context.Data.LoadFromBilinearModel(new BilinearModelOptions(), -1));
            Assert.AreEqual("rowCount", error.ParamName);
            Assert.ThrowsExactly<ArgumentNullException>(() => context.Data.LoadFromBilinearModel(null!, 1));
            Assert.AreEqual("Sparsity", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
                () => context.Data.LoadFromBilinearModel(new BilinearModelOptions { Sparsity = 101 }, 1)).ParamName);
        }

        [TestMethod]
        public void MixtureDataTrainsSdcaMaximumEntropy()
        {
            var context = new MLContext(1);
            var view = context.Data.LoadFromBilinearModel(new BilinearModelOptions
            {
                FeatureCount = 20,
                AtomCount = 5,
                LatentCodeModel = LatentCodeModel.MixtureOfGaussians,
                NoiseStandardDeviation = 0.1f,
                Seed = 3,
            }, 2000);
            var model = context.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 10).Fit(view);
            var metrics = context.MulticlassClassification.Evaluate(model.Transform(view));
            Assert.IsGreaterThan(0.95, metrics.MacroAccuracy);
        }
    }
}
