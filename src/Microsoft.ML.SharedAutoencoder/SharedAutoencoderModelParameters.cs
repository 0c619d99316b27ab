using System;
using System.Numerics.Tensors;
using Microsoft.ML.SharedAutoencoder.Model;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// The trained parameters of a tied-weight autoencoder: weights W (n×m, column W_i is hidden unit i's weight
    /// vector, unit norm), encoder bias b (m) and the activation σ. Encode: x = σ(Wᵀy + b); decode: ŷ = Wx.
    /// Immutable and safe to use from many threads.
    /// </summary>
    public sealed class SharedAutoencoderModelParameters
    {
        // Unit-major: W_i at [i·n, (i+1)·n).
        private readonly float[] _weights;
        private readonly float[] _bias;
        private readonly EncoderActivation _activation;

        internal SharedAutoencoderModelParameters(int inputSize, float[] weights, float[] bias, AutoencoderActivation activation, float threshold)
        {
            if (inputSize <= 0)
                throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The input size must be positive.");
            if (bias.Length == 0 || weights.Length != (long)inputSize * bias.Length)
                throw new ArgumentException($"Expected {inputSize}×{bias.Length} weights, got {weights.Length} values.", nameof(weights));
            if (!TensorPrimitives.IsFiniteAll(weights) || !TensorPrimitives.IsFiniteAll(bias) || !float.IsFinite(threshold))
                throw new ArgumentException("Autoencoder parameters must be finite.", nameof(weights));
            InputSize = inputSize;
            _weights = weights;
            _bias = bias;
            _activation = new EncoderActivation(activation, threshold);
        }

        /// <summary>n: the length of the input vectors.</summary>
        public int InputSize { get; }

        /// <summary>m: the number of hidden units, the length of the code.</summary>
        public int HiddenUnits => _bias.Length;

        /// <summary>The encoder's nonlinearity.</summary>
        public AutoencoderActivation Activation => _activation.Kind;

        /// <summary>λ of the hard threshold (meaningful only when <see cref="Activation"/> is <see cref="AutoencoderActivation.HardThreshold"/>).</summary>
        public float Threshold => _activation.Threshold;

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

        /// <summary>Computes the code x = σ(Wᵀy + b).</summary>
        /// <remarks>
        /// An input with a NaN or an infinite value has no meaningful code: every entry of x is NaN (missing in, missing
        /// out, as ML.NET's own transforms do), never a plausible-looking zero code.
        /// </remarks>
        /// <param name="input">y, of length <see cref="InputSize"/>.</param>
        /// <param name="code">Receives x, of length <see cref="HiddenUnits"/>.</param>
        public void Encode(ReadOnlySpan<float> input, Span<float> code)
        {
            CheckLength(input.Length, InputSize, nameof(input));
            CheckLength(code.Length, HiddenUnits, nameof(code));
            if (!TensorPrimitives.IsFiniteAll(input))
            {
                code.Fill(float.NaN);
                return;
            }
            TiedAutoencoder.Encode(input, _weights, _bias, _activation, code);
        }

        /// <summary>Computes the reconstruction ŷ = Wx.</summary>
        /// <param name="code">x, of length <see cref="HiddenUnits"/>.</param>
        /// <param name="reconstruction">Receives ŷ, of length <see cref="InputSize"/>.</param>
        public void Decode(ReadOnlySpan<float> code, Span<float> reconstruction)
        {
            CheckLength(code.Length, HiddenUnits, nameof(code));
            CheckLength(reconstruction.Length, InputSize, nameof(reconstruction));
            TiedAutoencoder.Decode(code, _weights, reconstruction);
        }

        private static void CheckLength(int actual, int expected, string name)
        {
            if (actual != expected)
                throw new ArgumentException($"Expected a vector of length {expected}, got {actual}.", name);
        }
    }
}
