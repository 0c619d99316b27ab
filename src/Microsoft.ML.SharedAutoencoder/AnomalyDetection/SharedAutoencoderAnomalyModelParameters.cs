using System;
using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;
using Microsoft.ML.Trainers;

[assembly: LoadableClass(typeof(SharedAutoencoderAnomalyModelParameters), null, typeof(SignatureLoadModel),
    "Shared Autoencoder Anomaly Executor", SharedAutoencoderAnomalyModelParameters.LoaderSignature)]

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// The model of <see cref="SharedAutoencoderAnomalyTrainer"/>: the training mean μ and a tied autoencoder trained on
    /// the centered rows. The anomaly score of a row y is the autoencoder's reconstruction error
    /// ½‖(y − μ) − W σ(Wᵀ(y − μ) + b)‖²: rows like the training data reconstruct well (small score), others do not.
    /// Immutable and safe to use from many threads.
    /// </summary>
    /// <remarks>
    /// A row with a NaN or an infinite value scores NaN (it has no code), so its <c>PredictedLabel</c> is false
    /// (NaN &gt; threshold is false): remove or impute such rows before scoring when they must be flagged.
    /// </remarks>
    public sealed class SharedAutoencoderAnomalyModelParameters : ModelParametersBase<float>, IValueMapper
    {
        internal const string LoaderSignature = "SharedAutoencAnomExec";
        private const string RegistrationName = "SharedAutoencoderAnomalyPredictor";

        private readonly float[] _mean;
        private readonly DataViewType _inputType;

        internal SharedAutoencoderAnomalyModelParameters(IHostEnvironment env, SharedAutoencoderModelParameters autoencoder, float[] mean,
            double thresholdQuantile, float trainingThreshold)
            : base(env, RegistrationName)
        {
            Host.CheckValue(autoencoder, nameof(autoencoder));
            Host.CheckParam(mean.Length == autoencoder.InputSize, nameof(mean), "must have one value per input");
            Host.CheckParam(TensorPrimitives.IsFiniteAll(mean), nameof(mean), "must be finite");
            Autoencoder = autoencoder;
            _mean = mean;
            ThresholdQuantile = thresholdQuantile;
            TrainingThreshold = trainingThreshold;
            _inputType = new VectorDataViewType(NumberDataViewType.Single, autoencoder.InputSize);
        }

        private SharedAutoencoderAnomalyModelParameters(IHostEnvironment env, ModelLoadContext ctx)
            : base(env, RegistrationName, ctx)
        {
            (Autoencoder, _mean, ThresholdQuantile, TrainingThreshold) = SharedAutoencoderAnomalyModelFormat.Read(Host, ctx);
            _inputType = new VectorDataViewType(NumberDataViewType.Single, Autoencoder.InputSize);
        }

        /// <summary>The tied autoencoder (W, b, σ), trained on rows centered by <see cref="GetMean"/>.</summary>
        public SharedAutoencoderModelParameters Autoencoder { get; }

        /// <summary>n: the length of the feature vectors.</summary>
        public int InputSize => Autoencoder.InputSize;

        /// <summary>
        /// The quantile of the training scores the trainer chose <see cref="TrainingThreshold"/> at
        /// (<see cref="SharedAutoencoderAnomalyTrainer.Options.ThresholdQuantile"/>).
        /// </summary>
        public double ThresholdQuantile { get; }

        /// <summary>
        /// The score threshold set by the trainer: the <see cref="ThresholdQuantile"/>-quantile of the training rows' scores.
        /// A row is predicted anomalous when its score is greater. The transformer's threshold starts here and can be changed
        /// with <c>mlContext.AnomalyDetection.ChangeModelThreshold</c>; this value records the trained one.
        /// </summary>
        public float TrainingThreshold { get; }

        /// <summary>Anomaly detection.</summary>
        protected override PredictionKind PredictionKind => PredictionKind.AnomalyDetection;

        /// <summary>A copy of the training mean μ subtracted from every row (zeros when the trainer did not center).</summary>
        public float[] GetMean() => (float[])_mean.Clone();

        internal ReadOnlySpan<float> MeanSpan => _mean;

        /// <summary>The anomaly score of one row: ½‖(y − μ) − ŷ‖², ŷ the autoencoder's reconstruction of y − μ.</summary>
        /// <param name="features">y, of length <see cref="InputSize"/>.</param>
        /// <returns>The score (NaN when y has a NaN or infinite value).</returns>
        public float Score(ReadOnlySpan<float> features)
        {
            if (features.Length != InputSize)
                throw new ArgumentException($"Expected a vector of length {InputSize}, got {features.Length}.", nameof(features));
            return new Scorer(this).Score(features);
        }

        /// <summary>Writes the model (<see cref="SharedAutoencoderAnomalyModelFormat"/>).</summary>
        protected override void SaveCore(ModelSaveContext ctx)
        {
            base.SaveCore(ctx);
            ctx.SetVersionInfo(SharedAutoencoderAnomalyModelFormat.GetVersionInfo());
            SharedAutoencoderAnomalyModelFormat.Write(ctx, this);
        }

        // Factory method for SignatureLoadModel.
        internal static SharedAutoencoderAnomalyModelParameters Create(IHostEnvironment env, ModelLoadContext ctx)
        {
            Contracts.CheckValue(env, nameof(env));
            env.CheckValue(ctx, nameof(ctx));
            ctx.CheckAtModel(SharedAutoencoderAnomalyModelFormat.GetVersionInfo());
            return new SharedAutoencoderAnomalyModelParameters(env, ctx);
        }

        DataViewType IValueMapper.InputType => _inputType;

        DataViewType IValueMapper.OutputType => NumberDataViewType.Single;

        ValueMapper<TIn, TOut> IValueMapper.GetMapper<TIn, TOut>()
        {
            Host.Check(typeof(TIn) == typeof(VBuffer<float>) && typeof(TOut) == typeof(float), "The mapper maps a float vector to a float score.");
            // One scorer (and its buffers) per mapper: ML.NET asks for a mapper per cursor, so per thread.
            var scorer = new Scorer(this);
            var dense = new float[InputSize];
            ValueMapper<VBuffer<float>, float> map = (in VBuffer<float> src, ref float dst) =>
            {
                Host.Check(src.Length == InputSize, "Input vector has the wrong length.");
                ReadOnlySpan<float> y = src.GetValues();
                if (!src.IsDense)
                {
                    src.CopyTo(dense);
                    y = dense;
                }
                dst = scorer.Score(y);
            };
            return (ValueMapper<TIn, TOut>)(Delegate)map;
        }

        /// <summary>Computes scores with its own buffers; one instance per thread.</summary>
        internal sealed class Scorer
        {
            private readonly SharedAutoencoderAnomalyModelParameters _model;
            private readonly float[] _centered;
            private readonly float[] _code;
            private readonly float[] _reconstruction;

            public Scorer(SharedAutoencoderAnomalyModelParameters model)
            {
                _model = model;
                _centered = new float[model.InputSize];
                _code = new float[model.Autoencoder.HiddenUnits];
                _reconstruction = new float[model.InputSize];
            }

            public float Score(ReadOnlySpan<float> features)
            {
                TensorPrimitives.Subtract(features, _model._mean, _centered);
                // Encode turns a non-finite row into a NaN code, so the score below is NaN too.
                _model.Autoencoder.Encode(_centered, _code);
                _model.Autoencoder.Decode(_code, _reconstruction);
                TensorPrimitives.Subtract(_centered, _reconstruction, _reconstruction);
                // The transform's own ½‖y − ŷ‖² (same operations, so the same bits when μ = 0); beyond float range it
                // reads +∞, not NaN.
                return 0.5f * TensorPrimitives.Dot(_reconstruction, _reconstruction);
            }
        }
    }
}
