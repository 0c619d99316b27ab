using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// Counter-based randomness: every random stream is a pure function of (seed, domain, index), so a row, a
    /// dictionary column or a shuffle key can be regenerated anywhere without shared generator state.
    /// </summary>
    internal static class CounterRandom
    {
        // Domains keep the streams of different purposes (rows, dictionary columns, shuffles) independent even when
        // they use the same indices.
        internal const ulong RowDomain = 0x526F777344617461UL;
        internal const ulong DictionaryDomain = 0x4469637469306E41UL;

        private const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;

        /// <summary>The SplitMix64 finalizer: a bijective 64-bit mixer with full avalanche.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static ulong Mix64(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>The key of stream <paramref name="index"/> in <paramref name="domain"/> for <paramref name="seed"/>.</summary>
        internal static ulong StreamKey(ulong seed, ulong domain, ulong index)
            => Mix64(Mix64(Mix64(seed ^ domain) + GoldenGamma) + index * GoldenGamma + 1);
    }

    /// <summary>
    /// A SplitMix64 stream: cheap to create from a key, statistically good for the short streams one row needs.
    /// </summary>
    internal struct SplitMix64
    {
        private ulong _state;

        internal SplitMix64(ulong key) => _state = key;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal ulong NextUInt64()
        {
            _state += 0x9E3779B97F4A7C15UL;
            return CounterRandom.Mix64(_state);
        }

        /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
        internal double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Uniform integer in [0, bound), without modulo bias (Lemire's multiply-and-reject).</summary>
        internal int NextInt(int bound)
        {
            ulong range = (ulong)bound;
            ulong high = Math.BigMul(NextUInt64(), range, out ulong low);
            if (low < range)
            {
                ulong threshold = (0UL - range) % range;
                while (low < threshold)
                    high = Math.BigMul(NextUInt64(), range, out low);
            }
            return (int)high;
        }
    }

    /// <summary>
    /// Fills spans with standard normal values scaled by a factor, eight xoshiro128++ generators in the lanes of a
    /// <see cref="Vector256{T}"/> feeding a vectorized Box–Muller transform. Rows are long (n in the hundreds), so a
    /// per-row vector generator seeded from the row's key amortizes its seeding and is several times faster than a
    /// scalar ziggurat.
    /// </summary>
    internal static class GaussianFill
    {
        private const int BlockLength = 2 * 8;

        /// <summary>
        /// Writes <paramref name="scale"/> × N(0, 1) values into <paramref name="destination"/>, a pure function of
        /// <paramref name="key"/>. Uniforms carry 24 bits, so |value| ≤ 5.77·scale (the normal tail beyond has
        /// probability below 1e-8).
        /// </summary>
        internal static void Fill(ulong key, float scale, Span<float> destination)
        {
            var seeder = new SplitMix64(key);
            Vector256<uint> s0 = SeedLanes(ref seeder), s1 = SeedLanes(ref seeder);
            Vector256<uint> s2 = SeedLanes(ref seeder), s3 = SeedLanes(ref seeder);

            var minusTwoScaleSquared = Vector256.Create(-2f * scale * scale);
            var twoPi = Vector256.Create(2f * MathF.PI);
            var unit = Vector256.Create(1f / (1 << 24));
            var half = Vector256.Create(0.5f);

            int full = destination.Length - destination.Length % BlockLength;
            ref float start = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
            Span<float> tail = stackalloc float[BlockLength];
            for (int offset = 0; offset < destination.Length; offset += BlockLength)
            {
                Vector256<uint> bits1 = Next(ref s0, ref s1, ref s2, ref s3);
                Vector256<uint> bits2 = Next(ref s0, ref s1, ref s2, ref s3);
                // u1 in (0, 1] so the logarithm is finite; u2 centred in [-0.5, 0.5) keeps the angle in [-π, π),
                // the fast range of the vector sine and cosine.
                Vector256<float> u1 = (Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits1, 8).AsInt32()) + Vector256<float>.One) * unit;
                Vector256<float> u2 = Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits2, 8).AsInt32()) * unit - half;
                Vector256<float> radius = Vector256.Sqrt(minusTwoScaleSquared * Vector256.Log(u1));
                (Vector256<float> sin, Vector256<float> cos) = Vector256.SinCos(twoPi * u2);
                if (offset < full)
                {
                    (radius * cos).StoreUnsafe(ref start, (nuint)offset);
                    (radius * sin).StoreUnsafe(ref start, (nuint)(offset + 8));
                }
                else
                {
                    (radius * cos).CopyTo(tail);
                    (radius * sin).CopyTo(tail.Slice(8));
                    tail.Slice(0, destination.Length - offset).CopyTo(destination.Slice(offset));
                }
            }
        }

        private static Vector256<uint> SeedLanes(ref SplitMix64 seeder)
        {
            ulong a = seeder.NextUInt64(), b = seeder.NextUInt64(), c = seeder.NextUInt64(), d = seeder.NextUInt64();
            return Vector256.Create(a, b, c, d).AsUInt32();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<uint> Next(ref Vector256<uint> s0, ref Vector256<uint> s1, ref Vector256<uint> s2, ref Vector256<uint> s3)
        {
            Vector256<uint> sum = s0 + s3;
            Vector256<uint> result = (Vector256.ShiftLeft(sum, 7) | Vector256.ShiftRightLogical(sum, 25)) + s0;
            Vector256<uint> t = Vector256.ShiftLeft(s1, 9);
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = Vector256.ShiftLeft(s3, 11) | Vector256.ShiftRightLogical(s3, 21);
            return result;
        }
    }
}
