using System;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.SharedAutoencoder.Model;

namespace Microsoft.ML.SharedAutoencoder.PerformanceTests
{
    /// <summary>
    /// Rows per second of <see cref="CodeEncoder.EncodeBatch"/> at n = 784, m = 1,024 (the target: ≥ 50,000 rows/s for the
    /// threshold-type encodings on two cores), and of OMP with k = 10; random unit-norm W, Gaussian rows.
    /// </summary>
    [Config(typeof(BenchmarkSettings))]
    public class CodeEncoderBenchmarks
    {
        public const int Rows = 4096;
        private const int InputSize = 784;
        private const int HiddenUnits = 1024;

        private CodeEncoder _encoder = null!;
        private float[] _rows = null!;
        private float[] _codes = null!;

        [Params("SoftThreshold", "SoftThreshold split", "TopK k=32", "OMP k=10")]
        public string Encoding { get; set; } = "SoftThreshold";

        [Params(1, 2)]
        public int Threads { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            var random = new Random(1);
            var weights = new float[InputSize * HiddenUnits];
            for (int i = 0; i < HiddenUnits; i++)
            {
                double norm = 0;
                for (int k = 0; k < InputSize; k++)
                {
                    float v = (float)(random.NextDouble() - 0.5);
                    weights[i * InputSize + k] = v;
                    norm += v * v;
                }
                for (int k = 0; k < InputSize; k++)
                    weights[i * InputSize + k] /= (float)Math.Sqrt(norm);
            }
            var bias = new float[HiddenUnits];
            for (int i = 0; i < HiddenUnits; i++)
                bias[i] = -0.1f;
            _rows = new float[Rows * InputSize];
            for (int j = 0; j < _rows.Length; j++)
                _rows[j] = (float)random.NextDouble();
            CodeEncodingSettings settings = Encoding switch
            {
                "SoftThreshold" => CodeEncodingSettings.SoftThreshold(0.5f),
                "SoftThreshold split" => CodeEncodingSettings.SoftThreshold(0.5f, splitPolarity: true),
                "TopK k=32" => CodeEncodingSettings.TopK(32),
                _ => CodeEncodingSettings.OrthogonalMatchingPursuit(10),
            };
            _encoder = new CodeEncoder(weights, bias, InputSize, AutoencoderActivation.Relu, 0, settings, maxThreads: 2);
            _codes = new float[Rows * _encoder.CodeLength];
        }

        [Benchmark(OperationsPerInvoke = Rows)]
        public float EncodeBatch()
        {
            _encoder.EncodeBatch(_rows, Rows, _codes, Threads);
            return _codes[0];
        }
    }
}
