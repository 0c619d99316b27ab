using System;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.PerformanceTests
{
    /// <summary>
    /// The anomaly trainer at the Fashion-MNIST one-class size: Fit on 6,000 rows × 784 (the default options: m = 64,
    /// 50 iterations, centered), and scoring 10,000 rows through the fitted <c>AnomalyPredictionTransformer</c> (a cursor
    /// over Score and PredictedLabel) and through a PredictionEngine. Rows from the bilinear model (784 features): the
    /// cost of a step does not depend on what the pixels show.
    /// <c>dotnet run -c Release --project test/Microsoft.ML.SharedAutoencoder.PerformanceTests -- --filter '*Anomaly*'</c>
    /// </summary>
    [Config(typeof(BenchmarkSettings))]
    public class AnomalyDetectionBenchmarks
    {
        public const int TrainRows = 6_000;
        public const int ScoreRows = 10_000;

        private MLContext _ml = null!;
        private IDataView _train = null!;
        private IDataView _test = null!;
        private Input[] _rows = null!;
        private AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters> _model = null!;
        private PredictionEngine<Input, Output> _engine = null!;

        public sealed class Input
        {
            [VectorType(Workloads.InputSize)]
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        public sealed class Output
        {
            public float Score { get; set; }

            public bool PredictedLabel { get; set; }
        }

        [GlobalSetup]
        public void Setup()
        {
            _ml = new MLContext(1);
            BilinearModelDataView view = _ml.Data.LoadFromBilinearModel(Workloads.ModelOptions(64), TrainRows + ScoreRows);
            _rows = new Input[TrainRows + ScoreRows];
            for (int t = 0; t < _rows.Length; t++)
                _rows[t] = new Input { Features = view.GetFeatures(t) };
            _train = _ml.Data.LoadFromEnumerable(_rows[..TrainRows]);
            _test = _ml.Data.LoadFromEnumerable(_rows[TrainRows..]);
            _model = Fit();
            _engine = _ml.Model.CreatePredictionEngine<Input, Output>(_model);
        }

        [Benchmark]
        public AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters> Fit()
            => _ml.AnomalyDetection.Trainers.SharedAutoencoder(new SharedAutoencoderAnomalyTrainer.Options { Seed = 1 }).Fit(_train);

        [Benchmark(OperationsPerInvoke = ScoreRows)]
        public float ScoreCursor()
        {
            IDataView output = _model.Transform(_test);
            var score = output.Schema["Score"];
            var label = output.Schema["PredictedLabel"];
            float total = 0;
            using var cursor = output.GetRowCursor(new[] { score, label });
            var getScore = cursor.GetGetter<float>(score);
            var getLabel = cursor.GetGetter<bool>(label);
            float value = 0;
            bool flagged = false;
            while (cursor.MoveNext())
            {
                getScore(ref value);
                getLabel(ref flagged);
                total += flagged ? value : 0;
            }
            return total;
        }

        [Benchmark(OperationsPerInvoke = ScoreRows)]
        public float ScorePredictionEngine()
        {
            float total = 0;
            var output = new Output();
            foreach (Input row in _rows.AsSpan(TrainRows))
            {
                _engine.Predict(row, ref output);
                total += output.Score;
            }
            return total;
        }
    }
}
