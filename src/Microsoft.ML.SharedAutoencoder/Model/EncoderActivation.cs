using System;

namespace Microsoft.ML.SharedAutoencoder.Model
{
    /// <summary>σ with its one parameter, as a value the hot loops can inline.</summary>
    internal readonly struct EncoderActivation
    {
        public EncoderActivation(AutoencoderActivation kind, float threshold)
        {
            Kind = kind;
            Threshold = threshold;
        }

        public AutoencoderActivation Kind { get; }

        /// <summary>λ of the hard threshold; unused by ReLU.</summary>
        public float Threshold { get; }

        /// <summary>Whether the unit fires: then x_i = z_i and σ'(z_i) = 1; otherwise x_i = 0 and σ'(z_i) = 0.</summary>
        public bool IsActive(float z) => Kind == AutoencoderActivation.Relu ? z > 0 : MathF.Abs(z) > Threshold;

        public float Apply(float z) => IsActive(z) ? z : 0f;
    }
}
