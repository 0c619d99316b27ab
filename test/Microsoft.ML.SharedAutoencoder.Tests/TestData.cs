using System;
using System.Collections.Generic;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests
{
    /// <summary>Small deterministic data sets for the tests.</summary>
    internal static class TestData
    {
        public sealed class Row
        {
            public float[] Features { get; set; } = Array.Empty<float>();

            public uint Label { get; set; }
        }

        public static double Normal(Random random) => WeightInitializer.StandardNormal(random);

        /// <summary>Unit-major dictionary with unit-norm random Gaussian columns.</summary>
        public static float[] RandomDictionary(int n, int m, Random random)
        {
            var a = WeightInitializer.RandomColumns(n, m, random);
            for (int i = 0; i < m; i++)
                WeightInitializer.NormalizeInPlace(a.AsSpan(i * n, n));
            return a;
        }

        /// <summary>Mixture of Gaussians: y = A_c + σ·N(0, I) with c uniform; returns row-major rows and 0-based components.</summary>
        public static (float[] Rows, int[] Components) Mixture(float[] dictionary, int n, int m, int rows, double sigma, Random random)
        {
            var values = new float[rows * n];
            var components = new int[rows];
            for (int t = 0; t < rows; t++)
            {
                int c = random.Next(m);
                components[t] = c;
                for (int j = 0; j < n; j++)
                    values[t * n + j] = (float)(dictionary[c * n + j] + sigma * Normal(random));
            }
            return (values, components);
        }

        public static IDataView MixtureView(MLContext ml, float[] rows, int[] components, int n)
        {
            var list = new List<Row>();
            for (int t = 0; t < components.Length; t++)
                list.Add(new Row { Features = rows.AsSpan(t * n, n).ToArray(), Label = (uint)components[t] });
            var schema = SchemaDefinition.Create(typeof(Row));
            schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, n);
            return ml.Data.LoadFromEnumerable(list, schema);
        }

        public static float[][] Columns(float[] unitMajor, int n)
        {
            var columns = new float[unitMajor.Length / n][];
            for (int i = 0; i < columns.Length; i++)
                columns[i] = unitMajor.AsSpan(i * n, n).ToArray();
            return columns;
        }
    }
}
