using System;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// Counts, row by row on dense spans, how many learned codes recover the support and the signs of their latent
    /// codes under a dictionary matching. Kept free of ML.NET types so that the rule can be tested on its own.
    /// </summary>
    internal sealed class CodeRecoveryCounter
    {
        private readonly int[] _permutation;
        private readonly int[] _signs;
        private readonly int _codeLength;
        private long _rowCount;
        private long _supportRecoveredRowCount;
        private long _signRecoveredRowCount;

        /// <param name="permutation">Truth atom i ↔ learned unit <c>permutation[i]</c> (distinct, in [0, codeLength)).</param>
        /// <param name="signs">The ±1 sign of each matched learned unit.</param>
        /// <param name="codeLength">The learned code length (number of learned units).</param>
        public CodeRecoveryCounter(ReadOnlySpan<int> permutation, ReadOnlySpan<int> signs, int codeLength)
        {
            if (signs.Length != permutation.Length)
                throw new ArgumentException(
                    $"There are {signs.Length} signs for {permutation.Length} matched atoms.", nameof(signs));
            if (codeLength < permutation.Length)
                throw new ArgumentOutOfRangeException(nameof(codeLength), codeLength,
                    $"The code length must be at least the number of matched atoms ({permutation.Length}).");
            _permutation = permutation.ToArray();
            _signs = signs.ToArray();
            _codeLength = codeLength;
        }

        /// <summary>The latent code length (number of truth atoms).</summary>
        public int LatentLength => _permutation.Length;

        /// <summary>The learned code length (number of learned units).</summary>
        public int CodeLength => _codeLength;

        /// <summary>Compares one row's learned code with its latent code and counts the outcome.</summary>
        public void Add(ReadOnlySpan<float> code, ReadOnlySpan<float> latent)
        {
            if (code.Length != _codeLength)
                throw new ArgumentException($"Row {_rowCount}: the code has length {code.Length}; expected {_codeLength}.", nameof(code));
            if (latent.Length != LatentLength)
                throw new ArgumentException($"Row {_rowCount}: the latent code has length {latent.Length}; expected {LatentLength}.", nameof(latent));

            int codeNonzeroCount = 0;
            for (int j = 0; j < code.Length; j++)
            {
                if (float.IsNaN(code[j]))
                    throw new ArgumentException($"Row {_rowCount}: learned code entry {j} is NaN, which has no sign.", nameof(code));
                if (code[j] != 0)
                    codeNonzeroCount++;
            }

            bool supportRecovered = true;
            bool signsRecovered = true;
            int matchedNonzeroCount = 0;
            for (int i = 0; i < latent.Length; i++)
            {
                if (float.IsNaN(latent[i]))
                    throw new ArgumentException($"Row {_rowCount}: latent code entry {i} is NaN, which has no sign.", nameof(latent));
                int learnedSign = Math.Sign(code[_permutation[i]]) * _signs[i];
                int truthSign = Math.Sign(latent[i]);
                if (learnedSign != 0)
                    matchedNonzeroCount++;
                if ((learnedSign != 0) != (truthSign != 0))
                    supportRecovered = false;
                if (learnedSign != truthSign)
                    signsRecovered = false;
            }

            // A nonzero unmatched unit is activity that corresponds to no atom.
            bool unmatchedUnitsSilent = matchedNonzeroCount == codeNonzeroCount;
            _rowCount++;
            if (supportRecovered && unmatchedUnitsSilent)
                _supportRecoveredRowCount++;
            if (signsRecovered && unmatchedUnitsSilent)
                _signRecoveredRowCount++;
        }

        /// <summary>The rates over the rows added so far.</summary>
        public CodeRecoveryMetrics ToMetrics() => new CodeRecoveryMetrics(_rowCount, _supportRecoveredRowCount, _signRecoveredRowCount);
    }
}
