using System;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// Whether a trained model is a useless featurizer: most units never fire, or the codes hardly change from row to row.
    /// Measured on the model's activation code x = σ(Wᵀy + b) (what training optimized) over the leading training rows.
    /// </summary>
    internal static class CodeDiagnostics
    {
        /// <summary>The most rows examined: enough to see every live unit fire, cheap next to one training pass.</summary>
        public const int MaximumRows = 4096;

        /// <summary>Training is degenerate when more than this fraction of the units fire on no row.</summary>
        public const double DeadFractionLimit = 0.5;

        /// <summary>The codes are nearly constant when Σ_i Var(x_i) is at most this fraction of the mean ‖x‖² (or x is always 0).</summary>
        public const double RelativeVarianceLimit = 1e-4;

        /// <summary>... or when this fraction of the rows fire exactly the same set of units (one support for almost all rows).</summary>
        public const double SameSupportLimit = 0.9;

        /// <summary>The fraction of units that fire on none of the rows, and whether the codes are nearly constant over them.</summary>
        public static (double DeadUnitFraction, bool CodesNearlyConstant) Measure(SharedAutoencoderModelParameters model, DenseRows rows, int maxThreads)
        {
            int m = model.HiddenUnits;
            int count = rows.RowCount;
            var encoder = new CodeEncoder(model, CodeEncodingSettings.Activation());
            var codes = new float[(long)count * m];
            encoder.EncodeBatch(rows.Values.AsMemory(0, count * rows.Dimension), count, codes, maxThreads);
            var supports = new System.Collections.Generic.Dictionary<ulong, int>();
            int commonest = 0;
            var fires = new bool[m];
            var sum = new double[m];
            var sumOfSquares = new double[m];
            for (int t = 0; t < count; t++)
            {
                ulong support = 14695981039346656037; // FNV-1a over the indices of the units that fire
                for (int i = 0; i < m; i++)
                {
                    double x = codes[(long)t * m + i];
                    fires[i] |= x != 0;
                    sum[i] += x;
                    sumOfSquares[i] += x * x;
                    if (x != 0)
                        support = (support ^ (ulong)i) * 1099511628211;
                }
                supports[support] = supports.TryGetValue(support, out int seen) ? seen + 1 : 1;
                commonest = Math.Max(commonest, supports[support]);
            }
            int dead = 0;
            double variance = 0, meanSquare = 0;
            for (int i = 0; i < m; i++)
            {
                dead += fires[i] ? 0 : 1;
                double mean = sum[i] / count;
                variance += Math.Max(0, sumOfSquares[i] / count - mean * mean);
                meanSquare += sumOfSquares[i] / count;
            }
            bool constant = meanSquare == 0 || variance <= RelativeVarianceLimit * meanSquare || commonest >= SameSupportLimit * count;
            return ((double)dead / m, constant);
        }
    }
}
