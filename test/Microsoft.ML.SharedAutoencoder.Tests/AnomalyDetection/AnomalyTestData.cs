using System;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.AnomalyDetection
{
    /// <summary>Rows and views for the anomaly trainer's tests.</summary>
    internal static class AnomalyTestData
    {
        public sealed class Row
        {
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Label { get; set; }
        }

        /// <summary>A view with "Features" (Vector&lt;Single, n&gt;) and "Label" (Single: 1 anomaly, 0 normal).</summary>
        public static IDataView View(MLContext ml, float[][] rows, float[]? labels = null)
        {
            var schema = SchemaDefinition.Create(typeof(Row));
            schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows.Length > 0 ? rows[0].Length : 8);
            return ml.Data.LoadFromEnumerable(rows.Select((r, i) => new Row { Features = r, Label = labels?[i] ?? 0 }).ToArray(), schema);
        }

        /// <summary>
        /// Non-negative rows near a few prototypes (a small image-like data set): the prototypes are drawn from
        /// <paramref name="prototypeSeed"/>, the rows around them from <paramref name="seed"/>.
        /// </summary>
        public static float[][] Clusters(int n, int count, int seed, int prototypes = 4, double noise = 0.05, int prototypeSeed = 100)
        {
            var prototypeRandom = new Random(prototypeSeed);
            var centers = Enumerable.Range(0, prototypes).Select(_ => Enumerable.Range(0, n).Select(_ => prototypeRandom.NextDouble()).ToArray()).ToArray();
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var center = centers[random.Next(prototypes)];
                return center.Select(v => (float)Math.Max(0, v + noise * Gaussian(random))).ToArray();
            }).ToArray();
        }

        /// <summary>Rows of independent uniform pixels: unlike <see cref="Clusters"/>.</summary>
        public static float[][] Uniform(int n, int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
        }

        public static double Gaussian(Random random)
            => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

        /// <summary>The exact AUC of <paramref name="scores"/> for label 1 against label 0 (ties one half).</summary>
        public static double Auc(float[] scores, float[] labels)
        {
            double wins = 0;
            long pairs = 0;
            for (int i = 0; i < scores.Length; i++)
            {
                if (labels[i] <= 0)
                    continue;
                for (int j = 0; j < scores.Length; j++)
                {
                    if (labels[j] > 0)
                        continue;
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
            return wins / pairs;
        }
    }
}
