using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Examples.Common
{
    /// <summary>One in-memory example: a feature vector and a 0-based class.</summary>
    internal sealed class DenseRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        /// <summary>
        /// The 0-based class. <c>LoadFromEnumerable</c> maps a key column's raw values 0 … count − 1 to the keys 1 … count and
        /// any larger value to the missing key, so the class goes in as it is (class + 1 would drop the last class).
        /// </summary>
        public uint Label { get; set; }
    }

    /// <summary>Small helpers to move dense float rows in and out of IDataView.</summary>
    internal static class DenseData
    {
        /// <summary>An IDataView with a known-size <c>Features</c> vector column and a key <c>Label</c> with <paramref name="classCount"/> values.</summary>
        public static IDataView ToDataView(MLContext mlContext, IReadOnlyList<float[]> rows, IReadOnlyList<int>? labels, int dimension, int classCount)
        {
            var schema = SchemaDefinition.Create(typeof(DenseRow));
            schema[nameof(DenseRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
            schema[nameof(DenseRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), Math.Max(1, classCount));
            var items = new List<DenseRow>(rows.Count);
            for (int i = 0; i < rows.Count; i++)
                items.Add(new DenseRow { Features = rows[i], Label = labels == null ? 0u : (uint)labels[i] });
            return mlContext.Data.LoadFromEnumerable(items, schema);
        }

        /// <summary>Reads a known-size float vector column into arrays.</summary>
        public static List<float[]> ReadVectors(IDataView data, string columnName)
        {
            var column = data.Schema[columnName];
            var result = new List<float[]>();
            using var cursor = data.GetRowCursor(new[] { column });
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                getter(ref buffer);
                result.Add(buffer.DenseValues().ToArray());
            }
            return result;
        }

        /// <summary>Reads a key column as 0-based integers (−1 for a missing key).</summary>
        public static List<int> ReadKeys(IDataView data, string columnName)
        {
            var column = data.Schema[columnName];
            var result = new List<int>();
            using var cursor = data.GetRowCursor(new[] { column });
            var getter = cursor.GetGetter<uint>(column);
            uint key = 0;
            while (cursor.MoveNext())
            {
                getter(ref key);
                result.Add((int)key - 1);
            }
            return result;
        }
    }
}
