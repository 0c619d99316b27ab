using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// K-SVD's replacement step (Aharon, Elad, Bruckstein 2006), used between rounds of
    /// <see cref="AlternatingMinimization"/>: an atom that the OMP codes barely use, or that nearly duplicates a
    /// more-used atom, is replaced by the normalized residual of a row the dictionary explains worst.
    /// </summary>
    /// <remarks>
    /// The residual is taken after k − 1 OMP steps on the updated dictionary (the row itself when k = 1): a badly explained
    /// row is typically k − 1 atoms the dictionary has plus one it lacks, and a k-th step would spend itself on removing
    /// part of that missing atom. A residual closer than <see cref="MaximumCoherence"/> to a kept atom or to a replacement
    /// of the same round is skipped, so two replacements do not chase the same missing atom. Rows are tried by decreasing
    /// residual (ties by index), atoms by increasing use (ties by index): deterministic.
    /// </remarks>
    internal static class AtomReplacement
    {
        /// <summary>An atom used by fewer rows than this fraction of the mean use N·k/m is replaced.</summary>
        public const double MinimumUsageFraction = 0.2;

        /// <summary>An atom whose rows' mean residual exceeds this many times the median atom's is replaced.</summary>
        public const double MisfitFactor = 4;

        /// <summary>
        /// … and exceeds this fraction of one atom's share of the row energy, mean ‖y‖² / k: an atom off by a distance d adds
        /// about d² of that share, so only atoms off by more than ≈ 0.2 count (not a freshly replaced atom still settling).
        /// </summary>
        public const double MisfitEnergyFraction = 0.05;

        /// <summary>Two atoms with |⟨W_i, W_j⟩| above this are duplicates: the less-used one is replaced.</summary>
        public const double DuplicateCoherence = 0.9;

        /// <summary>A replacement must have |cos| at most this with every kept atom and every other replacement.</summary>
        public const double MaximumCoherence = 0.7;

        /// <summary>A replacement that some rows use is not replaced again in the next this many rounds.</summary>
        public const int ProtectionRounds = 4;

        /// <summary>Rows examined per atom to replace, plus <see cref="ExtraCandidates"/>: each costs a refinement.</summary>
        private const int CandidatesPerAtom = 2;

        /// <summary>Rows examined beyond <see cref="CandidatesPerAtom"/> per atom.</summary>
        private const int ExtraCandidates = 4;

        /// <summary>
        /// Replaces the under-used and duplicate atoms of <paramref name="weights"/> in place; returns how many were replaced.
        /// <paramref name="replacedInRound"/> (optional, one entry per atom, 0 = never) records the round of each atom's last
        /// replacement; atoms replaced within <see cref="ProtectionRounds"/> rounds before <paramref name="round"/> are not
        /// targets, and <paramref name="withheld"/> counts those.
        /// </summary>
        public static int Run(DenseRows data, float[] weights, int m, int sparsity, AlternatingMinimization.Codes codes, int numberOfThreads, out int withheld, int[]? replacedInRound = null, int round = 0)
        {
            withheld = 0;
            int n = data.Dimension;
            var kernel = new ProjectionKernel(weights, n, m);
            var coherence = new float[m * m];
            kernel.Compute(weights, m, coherence);
            long[] usage = codes.Usage;
            double[] residuals = codes.Residuals;
            List<int> targets = Targets(usage, codes.ResidualSums, coherence, m, MeanEnergy(data) / Math.Max(1, sparsity));
            // A fresh replacement is a rough start that least squares moves over a few rounds; replaced again at once, the
            // two columns meant for a strongly coherent pair of atoms trade places every round without settling (seen on
            // ± k = 3, 4 at n = 64, m = 96). Used fresh replacements are kept for ProtectionRounds.
            if (replacedInRound != null)
                withheld = targets.RemoveAll(i => replacedInRound[i] > 0 && round - replacedInRound[i] <= ProtectionRounds && usage[i] > 0);
            if (targets.Count == 0)
                return 0;

            var isTarget = new bool[m];
            foreach (int i in targets)
                isTarget[i] = true;
            // The residuals are taken on the kept atoms only: a zero column is never chosen by OMP.
            var pruned = (float[])weights.Clone();
            foreach (int i in targets)
                Array.Clear(pruned, i * n, n);
            var pursuit = new OrthogonalMatchingPursuit(pruned, n, m, maxThreads: numberOfThreads);
            var kept = Enumerable.Range(0, m).Where(i => !isTarget[i]).ToList();
            var chosen = new List<float[]>();
            var (raw, refined) = Starts(data, pursuit, sparsity, residuals, targets.Count, numberOfThreads);
            // Refined starts first (they land on atoms); when none of them is new, the raw residuals (K-SVD's choice):
            // near two strongly coherent atoms the refinement can run to the one already found.
            int nextRefined = 0, nextRaw = 0;
            foreach (int atom in targets)
            {
                float[]? candidate = Next(refined, ref nextRefined, weights, n, kept, chosen) ?? Next(raw, ref nextRaw, weights, n, kept, chosen);
                if (candidate == null)
                    break;
                chosen.Add(candidate);
                candidate.CopyTo(weights.AsSpan(atom * n, n));
                if (replacedInRound != null)
                    replacedInRound[atom] = round;
            }
            return chosen.Count;
        }

        /// <summary>
        /// The atoms to replace, least used first: those under the usage floor, those whose rows are explained far worse
        /// than a typical atom's (a column sitting between two atoms serves the rows of both badly), and the less-used of
        /// each duplicate pair.
        /// </summary>
        private static List<int> Targets(long[] usage, double[] residualSums, float[] coherence, int m, double atomEnergy)
        {
            double floor = MinimumUsageFraction * usage.Sum() / m;
            var meanResidual = Enumerable.Range(0, m).Select(i => usage[i] > 0 ? residualSums[i] / usage[i] : 0).ToArray();
            double typical = Median(meanResidual.Where((_, i) => usage[i] > 0));
            var target = new bool[m];
            for (int i = 0; i < m; i++)
                target[i] = usage[i] < floor || (meanResidual[i] > MisfitFactor * typical && meanResidual[i] > MisfitEnergyFraction * atomEnergy);
            for (int i = 0; i < m; i++)
            {
                for (int j = i + 1; j < m && !target[i]; j++)
                {
                    if (target[j] || !(Math.Abs(coherence[i * m + j]) > DuplicateCoherence))
                        continue;
                    target[usage[j] < usage[i] ? j : i] = true;
                }
            }
            return Enumerable.Range(0, m).Where(i => target[i]).OrderBy(i => usage[i]).ThenBy(i => i).ToList();
        }

        /// <summary>
        /// The normalized residuals of the worst-explained rows, worst first, and the same refined (an empty array where a
        /// start degenerated). The residuals are computed in order, the refinements in parallel, each on its own: the
        /// result does not depend on the thread count.
        /// </summary>
        private static (float[][] Raw, float[][] Refined) Starts(DenseRows data, OrthogonalMatchingPursuit pursuit, int sparsity, double[] residuals, int targets, int numberOfThreads)
        {
            int[] order = RowsByDecreasingResidual(residuals);
            var raw = new float[Math.Min(order.Length, CandidatesPerAtom * targets + ExtraCandidates)][];
            var workspace = pursuit.CreateWorkspace(Math.Max(1, sparsity));
            for (int c = 0; c < raw.Length; c++)
            {
                var residual = new float[data.Dimension];
                pursuit.Residual(data.Row(order[c]), sparsity - 1, residual, workspace);
                raw[c] = WeightInitializer.NormalizeInPlace(residual) ? residual : Array.Empty<float>();
            }
            float[] mean = Mean(data);
            var refined = raw.Select(r => (float[])r.Clone()).ToArray();
            Parallel.For(0, refined.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, numberOfThreads) }, c =>
            {
                if (refined[c].Length > 0 && !CumulantRefinement.Run(data, mean, refined[c]))
                    refined[c] = Array.Empty<float>();
            });
            return (raw, refined);
        }

        /// <summary>The next start from <paramref name="next"/> on that is new (see <see cref="IsNew"/>), or null.</summary>
        private static float[]? Next(float[][] starts, ref int next, float[] weights, int n, List<int> kept, List<float[]> chosen)
        {
            while (next < starts.Length)
            {
                float[] candidate = starts[next++];
                if (candidate.Length > 0 && IsNew(candidate, weights, n, kept, chosen))
                    return candidate;
            }
            return null;
        }

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
        }

        private static double MeanEnergy(DenseRows data)
        {
            double sum = 0;
            for (int t = 0; t < data.RowCount; t++)
                sum += TensorPrimitives.Dot(data.Row(t), data.Row(t));
            return sum / Math.Max(1, data.RowCount);
        }

        private static float[] Mean(DenseRows data)
        {
            var sum = new double[data.Dimension];
            for (int t = 0; t < data.RowCount; t++)
            {
                ReadOnlySpan<float> y = data.Row(t);
                for (int j = 0; j < sum.Length; j++)
                    sum[j] += y[j];
            }
            return sum.Select(s => (float)(s / Math.Max(1, data.RowCount))).ToArray();
        }

        private static bool IsNew(float[] candidate, float[] weights, int n, List<int> kept, List<float[]> chosen)
        {
            foreach (int i in kept)
            {
                if (Math.Abs(TensorPrimitives.Dot(candidate, weights.AsSpan(i * n, n))) > MaximumCoherence)
                    return false;
            }
            foreach (float[] other in chosen)
            {
                if (Math.Abs(TensorPrimitives.Dot(candidate, other)) > MaximumCoherence)
                    return false;
            }
            return true;
        }

        private static int[] RowsByDecreasingResidual(double[] residuals)
        {
            var order = Enumerable.Range(0, residuals.Length).ToArray();
            Array.Sort(order, (a, b) => residuals[a] != residuals[b] ? residuals[b].CompareTo(residuals[a]) : a.CompareTo(b));
            return order;
        }
    }
}
