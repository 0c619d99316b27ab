using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// The anomaly trainer's training rows, read once into memory: the trainer needs them three times (the mean, the
    /// autoencoder's training, the training scores that set the threshold). Bad rows are refused with the transform's
    /// own messages (<see cref="SharedAutoencoderEstimator"/>), so both entry points report a bad column alike.
    /// </summary>
    internal sealed class AnomalyTrainingRows
    {
        private AnomalyTrainingRows(float[][] rows, int dimension)
        {
            Rows = rows;
            Dimension = dimension;
        }

        /// <summary>The rows, each of length <see cref="Dimension"/>; centered after <see cref="Center"/>.</summary>
        public float[][] Rows { get; }

        public int Dimension { get; }

        /// <summary>Reads column <paramref name="column"/> (a known-size float vector of length <paramref name="dimension"/>).</summary>
        public static AnomalyTrainingRows Read(IHost host, IChannel channel, IDataView data, string column, int dimension)
        {
            var rows = new List<float[]>();
            var col = data.Schema[column];
            using (var cursor = data.GetRowCursor(new[] { col }))
            {
                var getter = cursor.GetGetter<VBuffer<float>>(col);
                VBuffer<float> value = default;
                while (cursor.MoveNext())
                {
                    host.CheckAlive();
                    getter(ref value);
                    long position = rows.Count;
                    if (value.Length != dimension)
                        throw host.Except($"Row {position} of column '{column}' has {value.Length} values; expected {dimension}.");
                    var row = new float[dimension];
                    value.CopyTo(row);
                    int bad = Array.FindIndex(row, v => !float.IsFinite(v));
                    if (bad >= 0)
                        throw host.Except($"Column '{column}' has a non-finite value ({row[bad]}) at row {position}, index {bad}. Remove or impute such rows before training.");
                    rows.Add(row);
                }
            }
            if (rows.Count == 0)
                throw host.Except($"The training data are empty: column '{column}' has no rows.");
            channel.Info("Read {0} training rows of dimension {1}.", rows.Count, dimension);
            return new AnomalyTrainingRows(rows.ToArray(), dimension);
        }

        /// <summary>The mean row, summed in double in row order (deterministic).</summary>
        public float[] Mean()
        {
            var sum = new double[Dimension];
            foreach (float[] row in Rows)
            {
                for (int j = 0; j < Dimension; j++)
                    sum[j] += row[j];
            }
            return sum.Select(s => (float)(s / Rows.Length)).ToArray();
        }

        /// <summary>Subtracts <paramref name="mean"/> from every row, in place.</summary>
        public void Center(ReadOnlySpan<float> mean)
        {
            foreach (float[] row in Rows)
                System.Numerics.Tensors.TensorPrimitives.Subtract(row, mean, row);
        }

        /// <summary>The rows as a data view with one column "Features" of type Vector&lt;Single, n&gt;.</summary>
        public IDataView AsDataView(IHostEnvironment env)
        {
            var schema = SchemaDefinition.Create(typeof(Row));
            schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Dimension);
            return DataViewConstructionUtils.CreateFromEnumerable(env, Rows.Select(r => new Row { Features = r }), schema);
        }

        internal sealed class Row
        {
            public float[] Features { get; set; } = Array.Empty<float>();
        }
    }
}
