using System;
using System.Numerics.Tensors;

namespace Microsoft.ML.SharedAutoencoder.Model
{
    /// <summary>
    /// <see cref="InputNormalization.CenterAndScale"/>: y ↦ (y − μ)/s on the way in, x ↦ s·x + μ on the way out. Immutable
    /// and safe to share between threads. Training and encoding apply it with the same two float operations, so a row is
    /// normalized to the same bits wherever it is.
    /// </summary>
    internal sealed class InputNormalizer
    {
        private readonly float[] _center;

        public InputNormalizer(float[] center, float scale)
        {
            ArgumentNullException.ThrowIfNull(center);
            if (center.Length == 0 || !TensorPrimitives.IsFiniteAll(center))
                throw new ArgumentException("The normalization center must be a non-empty vector of finite values.", nameof(center));
            if (!float.IsFinite(scale) || !(scale > 0))
                throw new ArgumentOutOfRangeException(nameof(scale), scale, "The normalization scale must be positive and finite.");
            _center = center;
            Scale = scale;
        }

        /// <summary>μ, the training mean (length n).</summary>
        public ReadOnlySpan<float> Center => _center;

        /// <summary>s, the root mean square of the centered training values.</summary>
        public float Scale { get; }

        /// <summary>n.</summary>
        public int Dimension => _center.Length;

        /// <summary>destination = (row − μ)/s; the two may be the same span.</summary>
        public void Normalize(ReadOnlySpan<float> row, Span<float> destination)
        {
            TensorPrimitives.Subtract(row, _center, destination);
            TensorPrimitives.Divide(destination, Scale, destination);
        }

        /// <summary>Normalizes <paramref name="count"/> consecutive rows of <paramref name="rows"/> in place.</summary>
        public void NormalizeRows(Span<float> rows, int count)
        {
            int n = _center.Length;
            for (int t = 0; t < count; t++)
                Normalize(rows.Slice(t * n, n), rows.Slice(t * n, n));
        }

        /// <summary>A reconstruction in normalized units back in input units: s·x + μ, in place.</summary>
        public void Denormalize(Span<float> reconstruction)
        {
            TensorPrimitives.Multiply(reconstruction, Scale, reconstruction);
            TensorPrimitives.Add(reconstruction, _center, reconstruction);
        }
    }
}
