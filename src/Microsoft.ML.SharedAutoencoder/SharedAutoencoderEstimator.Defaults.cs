using System;

namespace Microsoft.ML.SharedAutoencoder
{
    public sealed partial class SharedAutoencoderEstimator
    {
        /// <summary>
        /// The default of every setting, in one place: the <see cref="Options"/> initializers, the catalog's parameter
        /// defaults and the numeric core all read them from here (as ML.NET's PCA and KMeans share theirs).
        /// </summary>
        /// <remarks>
        /// The defaults make a featurizer that does not depend on the input's scale (normalization inside the model,
        /// atoms from data rows, a soft threshold in normalized units, no gradient step). Until version 0x00010004 of the
        /// model format they were the paper's settings, which <see cref="Paper"/> keeps for the research code.
        /// </remarks>
        internal static class Defaults
        {
            public const string InputColumnName = "Features";
            public const string OutputColumnName = "Code";
            public const int HiddenUnits = 1024;
            public const AutoencoderActivation Activation = AutoencoderActivation.Relu;
            public const float Threshold = 0.5f;
            public const int ExpectedSparsity = 1;
            public const CodeEncoding Encoding = CodeEncoding.SoftThreshold;
            public const bool SplitPolarity = true;
            public const InputNormalization Normalization = InputNormalization.CenterAndScale;

            /// <summary>α of the soft threshold: 0.5 fits unit-variance projections (whitened data, unit-norm atoms).</summary>
            public const float EncodingThreshold = 0.5f;

            /// <summary>k of top-k and OMP, clamped to what the model allows (the code length for top-k, min(n, m) for OMP).</summary>
            public const int ActiveUnits = 10;

            /// <summary>The resolved k for a model of this size: <see cref="ActiveUnits"/> or the largest k the encoding allows.</summary>
            public static int ActiveUnitsFor(CodeEncoding encoding, bool splitPolarity, int inputSize, int hiddenUnits)
                => encoding == CodeEncoding.OrthogonalMatchingPursuit
                    ? Math.Min(ActiveUnits, Math.Min(inputSize, hiddenUnits))
                    : Math.Min(ActiveUnits, splitPolarity ? 2 * hiddenUnits : hiddenUnits);
            public const int MaximumNumberOfIterations = 0;
            public const double DivergenceFactor = 2;
            public const WeightInitialization Initialization = WeightInitialization.Samples;
            public const double SpectralMinimumGapRatio = 1.5;
            public const double SpectralMinimumTraceFraction = 0.02;
            public const double SpectralDuplicateDistance = 0.5;
            public const int SpectralSampleCount = 4000;

            /// <summary>The most rounds of alternating minimization an estimator accepts.</summary>
            public const int MaximumAlternatingMinimizationIterations = 1000;

            /// <summary>Alternating minimization replaces under-used and duplicate atoms unless told not to.</summary>
            public const bool ReplaceUnusedAtoms = true;

            /// <summary>
            /// The fewest rows the data-driven initializations (PCA, Samples, Spectral), dead-unit re-seeding and the refit
            /// see on streamed data: the first max(<see cref="Options.MaximumInMemoryRows"/>, this) rows are held in memory.
            /// </summary>
            public const int MinimumInitializationRows = 16384;

            /// <summary>
            /// The paper's settings, the defaults before model format 0x00010004: what the research code (reproduction,
            /// experiments, recovery, the anomaly trainer) sets explicitly so that its results do not move with the defaults.
            /// </summary>
            internal static class Paper
            {
                public const int HiddenUnits = 10;
                public const AutoencoderActivation Activation = AutoencoderActivation.Relu;
                public const int MaximumNumberOfIterations = 50;
                public const WeightInitialization Initialization = WeightInitialization.Random;
                public const CodeEncoding Encoding = CodeEncoding.Activation;
                public const bool SplitPolarity = false;
                public const InputNormalization Normalization = InputNormalization.None;
            }

            /// <summary>
            /// The default pair budget ⌈m²·(ln m + 3) / k²⌉ clamped to [200, 20,000]: a pair shares exactly one atom with
            /// probability about k²/m, and collecting all m atoms then takes about m·(ln m + 0.6) such pairs.
            /// </summary>
            public static int SpectralMaximumPairs(int hiddenUnits, int expectedSparsity)
            {
                double k = expectedSparsity, m = hiddenUnits;
                double budget = Math.Ceiling(m * m * (Math.Log(m) + 3) / (k * k));
                return (int)Math.Clamp(budget, 200, 20_000);
            }
        }
    }
}
