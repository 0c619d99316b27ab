using System;

namespace Microsoft.ML.SharedAutoencoder.Model
{
    /// <summary>
    /// Keeps the k largest positive values of a vector and zeroes the rest, ties going to the lower index — the k-sparse
    /// nonlinearity of Makhzani &amp; Frey (2013), usable both to encode and as a training activation.
    /// </summary>
    internal static class TopKSelection
    {
        /// <summary>
        /// output[i] = values[i] for the <paramref name="k"/> largest positive values (exactly k of them when at least k
        /// are positive, all positive ones otherwise), 0 elsewhere. Among equal values the lower indices are kept, so the
        /// result depends only on the values. <paramref name="scratch"/> needs values.Length floats; output may be values.
        /// </summary>
        public static void KeepLargest(ReadOnlySpan<float> values, int k, Span<float> output, Span<float> scratch)
        {
            if (k < 0 || output.Length < values.Length || scratch.Length < values.Length)
                throw new ArgumentException("k must be non-negative and the output and scratch as long as the values.");
            // Branch-free: about half the values of a pre-activation are positive, so a branch would mispredict half the time.
            int positives = 0;
            foreach (float v in values)
            {
                scratch[positives] = v;
                positives += v > 0 ? 1 : 0;
            }
            if (positives <= k)
            {
                for (int i = 0; i < values.Length; i++)
                    output[i] = values[i] > 0 ? values[i] : 0f;
                return;
            }
            if (k == 0)
            {
                output.Slice(0, values.Length).Clear();
                return;
            }
            // The k-th largest positive value is well defined whatever order selection leaves the scratch in; values above
            // it are all kept, and the ones equal to it fill the remaining places from the lowest index.
            float kth = SelectSmallest(scratch.Slice(0, positives), positives - k);
            int above = 0;
            foreach (float v in values)
                above += v > kth ? 1 : 0;
            int equalToKeep = k - above;
            for (int i = 0; i < values.Length; i++)
            {
                float v = values[i];
                bool keep = v > kth || (v == kth && equalToKeep-- > 0);
                output[i] = keep ? v : 0f;
            }
        }

        /// <summary>
        /// The <paramref name="rank"/>-th smallest (0-based) of <paramref name="values"/> (no NaN), which it reorders:
        /// quickselect with a median-of-three pivot, O(length) on average.
        /// </summary>
        private static float SelectSmallest(Span<float> values, int rank)
        {
            int lo = 0;
            int hi = values.Length - 1;
            while (lo < hi)
            {
                int mid = lo + (hi - lo) / 2;
                float pivot = MedianOfThree(values[lo], values[mid], values[hi]);
                int i = lo;
                int j = hi;
                // Hoare partition: afterwards [lo, j] ≤ pivot ≤ [i, hi], with i > j.
                while (i <= j)
                {
                    while (values[i] < pivot)
                        i++;
                    while (values[j] > pivot)
                        j--;
                    if (i <= j)
                    {
                        (values[i], values[j]) = (values[j], values[i]);
                        i++;
                        j--;
                    }
                }
                if (rank <= j)
                    hi = j;
                else if (rank >= i)
                    lo = i;
                else
                    return values[rank];
            }
            return values[rank];
        }

        private static float MedianOfThree(float a, float b, float c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
    }
}
