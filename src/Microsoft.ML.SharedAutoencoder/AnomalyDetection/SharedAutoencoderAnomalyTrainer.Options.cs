namespace Microsoft.ML.SharedAutoencoder
{
    public sealed partial class SharedAutoencoderAnomalyTrainer
    {
        /// <summary>
        /// The settings of <see cref="SharedAutoencoderAnomalyTrainer"/>, as used by
        /// <c>mlContext.AnomalyDetection.Trainers.SharedAutoencoder(options)</c>. Nullable settings: null means "the
        /// documented default" of the underlying <see cref="SharedAutoencoderEstimator.Options"/>.
        /// </summary>
        public sealed class Options
        {
            /// <summary>The known-size float vector column to score. Default: "Features".</summary>
            public string FeatureColumnName { get; set; } = Defaults.FeatureColumnName;

            /// <summary>m: the number of hidden units of the autoencoder. Must be positive. Default: 64.</summary>
            public int HiddenUnits { get; set; } = Defaults.HiddenUnits;

            /// <summary>The number of full-batch gradient steps. Must be positive. Default: 50.</summary>
            public int MaximumNumberOfIterations { get; set; } = Defaults.MaximumNumberOfIterations;

            /// <summary>
            /// Whether the training mean μ is subtracted from every row (training and scoring) before the autoencoder sees
            /// it; μ is stored in the model. Centering makes the score measure how far a row is from the training data
            /// beyond what the autoencoder explains, instead of spending hidden units on the mean. Default: true.
            /// </summary>
            public bool EnsureZeroMean { get; set; } = Defaults.EnsureZeroMean;

            /// <summary>
            /// q: the quantile of the training rows' scores that becomes the threshold for <c>PredictedLabel</c> (score &gt;
            /// threshold means anomaly). The threshold is the ⌈q·N⌉-th smallest of the N training scores, so at most
            /// (1 − q)·N training rows are flagged (exactly N − ⌈q·N⌉ when the scores are distinct): 0.99 flags 1%, 1 flags
            /// none. Change it after training with <c>mlContext.AnomalyDetection.ChangeModelThreshold</c>. Must be in
            /// (0, 1]. Default: 0.99.
            /// </summary>
            public double ThresholdQuantile { get; set; } = Defaults.ThresholdQuantile;

            /// <summary>The encoder's nonlinearity σ. Default: <see cref="AutoencoderActivation.Relu"/>.</summary>
            public AutoencoderActivation Activation { get; set; } = AutoencoderActivation.Relu;

            /// <summary>How W⁰ is chosen. Default: <see cref="WeightInitialization.Samples"/> (atoms start as normalized training rows).</summary>
            public WeightInitialization Initialization { get; set; } = Defaults.Initialization;

            /// <summary>The initial encoder bias b⁰ (<see cref="SharedAutoencoderEstimator.Options.InitialBias"/>). Default (null): the estimator's, −1/ln n for ReLU.</summary>
            public float? InitialBias { get; set; } = Defaults.InitialBias;

            /// <summary>C of the bias schedule b ← b / C (<see cref="SharedAutoencoderEstimator.Options.BiasDecay"/>). Default (null): the estimator's, 2 for ReLU.</summary>
            public float? BiasDecay { get; set; } = Defaults.BiasDecay;

            /// <summary>ζ, the gradient step size (<see cref="SharedAutoencoderEstimator.Options.LearningRate"/>). Default (null): the estimator's default.</summary>
            public float? LearningRate { get; set; }

            /// <summary>Re-seed units that fire on no row (<see cref="SharedAutoencoderEstimator.Options.ReseedDeadUnits"/>). Default: false.</summary>
            public bool ReseedDeadUnits { get; set; } = Defaults.ReseedDeadUnits;

            /// <summary>Seed of the random initialization. Default (null): drawn from the <see cref="MLContext"/>'s seed.</summary>
            public int? Seed { get; set; }

            /// <summary>Threads for training. Results do not depend on it. Must be positive. Default (null): the number of processors.</summary>
            public int? NumberOfThreads { get; set; }
        }

        /// <summary>The defaults shared by <see cref="Options"/> and the catalog method.</summary>
        internal static class Defaults
        {
            /// <summary>The feature column: "Features".</summary>
            public const string FeatureColumnName = "Features";

            /// <summary>m = 64 hidden units.</summary>
            public const int HiddenUnits = 64;

            /// <summary>50 gradient steps.</summary>
            public const int MaximumNumberOfIterations = 50;

            /// <summary>Centered on the training mean.</summary>
            public const bool EnsureZeroMean = true;

            /// <summary>The 0.99-quantile: 1% of the training rows above the threshold.</summary>
            public const double ThresholdQuantile = 0.99;

            /// <summary>W⁰ from data rows (measured on Fashion-MNIST: mean AUC 0.912 vs 0.907 for Random).</summary>
            public const WeightInitialization Initialization = WeightInitialization.Samples;

            /// <summary>b⁰: null, the estimator's default.</summary>
            public static readonly float? InitialBias = null;

            /// <summary>C: null, the estimator's default.</summary>
            public static readonly float? BiasDecay = null;

            /// <summary>Dead units are not re-seeded.</summary>
            public const bool ReseedDeadUnits = false;
        }
    }
}
