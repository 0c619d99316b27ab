using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;
using Microsoft.ML.Trainers;

[assembly: LoadableClass(SharedAutoencoderAnomalyTrainer.Summary, typeof(SharedAutoencoderAnomalyTrainer), typeof(SharedAutoencoderAnomalyTrainer.Options),
    new[] { typeof(SignatureAnomalyDetectorTrainer), typeof(SignatureTrainer) },
    SharedAutoencoderAnomalyTrainer.UserNameValue, SharedAutoencoderAnomalyTrainer.LoadNameValue)]

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// Anomaly detection by the reconstruction error of a tied autoencoder: trained on normal rows only, it scores a row
    /// y by ½‖(y − μ) − W σ(Wᵀ(y − μ) + b)‖² (μ the training mean) and predicts "anomaly" when the score exceeds a
    /// threshold set from the training scores. Create it with <c>mlContext.AnomalyDetection.Trainers.SharedAutoencoder(...)</c>.
    /// </summary>
    /// <remarks>
    /// A non-linear, sparse relative of <c>RandomizedPca</c>: where PCA projects on a fixed subspace, each row here is
    /// rebuilt from the few dictionary atoms its code switches on. Unlike <c>RandomizedPca</c>, whose score is the
    /// <em>relative</em> residual (between 0 and 1, threshold 0.5), the score is the absolute squared residual in the
    /// units of the features, so the threshold comes from the training data: the
    /// <see cref="Options.ThresholdQuantile"/>-quantile of the training scores. Change it afterwards with
    /// <c>mlContext.AnomalyDetection.ChangeModelThreshold(model, threshold)</c>. Output columns: <c>Score</c> (float) and
    /// <c>PredictedLabel</c> (bool: Score &gt; threshold). Training reads the rows into memory once (n·N floats).
    /// </remarks>
    public sealed partial class SharedAutoencoderAnomalyTrainer
        : TrainerEstimatorBase<AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters>, SharedAutoencoderAnomalyModelParameters>
    {
        internal const string LoadNameValue = "SharedAutoencoderAnomaly";
        internal const string UserNameValue = "Shared Autoencoder Anomaly Detector";
        internal const string Summary = "Scores rows by the reconstruction error of a tied autoencoder trained on normal data.";

        private static readonly TrainerInfo _info = new TrainerInfo(normalization: false, caching: false);

        private readonly Options _options;

        internal SharedAutoencoderAnomalyTrainer(IHostEnvironment env, Options options)
            : base(Contracts.CheckRef(env, nameof(env)).Register(LoadNameValue),
                  TrainerUtils.MakeR4VecFeature(Contracts.CheckRef(options, nameof(options)).FeatureColumnName), default)
        {
            Validate(Host, options);
            _options = Clone(options);
            // The estimator validates its own settings now, so a bad combination fails at creation, not at Fit.
            _ = new SharedAutoencoderEstimator(Host, EstimatorOptions(_options));
        }

        /// <summary>Trains in one pass over the data; no caching needed.</summary>
        public override TrainerInfo Info => _info;

        /// <summary>Anomaly detection.</summary>
        protected override PredictionKind PredictionKind => PredictionKind.AnomalyDetection;

        /// <summary>Reads the rows, centers them, trains the autoencoder and sets the threshold from the training scores.</summary>
        protected override SharedAutoencoderAnomalyModelParameters TrainModelCore(TrainContext context)
        {
            Host.CheckValue(context, nameof(context));
            IDataView data = context.TrainingSet.Data;
            string column = _options.FeatureColumnName;
            int dimension = Rows.InputColumn.KnownSizeFloatVector(Host, data.Schema, column);
            using IChannel channel = Host.Start("Training shared autoencoder anomaly detector");

            var rows = AnomalyTrainingRows.Read(Host, channel, data, column, dimension);
            float[] mean = _options.EnsureZeroMean ? rows.Mean() : new float[dimension];
            rows.Center(mean);
            if (_options.EnsureZeroMean && rows.Rows.All(r => System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(r) == 0))
            {
                throw Host.Except($"Column '{column}' has the same value in all {rows.Rows.Length} rows: after centering there is nothing to learn. "
                    + "Check that the right column is used.");
            }

            var estimator = new SharedAutoencoderEstimator(Host, EstimatorOptions(_options));
            SharedAutoencoderModelParameters autoencoder = estimator.Fit(rows.AsDataView(Host)).Model;

            // The threshold: scores of the training rows (already centered, so the mean is zero here).
            var centered = new SharedAutoencoderAnomalyModelParameters(Host, autoencoder, new float[dimension], _options.ThresholdQuantile, 0f);
            float threshold = QuantileThreshold(ScoreAll(centered, rows.Rows), _options.ThresholdQuantile);
            channel.Info("Threshold {0} at quantile {1} of the {2} training scores.", threshold, _options.ThresholdQuantile, rows.Rows.Length);
            return new SharedAutoencoderAnomalyModelParameters(Host, autoencoder, mean, _options.ThresholdQuantile, threshold);
        }

        /// <summary>Wraps the model in ML.NET's anomaly prediction transformer with the trained threshold.</summary>
        protected override AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters> MakeTransformer(SharedAutoencoderAnomalyModelParameters model, DataViewSchema trainSchema)
            => new AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters>(Host, model, trainSchema, _options.FeatureColumnName, model.TrainingThreshold);

        /// <summary>Score (float) and PredictedLabel (bool).</summary>
        protected override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema) => new[]
        {
            new SchemaShape.Column(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
            new SchemaShape.Column(DefaultColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false,
                new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
        };

        /// <summary>The training scores, in row order.</summary>
        private static float[] ScoreAll(SharedAutoencoderAnomalyModelParameters model, float[][] rows)
        {
            var scorer = new SharedAutoencoderAnomalyModelParameters.Scorer(model);
            return rows.Select(r => scorer.Score(r)).ToArray();
        }

        /// <summary>
        /// The ⌈q·N⌉-th smallest score: at most (1 − q)·N scores are above it. q·N is rounded to 9 decimals first so that,
        /// say, 0.99·6000 counts as 5940, not 5940.000000001.
        /// </summary>
        internal static float QuantileThreshold(float[] scores, double quantile)
        {
            var sorted = (float[])scores.Clone();
            Array.Sort(sorted);
            int rank = (int)Math.Ceiling(Math.Round(quantile * sorted.Length, 9));
            return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
        }

        /// <summary>
        /// The settings of the autoencoder: the trainer's options under the estimator's names. The trainer centers the rows
        /// itself and scores with the activation code, so the featurizer's normalization and encoding are set off here.
        /// </summary>
        private static SharedAutoencoderEstimator.Options EstimatorOptions(Options o) => new SharedAutoencoderEstimator.Options
        {
            InputColumnName = nameof(AnomalyTrainingRows.Row.Features),
            Normalization = SharedAutoencoderEstimator.Defaults.Paper.Normalization,
            SplitPolarity = SharedAutoencoderEstimator.Defaults.Paper.SplitPolarity,
            Encoding = SharedAutoencoderEstimator.Defaults.Paper.Encoding,
            HiddenUnits = o.HiddenUnits,
            Activation = o.Activation,
            MaximumNumberOfIterations = o.MaximumNumberOfIterations,
            Initialization = o.Initialization,
            InitialBias = o.InitialBias,
            BiasDecay = o.BiasDecay,
            LearningRate = o.LearningRate,
            ReseedDeadUnits = o.ReseedDeadUnits,
            Seed = o.Seed,
            NumberOfThreads = o.NumberOfThreads,
        };

        private static void Validate(IHost host, Options o)
        {
            host.CheckUserArg(!string.IsNullOrWhiteSpace(o.FeatureColumnName), nameof(o.FeatureColumnName), "must name a column");
            host.CheckUserArg(o.HiddenUnits > 0, nameof(o.HiddenUnits), $"must be positive, got {o.HiddenUnits}");
            host.CheckUserArg(o.MaximumNumberOfIterations > 0, nameof(o.MaximumNumberOfIterations), $"must be positive, got {o.MaximumNumberOfIterations}");
            host.CheckUserArg(o.ThresholdQuantile > 0 && o.ThresholdQuantile <= 1, nameof(o.ThresholdQuantile),
                $"must be in (0, 1] (e.g. 0.99 flags 1% of the training rows), got {o.ThresholdQuantile}");
        }

        private static Options Clone(Options o) => new Options
        {
            FeatureColumnName = o.FeatureColumnName,
            HiddenUnits = o.HiddenUnits,
            MaximumNumberOfIterations = o.MaximumNumberOfIterations,
            EnsureZeroMean = o.EnsureZeroMean,
            ThresholdQuantile = o.ThresholdQuantile,
            Activation = o.Activation,
            Initialization = o.Initialization,
            InitialBias = o.InitialBias,
            BiasDecay = o.BiasDecay,
            LearningRate = o.LearningRate,
            ReseedDeadUnits = o.ReseedDeadUnits,
            Seed = o.Seed,
            NumberOfThreads = o.NumberOfThreads,
        };
    }
}
