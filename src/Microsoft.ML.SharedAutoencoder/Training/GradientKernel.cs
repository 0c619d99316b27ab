using System;
using System.Numerics.Tensors;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// The one fused pass of the method: for each row y it computes z = Wᵀy + b, the code x = σ(z), the residual
    /// r = y − Wx, the loss ½‖r‖², and adds 1{x_i≠0}·(z_i·r + y·(W_iᵀr)) to unit i's gradient sum. Training, the
    /// benchmarks and the tests all call this; nothing else computes the gradient.
    /// </summary>
    /// <remarks>
    /// Layout: W is unit-major (unit i's weights at [i·n, (i+1)·n)), so every per-unit operation is a contiguous
    /// SIMD dot product or axpy over n floats, and W stays in cache while rows stream past.
    /// </remarks>
    internal static class GradientKernel
    {
        /// <summary>Floats of scratch space <see cref="Accumulate"/> needs: z (m) and r (n).</summary>
        public static int ScratchLength(int inputSize, int hiddenUnits) => inputSize + hiddenUnits;

        /// <summary>
        /// Adds the contribution of <paramref name="rowCount"/> consecutive rows to <paramref name="gradientSum"/>
        /// (unit-major, m·n; the sum S_i = Σ 1{x_i≠0}(z_i r + y W_iᵀr), so the gradient is −S/N),
        /// <paramref name="activeCounts"/> (rows in which unit i fired) and returns Σ ½‖r‖² over the rows.
        /// </summary>
        public static double Accumulate(
            ReadOnlySpan<float> rows, int rowCount, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
            in EncoderActivation activation, Span<float> gradientSum, Span<long> activeCounts, Span<float> scratch)
        {
            int m = bias.Length;
            int n = weights.Length / m;
            Span<float> z = scratch.Slice(0, m);
            Span<float> r = scratch.Slice(m, n);
            double loss = 0;
            for (int t = 0; t < rowCount; t++)
            {
                ReadOnlySpan<float> y = rows.Slice(t * n, n);
                y.CopyTo(r);
                for (int i = 0; i < m; i++)
                {
                    ReadOnlySpan<float> wi = weights.Slice(i * n, n);
                    float zi = TensorPrimitives.Dot(wi, y) + bias[i];
                    z[i] = zi;
                    if (activation.IsActive(zi))
                        TensorPrimitives.MultiplyAdd(wi, -zi, r, r);
                }

                loss += 0.5 * TensorPrimitives.Dot(r, r);

                for (int i = 0; i < m; i++)
                {
                    float zi = z[i];
                    if (!activation.IsActive(zi))
                        continue;
                    ReadOnlySpan<float> wi = weights.Slice(i * n, n);
                    Span<float> gi = gradientSum.Slice(i * n, n);
                    float projection = TensorPrimitives.Dot(wi, r);
                    TensorPrimitives.MultiplyAdd(r, zi, gi, gi);
                    TensorPrimitives.MultiplyAdd(y, projection, gi, gi);
                    activeCounts[i]++;
                }
            }
            return loss;
        }

        /// <summary>Encodes one row: code[i] = σ(W_iᵀy + b_i).</summary>
        public static void Encode(ReadOnlySpan<float> y, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, in EncoderActivation activation, Span<float> code)
        {
            int m = bias.Length;
            int n = weights.Length / m;
            for (int i = 0; i < m; i++)
                code[i] = activation.Apply(TensorPrimitives.Dot(weights.Slice(i * n, n), y) + bias[i]);
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
    }

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
