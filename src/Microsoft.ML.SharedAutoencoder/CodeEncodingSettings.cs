using System;
using System.Globalization;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// An immutable description of how to encode rows into features: the <see cref="CodeEncoding"/>, its parameter (the
    /// soft threshold α or the number of active units k) and whether the code is split by polarity. The constructor
    /// checks everything that does not depend on the model; <see cref="CheckFits"/> checks the rest.
    /// </summary>
    public sealed record CodeEncodingSettings
    {
        /// <summary>Creates settings; the static factories (<see cref="SoftThreshold(float, bool)"/> ...) read better.</summary>
        /// <param name="kind">The encoding.</param>
        /// <param name="splitPolarity">Whether to emit the 2m-long polarity-split code (see <see cref="CodeEncoding"/>).</param>
        /// <param name="threshold">α of <see cref="CodeEncoding.SoftThreshold"/> (finite, ≥ 0); must be 0 for the other kinds.</param>
        /// <param name="activeUnits">k of <see cref="CodeEncoding.TopK"/> and <see cref="CodeEncoding.OrthogonalMatchingPursuit"/> (≥ 1); must be 0 for the other kinds.</param>
        public CodeEncodingSettings(CodeEncoding kind, bool splitPolarity = false, float threshold = 0, int activeUnits = 0)
        {
            if (!Enum.IsDefined(kind))
                throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Unknown encoding; choose one of {string.Join(", ", Enum.GetNames<CodeEncoding>())}.");
            if (kind == CodeEncoding.SoftThreshold)
            {
                if (!float.IsFinite(threshold) || threshold < 0)
                    throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The soft threshold α must be finite and at least 0; use 0 for a plain ReLU of the pre-activation.");
            }
            else if (threshold != 0)
            {
                throw new ArgumentException(
                    $"A threshold (α = {threshold.ToString(CultureInfo.InvariantCulture)}) is used only by {nameof(CodeEncoding.SoftThreshold)}; leave it 0 for {kind}.", nameof(threshold));
            }
            if (UsesActiveUnits(kind))
            {
                if (activeUnits < 1)
                    throw new ArgumentOutOfRangeException(nameof(activeUnits), activeUnits, $"{kind} needs the number of active units k to be at least 1; choose k between 1 and the number of hidden units.");
            }
            else if (activeUnits != 0)
            {
                throw new ArgumentException(
                    $"A number of active units (k = {activeUnits}) is used only by {nameof(CodeEncoding.TopK)} and {nameof(CodeEncoding.OrthogonalMatchingPursuit)}; leave it 0 for {kind}.", nameof(activeUnits));
            }
            Kind = kind;
            SplitPolarity = splitPolarity;
            Threshold = threshold;
            ActiveUnits = activeUnits;
        }

        /// <summary>The encoding.</summary>
        public CodeEncoding Kind { get; }

        /// <summary>Whether the code is split by polarity into 2m features (see <see cref="CodeEncoding"/>).</summary>
        public bool SplitPolarity { get; }

        /// <summary>α of <see cref="CodeEncoding.SoftThreshold"/>; 0 for the other kinds.</summary>
        public float Threshold { get; }

        /// <summary>k of <see cref="CodeEncoding.TopK"/> (values kept) and <see cref="CodeEncoding.OrthogonalMatchingPursuit"/> (atoms picked); 0 for the other kinds.</summary>
        public int ActiveUnits { get; }

        /// <summary>The model's own nonlinearity σ(Wᵀy + b), optionally split by polarity.</summary>
        /// <param name="splitPolarity">Whether to emit the 2m-long polarity-split code.</param>
        public static CodeEncodingSettings Activation(bool splitPolarity = false) => new(CodeEncoding.Activation, splitPolarity);

        /// <summary>max(0, Wᵀy + b − α), optionally split by polarity.</summary>
        /// <param name="threshold">α, finite and ≥ 0.</param>
        /// <param name="splitPolarity">Whether to emit the 2m-long polarity-split code.</param>
        public static CodeEncodingSettings SoftThreshold(float threshold, bool splitPolarity = false) => new(CodeEncoding.SoftThreshold, splitPolarity, threshold: threshold);

        /// <summary>The k largest positive pre-activations of each row, optionally chosen among both polarities.</summary>
        /// <param name="activeUnits">k ≥ 1.</param>
        /// <param name="splitPolarity">Whether to emit the 2m-long polarity-split code.</param>
        public static CodeEncodingSettings TopK(int activeUnits, bool splitPolarity = false) => new(CodeEncoding.TopK, splitPolarity, activeUnits: activeUnits);

        /// <summary>Orthogonal matching pursuit with up to k atoms of the learned dictionary.</summary>
        /// <param name="activeUnits">k ≥ 1.</param>
        /// <param name="splitPolarity">Whether to emit the 2m-long polarity-split code.</param>
        public static CodeEncodingSettings OrthogonalMatchingPursuit(int activeUnits, bool splitPolarity = false) => new(CodeEncoding.OrthogonalMatchingPursuit, splitPolarity, activeUnits: activeUnits);

        /// <summary>The length of the code for a model with <paramref name="hiddenUnits"/> units: m, or 2m when split.</summary>
        /// <param name="hiddenUnits">m.</param>
        public int CodeLength(int hiddenUnits) => SplitPolarity ? 2 * hiddenUnits : hiddenUnits;

        /// <summary>Throws when these settings cannot be used with a model of the given size (k larger than what it can pick from).</summary>
        /// <param name="inputSize">n, the model's input length.</param>
        /// <param name="hiddenUnits">m, the model's number of hidden units.</param>
        public void CheckFits(int inputSize, int hiddenUnits)
        {
            if (Kind == CodeEncoding.TopK && ActiveUnits > CodeLength(hiddenUnits))
            {
                throw new ArgumentOutOfRangeException(nameof(ActiveUnits), ActiveUnits,
                    $"Top-k cannot keep more values than the code has ({CodeLength(hiddenUnits)}); choose k ≤ {CodeLength(hiddenUnits)}.");
            }
            if (Kind == CodeEncoding.OrthogonalMatchingPursuit && ActiveUnits > Math.Min(inputSize, hiddenUnits))
            {
                throw new ArgumentOutOfRangeException(nameof(ActiveUnits), ActiveUnits,
                    $"Orthogonal matching pursuit cannot pick more atoms than the model has units ({hiddenUnits}) or the input has dimensions ({inputSize}): "
                    + $"beyond that the least-squares code is not unique; choose k ≤ {Math.Min(inputSize, hiddenUnits)}.");
            }
        }

        private static bool UsesActiveUnits(CodeEncoding kind) => kind is CodeEncoding.TopK or CodeEncoding.OrthogonalMatchingPursuit;
    }
}
