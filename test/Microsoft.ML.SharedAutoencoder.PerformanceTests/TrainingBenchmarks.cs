using System;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.PerformanceTests
{
    /// <summary>
    /// One full-batch normalized GD step (gradient pass + update) at the paper's workload P1 (N = 10,000, n = 784,
    /// m = 10) and at 10× N and 10× m, on all cores.
    /// </summary>
    [Config(typeof(BenchmarkSettings))]
    public class StepBenchmarks
    {
        private GradientPass _pass = null!;
        private PassResult _result = null!;
        private float[] _weights = null!;
        private float[] _next = null!;
        private float[] _bias = null!;
        private EncoderActivation _activation;

        [Params("P1 N=10k m=10", "N=100k m=10", "N=10k m=100")]
        public string Workload { get; set; } = "P1 N=10k m=10";

        [GlobalSetup]
        public void Setup()
        {
            (int rows, int m) = Workload switch
            {
                "N=100k m=10" => (100_000, 10),
                "N=10k m=100" => (10_000, 100),
                _ => (10_000, 10),
            };
            var ml = new MLContext(1);
            DenseRows data = Workloads.Rows(ml, rows, m);
            _weights = WeightInitializer.RandomColumns(Workloads.InputSize, m, new Random(2));
            for (int i = 0; i < m; i++)
                WeightInitializer.NormalizeInPlace(_weights.AsSpan(i * Workloads.InputSize, Workloads.InputSize));
            _next = new float[_weights.Length];
            _bias = new float[m];
            Array.Fill(_bias, SharedAutoencoderEstimator.DefaultReluBias(Workloads.InputSize));
            _activation = new EncoderActivation(AutoencoderActivation.Relu, 0.5f);
            _pass = new GradientPass(data, m, Environment.ProcessorCount);
            _result = new PassResult(Workloads.InputSize, m);
        }

        [Benchmark]
        public float Step()
        {
            _pass.Run(_weights, _bias, _activation, _result, default);
            AutoencoderTrainer.Step(_weights, _result.Gradient, learningRate: _bias.Length, Workloads.InputSize, _next);
            return _next[0];
        }

        [GlobalCleanup]
        public void Cleanup() => _pass.Dispose();
    }
}
