using System;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.PerformanceTests
{
    /// <summary>
    /// Whitening at Fashion-MNIST size: Fit on 60,000 × 784 synthetic pixel-like rows (covariance + eigendecomposition +
    /// matrix), and rows per second through the fitted ZCA (784 outputs) and rank-100 PCA transforms.
    /// </summary>
    [Config(typeof(BenchmarkSettings))]
    public class WhiteningBenchmarks
    {
        public const int Rows = 60_000;
        public const int Dimension = 784;
        public const int TransformRows = 10_000;

        private MLContext _ml = null!;
        private IDataView _data = null!;
        private IDataView _head = null!;
        private WhiteningTransformer _zca = null!;
        private WhiteningTransformer _pca = null!;

        public sealed class Input
        {
            [VectorType(Dimension)]
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        [GlobalSetup]
        public void Setup()
        {
            _ml = new MLContext(1);
            var rows = PixelLikeRows(Rows, 1);
            _data = _ml.Data.LoadFromEnumerable(rows);
            _head = _ml.Data.LoadFromEnumerable(rows.AsSpan(0, TransformRows).ToArray());
            _zca = FitZca();
            _pca = _ml.Transforms.Whiten("White", "Features", WhiteningKind.Pca, epsilon: 10f, rank: 100).Fit(_data);
        }

        /// <summary>
        /// Values in [0, 255]: 30 random smooth "strokes" mixed with non-negative weights plus noise, so the covariance has
        /// a decaying spectrum like real images rather than the flat one of white noise.
        /// </summary>
        public static Input[] PixelLikeRows(int count, int seed)
        {
            const int Atoms = 30;
            var random = new Random(seed);
            var atoms = new float[Atoms * Dimension];
            for (int a = 0; a < Atoms; a++)
            {
                double cx = random.Next(28), cy = random.Next(28), s = 2 + 6 * random.NextDouble();
                for (int p = 0; p < Dimension; p++)
                    atoms[a * Dimension + p] = (float)Math.Exp(-(Math.Pow(p / 28 - cy, 2) + Math.Pow(p % 28 - cx, 2)) / (2 * s * s));
            }
            var rows = new Input[count];
            var weights = new float[Atoms];
            for (int t = 0; t < count; t++)
            {
                for (int a = 0; a < Atoms; a++)
                    weights[a] = (float)(random.NextDouble() * random.NextDouble() * 200);
                var x = new float[Dimension];
                for (int p = 0; p < Dimension; p++)
                {
                    float v = (float)(random.NextDouble() * 8);
                    for (int a = 0; a < Atoms; a++)
                        v += weights[a] * atoms[a * Dimension + p];
                    x[p] = Math.Min(255f, v);
                }
                rows[t] = new Input { Features = x };
            }
            return rows;
        }

        [Benchmark]
        public WhiteningTransformer FitZca() => _ml.Transforms.Whiten("White", "Features", WhiteningKind.Zca, epsilon: 10f).Fit(_data);

        [Benchmark(OperationsPerInvoke = TransformRows)]
        public float TransformZca() => Drain(_zca.Transform(_head));

        [Benchmark(OperationsPerInvoke = TransformRows)]
        public float TransformPcaRank100() => Drain(_pca.Transform(_head));

        private static float Drain(IDataView output)
        {
            var column = output.Schema["White"];
            float total = 0;
            using var cursor = output.GetRowCursor(new[] { column });
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                total += value.GetValues()[0];
            }
            return total;
        }
    }
}
