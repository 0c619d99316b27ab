using System;
using System.Numerics.Tensors;
using Microsoft.ML.SharedAutoencoder.Model;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// The trained parameters of a tied-weight autoencoder: weights W (n×m, column W_i is hidden unit i's weight
    /// vector, unit norm), encoder bias b (m), the activation σ (with k for top-k), the feature <see cref="Encoding"/> and the
    /// input <see cref="Normalization"/> (μ, s). Encode (activation encoding): x = σ(Wᵀy' + b); decode: ŷ = Wx (in input
    /// units: s·Wx + μ), where y' = (y − μ)/s when the model normalizes its input and y' = y otherwise.
    /// Immutable and safe to use from many threads.
    /// </summary>
    public sealed class SharedAutoencoderModelParameters
    {
        // Unit-major: W_i at [i·n, (i+1)·n).
        private readonly float[] _weights;
        private readonly float[] _bias;
        private readonly EncoderActivation _activation;
        private readonly CodeEncoder _encoder;
        private readonly InputNormalizer? _normalizer;

        // activeUnits: k of the top-k activation (1 ≤ k ≤ m); 0 for the element-wise activations.
        internal SharedAutoencoderModelParameters(int inputSize, float[] weights, float[] bias, AutoencoderActivation activation, float threshold,
            CodeEncodingSettings? encoding = null, int activeUnits = 0, InputNormalizer? normalizer = null)
        {
            if (inputSize <= 0)
                throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The input size must be positive.");
            if (bias.Length == 0 || weights.Length != (long)inputSize * bias.Length)
                throw new ArgumentException($"Expected {inputSize}×{bias.Length} weights, got {weights.Length} values.", nameof(weights));
            if (!TensorPrimitives.IsFiniteAll(weights) || !TensorPrimitives.IsFiniteAll(bias) || !float.IsFinite(threshold))
                throw new ArgumentException("Autoencoder parameters must be finite.", nameof(weights));
            if (normalizer != null && normalizer.Dimension != inputSize)
                throw new ArgumentException($"The normalization has {normalizer.Dimension} values; the model's input has n = {inputSize}.", nameof(normalizer));
            InputSize = inputSize;
            _normalizer = normalizer;
            _weights = weights;
            _bias = bias;
            if (activation == AutoencoderActivation.TopK && activeUnits > bias.Length)
                throw new ArgumentOutOfRangeException(nameof(activeUnits), activeUnits, $"The top-k activation cannot keep more units than the model has ({bias.Length}); choose k ≤ {bias.Length}.");
            // Top-k has no λ: the model file stores k in its place, so λ is the default, whatever was given, and a saved and
            // loaded model has the same properties.
            if (activation == AutoencoderActivation.TopK)
                threshold = SharedAutoencoderEstimator.Defaults.Threshold;
            _activation = new EncoderActivation(activation, threshold, activeUnits);
            Encoding = encoding ?? CodeEncodingSettings.Activation();
            Encoding.CheckFits(inputSize, bias.Length);
            _encoder = new CodeEncoder(weights, bias, inputSize, _activation, Encoding, normalizer: normalizer);
        }

        /// <summary>n: the length of the input vectors.</summary>
        public int InputSize { get; }

        /// <summary>m: the number of hidden units (the number of atoms W_i).</summary>
        public int HiddenUnits => _bias.Length;

        /// <summary>
        /// How <see cref="Encode"/> (and the transformer's code column) turns a row into features: the model's activation,
        /// a soft threshold, top-k or orthogonal matching pursuit, optionally split by polarity. Default:
        /// <see cref="CodeEncoding.Activation"/>, not split.
        /// </summary>
        public CodeEncodingSettings Encoding { get; }

        /// <summary>The length of a code: <see cref="HiddenUnits"/>, or 2·<see cref="HiddenUnits"/> when <see cref="Encoding"/> is split by polarity.</summary>
        public int CodeLength => Encoding.CodeLength(HiddenUnits);

        /// <summary>
        /// How the input is rescaled before encoding: <see cref="InputNormalization.None"/> (rows as they are) or
        /// <see cref="InputNormalization.CenterAndScale"/> (y' = (y − μ)/s, μ = <see cref="GetCenter"/>, s =
        /// <see cref="Scale"/>, fitted on the training rows). W, b and the codes live in the normalized space.
        /// </summary>
        public InputNormalization Normalization => _normalizer is null ? InputNormalization.None : InputNormalization.CenterAndScale;

        /// <summary>s, the scale the input is divided by after centering (1 when <see cref="Normalization"/> is None).</summary>
        public float Scale => _normalizer?.Scale ?? 1f;

        /// <summary>A copy of μ, the center subtracted from the input (length <see cref="InputSize"/>; zeros when <see cref="Normalization"/> is None).</summary>
        public float[] GetCenter() => _normalizer?.Center.ToArray() ?? new float[InputSize];

        internal InputNormalizer? Normalizer => _normalizer;

        /// <summary>The encoder's nonlinearity.</summary>
        public AutoencoderActivation Activation => _activation.Kind;

        /// <summary>
        /// λ of the hard threshold (meaningful only when <see cref="Activation"/> is <see cref="AutoencoderActivation.HardThreshold"/>;
        /// for <see cref="AutoencoderActivation.TopK"/> always the default 0.5, unused).
        /// </summary>
        public float Threshold => _activation.Threshold;

        /// <summary>
        /// k of the <see cref="AutoencoderActivation.TopK"/> activation: the units kept per row, in training and by the
        /// <see cref="CodeEncoding.Activation"/> encoding; 0 for the other activations.
        /// </summary>
        public int ActiveUnits => _activation.ActiveUnits;

        internal EncoderActivation ActivationSettings => _activation;

        internal ReadOnlySpan<float> WeightsUnitMajor => _weights;

        internal ReadOnlySpan<float> BiasSpan => _bias;

        /// <summary>A copy of W as its columns: element i is hidden unit i's weight vector (length <see cref="InputSize"/>).</summary>
        public float[][] GetWeights()
        {
            var columns = new float[HiddenUnits][];
            for (int i = 0; i < columns.Length; i++)
                columns[i] = _weights.AsSpan(i * InputSize, InputSize).ToArray();
            return columns;
        }

        /// <summary>A copy of the encoder bias b (length <see cref="HiddenUnits"/>).</summary>
        public float[] GetBias() => (float[])_bias.Clone();

        /// <summary>Computes the code of <paramref name="input"/> with the model's <see cref="Encoding"/>.</summary>
        /// <remarks>
        /// With the activation encoding this is x = σ(Wᵀy' + b), y' the input normalized as <see cref="Normalization"/> says. An input with a NaN or an infinite value has no meaningful
        /// code: every entry is NaN (missing in, missing out, as ML.NET's own transforms do), never a plausible-looking
        /// zero code. The result is bit-identical to the transformer's code column.
        /// </remarks>
        /// <param name="input">y, of length <see cref="InputSize"/>.</param>
        /// <param name="code">Receives the code, of length <see cref="CodeLength"/>.</param>
        public void Encode(ReadOnlySpan<float> input, Span<float> code)
        {
            CheckLength(input.Length, InputSize, nameof(input));
            CheckLength(code.Length, CodeLength, nameof(code));
            _encoder.Encode(input, code);
        }

        /// <summary>
        /// Computes the reconstruction ŷ = Wx of a code, in input units (s·Wx + μ when the model normalizes its input). A
        /// polarity-split code [x⁺, x⁻] (length 2m) is decoded as W(x⁺ − x⁻): its second half belongs to the mirrored atoms −W_i.
        /// </summary>
        /// <param name="code">x, of length <see cref="HiddenUnits"/>, or 2·<see cref="HiddenUnits"/> for a split code.</param>
        /// <param name="reconstruction">Receives ŷ, of length <see cref="InputSize"/>.</param>
        public void Decode(ReadOnlySpan<float> code, Span<float> reconstruction)
        {
            if (code.Length != HiddenUnits && code.Length != 2 * HiddenUnits)
                throw new ArgumentException($"Expected a code of length {HiddenUnits} (or {2 * HiddenUnits} when split by polarity), got {code.Length}.", nameof(code));
            CheckLength(reconstruction.Length, InputSize, nameof(reconstruction));
            if (code.Length == HiddenUnits)
            {
                TiedAutoencoder.Decode(code, _weights, reconstruction);
            }
            else
            {
                float[] folded = new float[HiddenUnits];
                TensorPrimitives.Subtract(code.Slice(0, HiddenUnits), code.Slice(HiddenUnits), folded);
                TiedAutoencoder.Decode(folded, _weights, reconstruction);
            }
            _normalizer?.Denormalize(reconstruction);
        }

        /// <summary>The encoder the transformer shares (immutable; workspaces are per cursor).</summary>
        internal CodeEncoder Encoder => _encoder;

        /// <summary>The same parameters with another encoding (the weights are shared, not copied).</summary>
        internal SharedAutoencoderModelParameters WithEncoding(CodeEncodingSettings encoding)
            => new(InputSize, _weights, _bias, Activation, Threshold, encoding, ActiveUnits, _normalizer);

        /// <summary>The same parameters applied to inputs normalized by <paramref name="normalizer"/> (the weights are shared).</summary>
        internal SharedAutoencoderModelParameters WithNormalizer(InputNormalizer? normalizer)
            => new(InputSize, _weights, _bias, Activation, Threshold, Encoding, ActiveUnits, normalizer);

        private static void CheckLength(int actual, int expected, string name)
        {
            if (actual != expected)
                throw new ArgumentException($"Expected a vector of length {expected}, got {actual}.", name);
        }
    }
}
