using System;
using System.Numerics.Tensors;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// The fourth-cumulant power step z ← normalize(E[s³ y_c] − 3·E[s²]·E[s y_c]), s = ⟨y_c, z⟩, y_c = y − ȳ, run to
    /// convergence from a rough start: near an atom A_i of a sparse-code model its fixed point is A_i (the step the
    /// spectral initializer uses, here on all rows). <see cref="AtomReplacement"/> uses it to turn the residual of a
    /// badly explained row, which mixes a missing atom with the misfit of the others, into that atom.
    /// </summary>
    /// <remarks>One thread, rows in order: deterministic. Cost: two passes of n multiply-adds per row and step.</remarks>
    internal static class CumulantRefinement
    {
        /// <summary>The most steps.</summary>
        public const int MaximumSteps = 30;

        /// <summary>Settled when the cosine between two steps is at least 1 − this.</summary>
        public const double Tolerance = 1e-5;

        /// <summary>Refines the unit vector <paramref name="z"/> in place; false when a step degenerates (zero or non-finite).</summary>
        public static bool Run(DenseRows data, float[] mean, float[] z)
        {
            int n = data.Dimension;
            var centered = new float[n];
            var third = new double[n];
            var first = new double[n];
            var next = new float[n];
            for (int step = 0; step < MaximumSteps; step++)
            {
                Array.Clear(third);
                Array.Clear(first);
                double second = 0;
                for (int t = 0; t < data.RowCount; t++)
                {
                    TensorPrimitives.Subtract(data.Row(t), mean, centered);
                    double s = TensorPrimitives.Dot(centered, z);
                    double s2 = s * s;
                    second += s2;
                    for (int j = 0; j < n; j++)
                    {
                        third[j] += s2 * s * centered[j];
                        first[j] += s * centered[j];
                    }
                }
                double rows = Math.Max(1, data.RowCount);
                second /= rows;
                for (int j = 0; j < n; j++)
                    next[j] = (float)((third[j] - 3 * second * first[j]) / rows);
                if (!WeightInitializer.NormalizeInPlace(next))
                    return false;
                double cosine = Math.Abs(TensorPrimitives.Dot(next, z));
                next.CopyTo(z, 0);
                if (cosine >= 1 - Tolerance)
                    break;
            }
            return true;
        }
    }
}
