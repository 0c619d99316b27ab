using System;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// A random bijection of [0, rowCount) evaluated in O(1) memory, so a shuffled cursor over 10^9 rows holds no
    /// permutation array: a balanced Feistel network on the smallest even-bit power of two ≥ rowCount, with cycle
    /// walking to stay inside the range (fewer than four rounds trips on average). Small ranges, where a Feistel network
    /// reaches too few permutations, use an explicit Fisher–Yates permutation instead.
    /// </summary>
    internal sealed class RowPermutation
    {
        internal const long ExplicitLimit = 1 << 16;
        private const int Rounds = 6;

        private readonly long _rowCount;
        private readonly int[]? _explicit;
        private readonly ulong[] _roundKeys = new ulong[Rounds];
        private readonly int _halfBits;
        private readonly ulong _halfMask;

        internal RowPermutation(long rowCount, Random random, long explicitLimit = ExplicitLimit)
        {
            _rowCount = rowCount;
            if (rowCount <= explicitLimit)
            {
                _explicit = new int[rowCount];
                for (int i = 0; i < _explicit.Length; i++)
                    _explicit[i] = i;
                for (int i = _explicit.Length - 1; i > 0; i--)
                {
                    int j = random.Next(i + 1);
                    (_explicit[i], _explicit[j]) = (_explicit[j], _explicit[i]);
                }
                return;
            }
            int bits = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(rowCount - 1));
            _halfBits = (bits + 1) / 2;
            _halfMask = (1UL << _halfBits) - 1;
            for (int r = 0; r < Rounds; r++)
                _roundKeys[r] = (ulong)random.NextInt64() ^ ((ulong)random.NextInt64() << 1);
        }

        /// <summary>The row shown at <paramref name="position"/> of the shuffled order.</summary>
        internal long this[long position]
        {
            get
            {
                if (_explicit is int[] table)
                    return table[position];
                ulong value = (ulong)position;
                do
                    value = Encrypt(value);
                while (value >= (ulong)_rowCount);
                return (long)value;
            }
        }

        private ulong Encrypt(ulong value)
        {
            ulong left = value >> _halfBits, right = value & _halfMask;
            for (int r = 0; r < Rounds; r++)
                (left, right) = (right, left ^ (CounterRandom.Mix64(right ^ _roundKeys[r]) & _halfMask));
            return (left << _halfBits) | right;
        }
    }
}
