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
            var unit = Vector256.Create(1f / (1 << 24));
            var half = Vector256.Create(0.5f);

            int full = destination.Length - destination.Length % BlockLength;
            ref float start = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
            Span<float> tail = stackalloc float[BlockLength];
            for (int offset = 0; offset < destination.Length; offset += BlockLength)
            {
                Vector256<uint> bits1 = Next(ref s0, ref s1, ref s2, ref s3);
                Vector256<uint> bits2 = Next(ref s0, ref s1, ref s2, ref s3);
                // u1 in (0, 1] so the logarithm is finite; u2 in [-0.5, 0.5) is the angle in turns.
                Vector256<float> u1 = (Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits1, 8).AsInt32()) + Vector256<float>.One) * unit;
                Vector256<float> u2 = Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits2, 8).AsInt32()) * unit - half;
                Vector256<float> radius = Vector256.Sqrt(minusTwoScaleSquared * Log(u1));
                (Vector256<float> sin, Vector256<float> cos) = SinCosTwoPi(u2);
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

        // The runtime's vector Log and SinCos handle any argument (SinCos widens to double); these polynomials only
        // need the narrow ranges of Box–Muller and are accurate to a few float ulps there, at a third of the cost.

        /// <summary>ln u for u in (0, 1]: u = 2^e·r with r in [√½, √2), ln r = 2·atanh(s), s = (r−1)/(r+1), |s| ≤ 0.172.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Log(Vector256<float> u)
        {
            Vector256<int> bits = u.AsInt32();
            Vector256<int> exponent = Vector256.ShiftRightArithmetic(bits, 23) - Vector256.Create(127);
            Vector256<float> r = ((bits & Vector256.Create(0x007FFFFF)) | Vector256.Create(0x3F800000)).AsSingle();
            Vector256<float> large = Vector256.GreaterThan(r, Vector256.Create(1.41421356f));
            r = Vector256.ConditionalSelect(large, r * Vector256.Create(0.5f), r);
            exponent -= large.AsInt32();
            Vector256<float> s = (r - Vector256<float>.One) / (r + Vector256<float>.One);
            Vector256<float> s2 = s * s;
            Vector256<float> series = Vector256.FusedMultiplyAdd(s2, Vector256.Create(2f / 9), Vector256.Create(2f / 7));
            series = Vector256.FusedMultiplyAdd(series, s2, Vector256.Create(2f / 5));
            series = Vector256.FusedMultiplyAdd(series, s2, Vector256.Create(2f / 3));
            series = Vector256.FusedMultiplyAdd(series, s2, Vector256.Create(2f));
            return Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(exponent), Vector256.Create(0.693147181f), series * s);
        }

        /// <summary>sin and cos of 2π·t for t in [−½, ½): Taylor polynomials of x = π·t in [−π/2, π/2), then the double-angle formulas.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (Vector256<float> Sin, Vector256<float> Cos) SinCosTwoPi(Vector256<float> t)
        {
            Vector256<float> x = t * Vector256.Create(MathF.PI);
            Vector256<float> x2 = x * x;
            Vector256<float> sin = Vector256.FusedMultiplyAdd(x2, Vector256.Create(-1f / 39916800), Vector256.Create(1f / 362880));
            sin = Vector256.FusedMultiplyAdd(sin, x2, Vector256.Create(-1f / 5040));
            sin = Vector256.FusedMultiplyAdd(sin, x2, Vector256.Create(1f / 120));
            sin = Vector256.FusedMultiplyAdd(sin, x2, Vector256.Create(-1f / 6));
            sin = Vector256.FusedMultiplyAdd(sin * x2, x, x);
            Vector256<float> cos = Vector256.FusedMultiplyAdd(x2, Vector256.Create(1f / 479001600), Vector256.Create(-1f / 3628800));
            cos = Vector256.FusedMultiplyAdd(cos, x2, Vector256.Create(1f / 40320));
            cos = Vector256.FusedMultiplyAdd(cos, x2, Vector256.Create(-1f / 720));
            cos = Vector256.FusedMultiplyAdd(cos, x2, Vector256.Create(1f / 24));
            cos = Vector256.FusedMultiplyAdd(cos, x2, Vector256.Create(-0.5f));
            cos = Vector256.FusedMultiplyAdd(cos, x2, Vector256<float>.One);
            Vector256<float> sinCos = sin * cos;
            return (sinCos + sinCos, Vector256.FusedMultiplyAdd(cos, cos, -(sin * sin)));
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
