using System;
using System.Numerics.Tensors;

namespace Microsoft.ML.SharedAutoencoder.Model
{
    /// <summary>
    /// Encode and decode with tied weights W (unit-major: unit i's weights at [i·n, (i+1)·n)): what a trained model
    /// needs at inference time. Training uses the same functions for its side passes (dead-unit re-seeding); its fused
    /// gradient pass (<c>Training.GradientKernel</c>) computes the same code inside its own loop.
    /// </summary>
    internal static class TiedAutoencoder
    {
        /// <summary>
        /// Encodes one row: code = σ(Wᵀy + b). <paramref name="scratch"/> needs <see cref="EncoderActivation.ScratchLength"/>(m)
        /// floats for top-k (allocated when shorter).
        /// </summary>
        public static void Encode(ReadOnlySpan<float> y, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, in EncoderActivation activation, Span<float> code,
            Span<float> scratch = default)
        {
            int m = bias.Length;
            int n = weights.Length / m;
            for (int i = 0; i < m; i++)
                code[i] = TensorPrimitives.Dot(weights.Slice(i * n, n), y) + bias[i];
            if (!activation.IsElementwise && scratch.Length < EncoderActivation.ScratchLength(m))
                scratch = new float[EncoderActivation.ScratchLength(m)];
            activation.Apply(code.Slice(0, m), code, scratch);
        }

        /// <summary>Decodes one code: ŷ = Σ_i x_i W_i, skipping inactive units.</summary>
        public static void Decode(ReadOnlySpan<float> code, ReadOnlySpan<float> weights, Span<float> reconstruction)
        {
            int m = code.Length;
            int n = weights.Length / m;
            reconstruction.Clear();
            for (int i = 0; i < m; i++)
            {
                if (code[i] != 0)
                    TensorPrimitives.MultiplyAdd(weights.Slice(i * n, n), code[i], reconstruction, reconstruction);
            }
        }

        /// <summary>
        /// ½‖y − Wx‖² for one row and its code: the per-row reconstruction error (the loss term of that row).
        /// <paramref name="scratch"/> (length n) receives the residual.
        /// </summary>
        public static float HalfSquaredResidual(ReadOnlySpan<float> y, ReadOnlySpan<float> code, ReadOnlySpan<float> weights, Span<float> scratch)
        {
            Decode(code, weights, scratch);
            TensorPrimitives.Subtract(y, scratch, scratch);
            return 0.5f * TensorPrimitives.Dot(scratch, scratch);
        }
    }
}
