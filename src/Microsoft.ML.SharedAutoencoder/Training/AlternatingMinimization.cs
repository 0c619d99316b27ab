using System;
using System.Linq;
using System.Threading.Tasks;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// One round of alternating minimization for dictionary learning (the "method of optimal directions" with K-SVD's
    /// atom replacement): code every row by orthogonal matching pursuit with k atoms on the current dictionary, refit
    /// the dictionary to those codes by least squares, W = Y Xᵀ(X Xᵀ)⁻¹, normalize, then replace the atoms the codes
    /// barely use or that duplicate another atom (<see cref="AtomReplacement"/>).
    /// </summary>
    /// <remarks>
    /// <para>Why beyond <see cref="DictionaryRefit"/>: the refit keeps the supports the encoder chooses (thresholded
    /// Wᵀy), which in the hard regime (k ≥ 3 at n = 64, m = 96) pick wrong atoms through cross-talk even near A, and it
    /// cannot move a spurious column (a data row completed by the initializer, or a vector between atoms) to an atom
    /// nobody found. OMP chooses supports that explain the row, so the refit converges from much farther; replacement
    /// gives columns that explain nothing a new start at what the dictionary explains worst.</para>
    /// <para>Rows are cut into the fixed partitions of <see cref="RowPartition"/>, each coded on its own thread, and the
    /// partial sums added in partition order: the result does not depend on the thread count.</para>
    /// </remarks>
    internal static class AlternatingMinimization
    {
        /// <summary>What one round did.</summary>
        /// <param name="MeanSquaredResidual">The mean ‖y − W_S x_S‖² of the rows' OMP codes on the dictionary before the update.</param>
        /// <param name="Replaced">How many atoms were replaced after the update.</param>
        /// <param name="Withheld">How many atoms were due for replacement but kept as fresh replacements (see <see cref="AtomReplacement.ProtectionRounds"/>).</param>
        public readonly record struct Round(double MeanSquaredResidual, int Replaced, int Withheld = 0);

        /// <summary>
        /// Runs one round on <paramref name="weights"/> (unit-major m·n, unit-norm columns), in place, with
        /// <paramref name="sparsity"/> OMP steps per row; updates atoms one by one (<see cref="AtomUpdate"/>) and replaces
        /// atoms only when <paramref name="replaceAtoms"/>. <paramref name="replacedInRound"/> and <paramref name="round"/>
        /// carry the replacement history between rounds (see <see cref="AtomReplacement.Run"/>).
        /// </summary>
        public static Round Run(DenseRows data, float[] weights, int hiddenUnits, int sparsity, bool replaceAtoms, int numberOfThreads, int[]? replacedInRound = null, int round = 0)
        {
            int n = data.Dimension;
            int m = hiddenUnits;
            var codes = Code(data, weights, m, sparsity, numberOfThreads);
            int[] used = Enumerable.Range(0, m).Where(i => codes.Gram[i * m + i] > 0).ToArray();
            Matrix<double>? solution = used.Length == 0 ? null : DictionaryRefit.SolveNormalEquations(codes.Gram, codes.Cross, used, m, n);
            if (solution != null)
            {
                var column = new float[n];
                var scales = Enumerable.Repeat(1.0, m).ToArray();
                for (int a = 0; a < used.Length; a++)
                {
                    for (int j = 0; j < n; j++)
                        column[j] = (float)solution[a, j];
                    double norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot<float>(column, column));
                    if (!WeightInitializer.NormalizeInPlace(column))
                        continue;
                    scales[used[a]] = codes.CodeSums[used[a]] < 0 ? -norm : norm;
                    // Least squares fixes a column only up to sign (OMP codes take either); orient it so that its codes sum
                    // to a positive value, the sign of non-negative codes (for ± codes either sign is right).
                    if (codes.CodeSums[used[a]] < 0)
                        System.Numerics.Tensors.TensorPrimitives.Negate(column, column);
                    column.CopyTo(weights.AsSpan(used[a] * n, n));
                }
                // The codes times the normalized, oriented columns reproduce the least-squares fit: the atom update
                // starts from it.
                for (int slot = 0; slot < codes.Coefficients.Length; slot++)
                    codes.Coefficients[slot] *= scales[codes.Supports[slot]];
            }
            // The rank-1 atom update goes with replacement (K-SVD's pair); without it the rounds stay the method of optimal directions.
            if (solution != null && replaceAtoms)
                AtomUpdate.Run(data, weights, m, codes);
            double meanResidual = codes.Residuals.Sum() / Math.Max(1, data.RowCount);
            int withheld = 0;
            int replaced = replaceAtoms ? AtomReplacement.Run(data, weights, m, sparsity, codes, numberOfThreads, out withheld, replacedInRound, round) : 0;
            return new Round(meanResidual, replaced, withheld);
        }

        /// <summary>The normal equations of the dictionary update and what the codes say about the atoms and the rows.</summary>
        /// <param name="Gram">X Xᵀ (m×m).</param>
        /// <param name="Cross">X Yᵀ (m×n): unit i's row is Σ_t x_ti y_t.</param>
        /// <param name="Usage">How many rows use each atom.</param>
        /// <param name="Residuals">Each row's ‖y − W_S x_S‖².</param>
        /// <param name="CodeSums">Σ_t x_ti for each atom: its sign orients the refitted column.</param>
        /// <param name="ResidualSums">For each atom, the sum of ‖y − W_S x_S‖² over the rows that use it.</param>
        /// <param name="Supports">Each row's atoms, <c>Sparsity</c> slots per row (row t at t·k).</param>
        /// <param name="Coefficients">The OMP coefficients in the same slots.</param>
        /// <param name="Sizes">How many slots of each row are used.</param>
        /// <param name="Sparsity">Slots per row, k.</param>
        internal sealed record Codes(double[] Gram, double[] Cross, long[] Usage, double[] Residuals, double[] CodeSums, double[] ResidualSums,
            int[] Supports, double[] Coefficients, int[] Sizes, int Sparsity);

        /// <summary>OMP codes of every row on <paramref name="weights"/>, accumulated per fixed partition and added in order.</summary>
        internal static Codes Code(DenseRows data, float[] weights, int m, int sparsity, int numberOfThreads)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            var kernel = new ProjectionKernel(weights, n, m);
            var pursuit = new OrthogonalMatchingPursuit(weights, n, m, kernel, numberOfThreads);
            int partitions = RowPartition.PartCount(rows);
            var gram = new double[partitions][];
            var cross = new double[partitions][];
            var usage = new long[partitions][];
            var sums = new double[partitions][];
            var residualSums = new double[partitions][];
            var residuals = new double[rows];
            int k = Math.Max(1, sparsity);
            var supports = new int[rows * k];
            var coefficients = new double[rows * k];
            var sizes = new int[rows];
            Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, numberOfThreads) }, part =>
            {
                var (start, end) = RowPartition.Part(rows, part, partitions);
                gram[part] = new double[m * m];
                cross[part] = new double[m * n];
                usage[part] = new long[m];
                sums[part] = new double[m];
                residualSums[part] = new double[m];
                CodePart(data, start, end, kernel, pursuit, sparsity, gram[part], cross[part], usage[part], sums[part], residualSums[part], residuals, new CodeStore(supports, coefficients, sizes, k));
            });

            var total = new Codes(new double[m * m], new double[m * n], new long[m], residuals, new double[m], new double[m], supports, coefficients, sizes, k);
            for (int part = 0; part < partitions; part++)
            {
                for (int j = 0; j < total.Gram.Length; j++)
                    total.Gram[j] += gram[part][j];
                for (int j = 0; j < total.Cross.Length; j++)
                    total.Cross[j] += cross[part][j];
                for (int i = 0; i < m; i++)
                {
                    total.Usage[i] += usage[part][i];
                    total.CodeSums[i] += sums[part][i];
                    total.ResidualSums[i] += residualSums[part][i];
                }
            }
            return total;
        }

        /// <summary>Where <see cref="CodePart"/> keeps each row's code for the atom update.</summary>
        private readonly record struct CodeStore(int[] Supports, double[] Coefficients, int[] Sizes, int Sparsity);

        private static void CodePart(
            DenseRows data, int start, int end, ProjectionKernel kernel, OrthogonalMatchingPursuit pursuit, int sparsity,
            double[] g, double[] c, long[] usage, double[] sums, double[] residualSums, double[] residuals, CodeStore store)
        {
            int n = data.Dimension;
            int m = pursuit.Atoms;
            var workspace = pursuit.CreateWorkspace(sparsity);
            var projections = new float[ProjectionKernel.BlockRows * m];
            for (int block = start; block < end; block += ProjectionKernel.BlockRows)
            {
                int count = Math.Min(ProjectionKernel.BlockRows, end - block);
                kernel.Compute(data.Rows(block, count), count, projections);
                for (int r = 0; r < count; r++)
                {
                    int t = block + r;
                    ReadOnlySpan<float> y = data.Row(t);
                    ReadOnlySpan<float> p = projections.AsSpan(r * m, m);
                    int size = pursuit.Solve(p, sparsity, workspace);
                    int[] support = workspace.Support;
                    double[] code = workspace.Coefficients;
                    // The least-squares residual is orthogonal to the chosen atoms: ‖r‖² = ‖y‖² − x_Sᵀ p_S.
                    double explained = 0;
                    for (int a = 0; a < size; a++)
                        explained += code[a] * p[support[a]];
                    store.Sizes[t] = size;
                    for (int a = 0; a < size; a++)
                    {
                        store.Supports[t * store.Sparsity + a] = support[a];
                        store.Coefficients[t * store.Sparsity + a] = code[a];
                    }
                    residuals[t] = Math.Max(0, System.Numerics.Tensors.TensorPrimitives.Dot(y, y) - explained);
                    for (int a = 0; a < size; a++)
                    {
                        int i = support[a];
                        usage[i]++;
                        sums[i] += code[a];
                        residualSums[i] += residuals[t];
                        for (int b = 0; b < size; b++)
                            g[i * m + support[b]] += code[a] * code[b];
                        Span<double> ci = c.AsSpan(i * n, n);
                        for (int j = 0; j < n; j++)
                            ci[j] += code[a] * y[j];
                    }
                }
            }
        }
    }
}
