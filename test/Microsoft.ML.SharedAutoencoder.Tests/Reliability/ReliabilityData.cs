using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>Data sets and views shared by the reliability tests.</summary>
    internal static class ReliabilityData
    {
        /// <summary>A view with one known-size "Features" column holding <paramref name="rows"/>.</summary>
        public static IDataView View(MLContext ml, float[][] rows, int n)
        {
            var list = rows.Select(r => new TestData.Row { Features = r }).ToList();
            var schema = SchemaDefinition.Create(typeof(TestData.Row));
            schema[nameof(TestData.Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, n);
            return ml.Data.LoadFromEnumerable(list, schema);
        }

        /// <summary>Rows of a noisy Gaussian mixture around a random unit-norm dictionary (n×m), seeded.</summary>
        public static float[][] Mixture(int n, int m, int count, int seed, double sigma = 0.05)
        {
            var random = new Random(seed);
            var a = TestData.RandomDictionary(n, m, random);
            var (values, _) = TestData.Mixture(a, n, m, count, sigma, random);
            return Enumerable.Range(0, count).Select(t => values.AsSpan(t * n, n).ToArray()).ToArray();
        }

        public static float[][] Constant(int count, int n, float value)
            => Enumerable.Range(0, count).Select(_ => Enumerable.Repeat(value, n).ToArray()).ToArray();

        public static float[] Flatten(float[][] columns) => columns.SelectMany(c => c).ToArray();

        public static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

        public static float[][] Codes(IDataView view, string column = "Code")
            => view.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToArray();

        public static string TempDirectory()
        {
            string directory = Path.Combine(Path.GetTempPath(), "sae-rel-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            return directory;
        }

        /// <summary>
        /// An input whose schema is a valid "Features" column but whose rows cannot be read: any attempt to open a
        /// cursor fails. Proves that a check happens before any data is read.
        /// </summary>
        public sealed class UnreadableView : IDataView
        {
            public UnreadableView(int n)
            {
                var builder = new DataViewSchema.Builder();
                builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, n));
                Schema = builder.ToSchema();
            }

            public bool CanShuffle => false;

            public DataViewSchema Schema { get; }

            public int CursorsOpened { get; private set; }

            public long? GetRowCount() => null;

            public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
            {
                CursorsOpened++;
                throw new IOException("UnreadableView: a cursor was opened");
            }

            public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            {
                CursorsOpened++;
                throw new IOException("UnreadableView: a cursor was opened");
            }
        }
    }
}
