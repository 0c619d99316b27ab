using System;
using System.Collections.Generic;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Whitening
{
    /// <summary>Correlated Gaussian rows x = A z + c for the whitening tests, and helpers to read a transform's output.</summary>
    internal static class WhiteningData
    {
        public sealed class Row
        {
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        /// <summary>
        /// <paramref name="count"/> rows of length <paramref name="n"/>: A = I + 0.6·G (G Gaussian), z standard Gaussian,
        /// c = 40 + j (far from the origin, like pixels). The covariance A Aᵀ is full rank with a spread of eigenvalues.
        /// </summary>
        public static float[][] Correlated(int count, int n, int seed)
        {
            var random = new Random(seed);
            var a = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                    a[i, j] = (i == j ? 1 : 0) + 0.6 * Gaussian(random);
            }
            var rows = new float[count][];
            var z = new double[n];
            for (int t = 0; t < count; t++)
            {
                for (int j = 0; j < n; j++)
                    z[j] = Gaussian(random);
                rows[t] = new float[n];
                for (int i = 0; i < n; i++)
                {
                    double v = 40 + i;
                    for (int j = 0; j < n; j++)
                        v += a[i, j] * z[j];
                    rows[t][i] = (float)v;
                }
            }
            return rows;
        }

        public static IDataView Load(MLContext ml, float[][] rows)
        {
            var schema = SchemaDefinition.Create(typeof(Row));
            schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Length);
            var list = new List<Row>();
            foreach (float[] r in rows)
                list.Add(new Row { Features = r });
            return ml.Data.LoadFromEnumerable(list, schema);
        }

        public static float[][] Column(IDataView data, string name)
        {
            var column = data.Schema[name];
            var result = new List<float[]>();
            using var cursor = data.GetRowCursor(new[] { column });
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                result.Add(value.DenseValues().ToArrayOf());
            }
            return result.ToArray();
        }

        private static float[] ToArrayOf(this IEnumerable<float> values) => new List<float>(values).ToArray();

        /// <summary>The population covariance (1/N) Σ (x − x̄)(x − x̄)ᵀ in double, two-pass.</summary>
        public static double[,] Covariance(float[][] rows)
        {
            int n = rows[0].Length;
            var mean = new double[n];
            foreach (float[] r in rows)
            {
                for (int j = 0; j < n; j++)
                    mean[j] += r[j];
            }
            for (int j = 0; j < n; j++)
                mean[j] /= rows.Length;
            var c = new double[n, n];
            foreach (float[] r in rows)
            {
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < n; j++)
                        c[i, j] += (r[i] - mean[i]) * (r[j] - mean[j]);
                }
            }
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                    c[i, j] /= rows.Length;
            }
            return c;
        }

        public static double MaxDistanceFromIdentity(double[,] c)
        {
            double worst = 0;
            for (int i = 0; i < c.GetLength(0); i++)
            {
                for (int j = 0; j < c.GetLength(1); j++)
                    worst = Math.Max(worst, Math.Abs(c[i, j] - (i == j ? 1 : 0)));
            }
            return worst;
        }

        private static double Gaussian(Random random)
            => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
