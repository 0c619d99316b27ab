using System;

namespace Microsoft.ML.SharedAutoencoder.Model
{
    /// <summary>σ with its parameter (λ of the hard threshold, k of top-k), as a value the hot loops can inline.</summary>
    /// <remarks>
    /// ReLU and the hard threshold act on each pre-activation alone (<see cref="IsActive"/>); top-k looks at the whole row
    /// (<see cref="SelectActive"/>), through <see cref="TopKSelection"/>, the one implementation the encodings share.
    /// </remarks>
    internal readonly struct EncoderActivation
    {
        /// <param name="kind">σ.</param>
        /// <param name="threshold">λ of the hard threshold (unused by the others).</param>
        /// <param name="activeUnits">k of top-k, ≥ 1 (must be 0 for the others).</param>
        public EncoderActivation(AutoencoderActivation kind, float threshold, int activeUnits = 0)
        {
            if (!Enum.IsDefined(kind))
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation.");
            if (kind == AutoencoderActivation.TopK ? activeUnits < 1 : activeUnits != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(activeUnits), activeUnits,
                    kind == AutoencoderActivation.TopK ? "The top-k activation needs k ≥ 1." : $"A number of active units is used only by the top-k activation, not by {kind}.");
            }
            Kind = kind;
            Threshold = threshold;
            ActiveUnits = activeUnits;
        }

        public AutoencoderActivation Kind { get; }

        /// <summary>λ of the hard threshold; unused by ReLU and top-k.</summary>
        public float Threshold { get; }

        /// <summary>k of top-k; 0 for the element-wise activations.</summary>
        public int ActiveUnits { get; }

        /// <summary>Whether σ acts on each pre-activation alone (ReLU, hard threshold), so <see cref="IsActive"/> applies.</summary>
        public bool IsElementwise => Kind != AutoencoderActivation.TopK;

        /// <summary>Floats of scratch <see cref="SelectActive"/> and <see cref="Apply(ReadOnlySpan{float}, Span{float}, Span{float})"/> need for m units.</summary>
        public static int ScratchLength(int hiddenUnits) => 2 * hiddenUnits;

        /// <summary>
        /// Whether an element-wise σ fires: then x_i = z_i and σ'(z_i) = 1; otherwise x_i = 0 and σ'(z_i) = 0. Top-k has
        /// no per-unit answer (it depends on the row): use <see cref="SelectActive"/>.
        /// </summary>
        public bool IsActive(float z)
            => Kind == AutoencoderActivation.Relu ? z > 0 : Kind == AutoencoderActivation.HardThreshold ? MathF.Abs(z) > Threshold : RowWiseOnly();

        // The throw in its own method keeps IsActive small enough to inline in the loops over units.
        private static bool RowWiseOnly() => throw new InvalidOperationException("The top-k activation depends on the whole row; call SelectActive.");

        /// <summary>σ of one pre-activation, for the element-wise activations.</summary>
        public float Apply(float z) => IsActive(z) ? z : 0f;

        /// <summary>
        /// The units that fire for the row's pre-activations <paramref name="z"/>, in increasing order, into
        /// <paramref name="active"/>; returns their number. x_i = z_i on them, 0 elsewhere, for every activation.
        /// <paramref name="scratch"/> needs <see cref="ScratchLength"/>(m) floats (top-k only).
        /// </summary>
        public int SelectActive(ReadOnlySpan<float> z, Span<int> active, Span<float> scratch)
        {
            int fired = 0;
            if (IsElementwise)
            {
                for (int i = 0; i < z.Length; i++)
                {
                    if (IsActive(z[i]))
                        active[fired++] = i;
                }
                return fired;
            }
            Span<float> kept = scratch.Slice(0, z.Length);
            TopKSelection.KeepLargest(z, Math.Min(ActiveUnits, z.Length), kept, scratch.Slice(z.Length, z.Length));
            // Kept values are positive, so nonzero: the support is where the selection left a value.
            for (int i = 0; i < z.Length; i++)
            {
                if (kept[i] != 0)
                    active[fired++] = i;
            }
            return fired;
        }

        /// <summary>x = σ(z) for one row (<paramref name="x"/> may be <paramref name="z"/>); <paramref name="scratch"/> as for <see cref="SelectActive"/>.</summary>
        public void Apply(ReadOnlySpan<float> z, Span<float> x, Span<float> scratch)
        {
            if (!IsElementwise)
            {
                TopKSelection.KeepLargest(z, Math.Min(ActiveUnits, z.Length), x, scratch.Slice(0, z.Length));
                return;
            }
            for (int i = 0; i < z.Length; i++)
                x[i] = Apply(z[i]);
        }
    }
}
