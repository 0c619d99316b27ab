using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.PerformanceTests
{
    /// <summary>Fit through the ML.NET estimator at P1 (50 iterations), with random and PCA initialization.</summary>
    [Config(typeof(BenchmarkSettings))]
    public class FitBenchmarks
    {
        private MLContext _ml = null!;
        private IDataView _data = null!;

        [Params(WeightInitialization.Random, WeightInitialization.Pca)]
        public WeightInitialization Initialization { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            _ml = new MLContext(1);
            // Cached: the benchmark measures Fit (reading the column, initialization, 50 steps), not the generator.
            _data = _ml.Data.Cache(_ml.Data.LoadFromBilinearModel(Workloads.ModelOptions(10), 10_000));
            Fit();
        }

        [Benchmark]
        public SharedAutoencoderTransformer Fit() => _ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
        {
            // The paper's settings (the defaults before format 0x00010004).
            Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
            HiddenUnits = 10,
            MaximumNumberOfIterations = 50,
            Initialization = Initialization,
            Seed = 1,
        }).Fit(_data);
    }

    /// <summary>Encoding 10,000 rows (n = 784, m = 10) through the transformer: a cursor over the code column, and PredictionEngine.</summary>
    [Config(typeof(BenchmarkSettings))]
    public class EncodingBenchmarks
    {
        public const int Rows = 10_000;

        private MLContext _ml = null!;
        private IDataView _input = null!;
        private SharedAutoencoderTransformer _transformer = null!;
        private PredictionEngine<Input, Output> _engine = null!;
        private Input[] _rows = null!;

        public sealed class Input
        {
            [VectorType(Workloads.InputSize)]
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        public sealed class Output
        {
            [VectorType(10)]
            public float[] Code { get; set; } = Array.Empty<float>();
        }

        [GlobalSetup]
        public void Setup()
        {
            _ml = new MLContext(1);
            BilinearModelDataView view = _ml.Data.LoadFromBilinearModel(Workloads.ModelOptions(10), Rows);
            _rows = new Input[Rows];
            for (int t = 0; t < Rows; t++)
                _rows[t] = new Input { Features = view.GetFeatures(t) };
            _input = _ml.Data.LoadFromEnumerable(_rows);
            _transformer = _ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 10, MaximumNumberOfIterations = 5, Seed = 1 }).Fit(_input);
            _engine = _ml.Model.CreatePredictionEngine<Input, Output>(_transformer);
        }

        [Benchmark(OperationsPerInvoke = Rows)]
        public float Cursor()
        {
            IDataView output = _transformer.Transform(_input);
            var column = output.Schema["Code"];
            float total = 0;
            using var cursor = output.GetRowCursor(new[] { column });
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> code = default;
            while (cursor.MoveNext())
            {
                getter(ref code);
                total += code.GetValues().Length;
            }
            return total;
        }

        [Benchmark(OperationsPerInvoke = Rows)]
        public float PredictionEngine()
        {
            float total = 0;
            var output = new Output();
            foreach (Input row in _rows)
            {
                _engine.Predict(row, ref output);
                total += output.Code[0];
            }
            return total;
        }
    }

    /// <summary>Exact assignment at m = 1000 (the matching behind the recovery metrics).</summary>
    [Config(typeof(BenchmarkSettings))]
    public class HungarianBenchmarks
    {
        private const int Size = 1000;
        private double[] _cost = null!;
        private int[] _assignment = null!;

        [GlobalSetup]
        public void Setup()
        {
            var random = new Random(1);
            _cost = new double[Size * Size];
            for (int k = 0; k < _cost.Length; k++)
                _cost[k] = random.NextDouble();
            _assignment = new int[Size];
        }

        [Benchmark]
        public double Assign1000() => HungarianAlgorithm.MinimizeCost(_cost, Size, Size, _assignment);
    }

    /// <summary>Rows per second the bilinear-model loader generates (n = 784, m = 10, through a cursor).</summary>
    [Config(typeof(BenchmarkSettings))]
    public class LoaderBenchmarks
    {
        public const int Rows = 20_000;
        private IDataView _view = null!;

        [GlobalSetup]
        public void Setup() => _view = new MLContext(1).Data.LoadFromBilinearModel(Workloads.ModelOptions(10), Rows);

        [Benchmark(OperationsPerInvoke = Rows)]
        public float Generate()
        {
            var column = _view.Schema["Features"];
            float total = 0;
            using var cursor = _view.GetRowCursor(new List<DataViewSchema.Column> { column });
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
