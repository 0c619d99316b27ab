using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Threading.Tasks;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>Resolved thresholds of the pairwise-reweighting (spectral) initialization.</summary>
    internal sealed class SpectralSettings
    {
        /// <summary>Accept a pair only when |σ₁| / |σ₂| is at least this (the gap test).</summary>
        public double MinGapRatio { get; init; } = SharedAutoencoderEstimator.Defaults.SpectralMinimumGapRatio;

        /// <summary>Accept a pair only when |σ₁| is at least this fraction of tr(Σ|w_t| y_t y_tᵀ)/p (the "σ₁ is large" test).</summary>
        public double MinTraceFraction { get; init; } = SharedAutoencoderEstimator.Defaults.SpectralMinimumTraceFraction;

        /// <summary>A candidate within this distance (up to sign) of a vector already found is a duplicate.</summary>
        public double DuplicateDistance { get; init; } = SharedAutoencoderEstimator.Defaults.SpectralDuplicateDistance;

        /// <summary>At most this many pairs (u, v) are tried; null: <see cref="SharedAutoencoderEstimator.Defaults.SpectralMaximumPairs"/> of m and k.</summary>
        public int? MaxPairs { get; init; }

        /// <summary>The pair budget for <paramref name="hiddenUnits"/> columns: <see cref="MaxPairs"/> or its default.</summary>
        public int PairBudget(int hiddenUnits) => MaxPairs ?? SharedAutoencoderEstimator.Defaults.SpectralMaximumPairs(hiddenUnits, Sparsity);

        /// <summary>p: the rows M̂_{u,v} averages over.</summary>
        public int SampleCount { get; init; } = SharedAutoencoderEstimator.Defaults.SpectralSampleCount;

        /// <summary>
        /// Whether rows (and u, v) are centered by the data mean before reweighting; null: when ‖ȳ‖² ≤ 5% of the mean
        /// ‖y‖² (sparse codes, ± or non-negative; not a mixture of ≤ 20 components). The refinement subtracts the Gaussian
        /// part 3·E[⟨y,z⟩²]·Σz (the fourth-cumulant power step) when the rows are centered or the mean is that small: it
        /// removes the second-order pull of the other atoms for zero-mean codes, while for a mixture (x = e_i) it would
        /// be a pull of relative size ≈ 3/m towards the data mean.
        /// </summary>
        public bool? Center { get; init; }

        /// <summary>k, the expected number of atoms per row: the support size of the least-squares codes of the residual search.</summary>
        public int Sparsity { get; init; } = SharedAutoencoderEstimator.Defaults.ExpectedSparsity;
    }

    /// <summary>
    /// The pairwise-reweighting initialization of Arora, Ge, Ma and Moitra ("Simple, efficient, and neural algorithms
    /// for sparse coding", COLT 2015, Algorithm 3). For a pair of rows (u, v) the matrix
    /// M̂_{u,v} = (1/p) Σ_t ⟨y_t,u⟩⟨y_t,v⟩ y_t y_tᵀ is, when u and v share exactly one atom A_i, close to a multiple of
    /// A_i A_iᵀ: its top eigenvector estimates A_i and its spectrum shows a gap. M̂ is never formed: a two-vector
    /// subspace iteration applies x ↦ (1/p) Σ_t w_t ⟨y_t,x⟩ y_t with the weights w_t = ⟨y_t,u⟩⟨y_t,v⟩ computed once
    /// per pair, and a 2×2 Rayleigh–Ritz step gives σ₁, σ₂ (eigenvalues by magnitude: M̂ is symmetric, not PSD).
    /// </summary>
    /// <remarks>
    /// Pairs are evaluated in batches in parallel; each pair's rows come from a per-pair random stream and the
    /// acceptance decisions are made serially in pair order, so the result does not depend on the thread count.
    /// </remarks>
    internal static class SpectralInitializer
    {
        private const int MaxSubspaceIterations = 12;
        private const int ScreeningIterations = 4;
        private const double RitzTolerance = 1e-4;
        private const int MaxRefinementSteps = 40;
        private const double RefinementTolerance = 1e-5;
        private const int MaxResidualRounds = 4;
        private const int MinResidualStarts = 32;
        private const int ResidualStartsPerMissing = 8;
        private const int MinForKurtosisTest = 5;

        /// <summary>Runs the search; returns unit-major columns (found ones first, then the completed ones) and the report.</summary>
        public static (float[] Weights, InitializationReport Report) Create(DenseRows data, int count, SpectralSettings settings, int seed, int maxThreads)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            if (rows < 2)
                throw new InvalidOperationException($"Spectral initialization needs at least 2 rows; the data have {rows}.");

            var random = new Random(seed);
            int p = Math.Min(settings.SampleCount, rows);
            float[] dataMean = Mean(data, out double meanEnergyRatio);
            // Codes with a small but nonzero mean (non-negative sparse codes) are centered: cumulants of order ≥ 2 do not
            // depend on the mean, so the fourth-cumulant step is then valid for them. A mixture of few components has a
            // large mean and is not centered (centering there would estimate A_i − mean).
            bool smallMean = meanEnergyRatio <= 0.05;
            bool center = settings.Center ?? smallMean;
            var search = new Search(data, settings, count, center ? dataMean : new float[n], center, cumulant: center || smallMean, maxThreads);
            search.Samples = SampleRows(data, p, random, search.Mean, center);

            int residualRounds = 0;
            while (search.Found.Count < count)
            {
                if (search.PairsTried < settings.PairBudget(count))
                {
                    search.SearchPairs(random);
                }
                else
                {
                    // The pair budget is spent: the atoms still missing are what the found ones explain worst.
                    if (residualRounds++ >= MaxResidualRounds || search.SearchResiduals() == 0)
                        break;
                }
                search.Consolidate();
            }

            var weights = new float[count * n];
            for (int i = 0; i < search.Found.Count; i++)
            {
                Span<float> column = weights.AsSpan(i * n, n);
                search.Found[i].Vector.CopyTo(column);
                Orient(data, column);
            }
            int completed = count - search.Found.Count;
            if (completed > 0)
                SamplesInitializer.Seed(data, weights, search.Found.Count, count, random);
            var report = new InitializationReport(WeightInitialization.Spectral, count, search.Found.Count, completed, search.PairsTried, search.PairsAccepted,
                search.FromResiduals, search.Rejected);
            return (weights, report);
        }

        /// <summary>A vector accepted by the search, its excess kurtosis, and whether it has been polished on all rows.</summary>
        private sealed class Candidate
        {
            public Candidate(float[] vector, double kurtosis)
            {
                Vector = vector;
                Kurtosis = kurtosis;
            }

            public float[] Vector { get; }

            public double Kurtosis { get; set; }

            public bool Polished { get; set; }
        }

        /// <summary>The state of one search: the vectors found so far and the counters the report gives.</summary>
        private sealed class Search
        {
            private readonly DenseRows _data;
            private readonly SpectralSettings _settings;
            private readonly int _count;
            private readonly bool _center;
            private readonly bool _cumulant;
            private readonly ParallelOptions _parallel;
            private readonly int _batch;

            public Search(DenseRows data, SpectralSettings settings, int count, float[] mean, bool center, bool cumulant, int maxThreads)
            {
                _data = data;
                _settings = settings;
                _count = count;
                Mean = mean;
                _center = center;
                _cumulant = cumulant;
                _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxThreads) };
                _batch = Math.Max(1, maxThreads) * 8;
            }

            /// <summary>The data mean when rows are centered, zeros otherwise.</summary>
            public float[] Mean { get; }

            /// <summary>The p rows (centered when asked) the pair and residual searches work on.</summary>
            public float[] Samples { get; set; } = Array.Empty<float>();

            public List<Candidate> Found { get; } = new List<Candidate>();

            public int PairsTried { get; private set; }

            public int PairsAccepted { get; private set; }

            public int FromResiduals { get; private set; }

            public int Rejected { get; private set; }

            /// <summary>Pairs until m vectors are found or the budget is spent.</summary>
            public void SearchPairs(Random random)
            {
                int rows = _data.RowCount;
                var results = new (float[] Vector, double Kurtosis)?[_batch];
                while (Found.Count < _count && PairsTried < _settings.PairBudget(_count))
                {
                    int size = Math.Min(_batch, _settings.PairBudget(_count) - PairsTried);
                    var pairs = new (int U, int V)[size];
                    for (int b = 0; b < size; b++)
                    {
                        int u = random.Next(rows);
                        int v = random.Next(rows - 1);
                        if (v >= u)
                            v++;
                        pairs[b] = (u, v);
                    }
                    // The batch sees the atoms found before it: a candidate heading to one of them stops early.
                    float[][] known = Known();
                    Parallel.For(0, size, _parallel, b => results[b] = TryPair(_data, Samples, Mean, _settings, _cumulant, pairs[b].U, pairs[b].V, known));
                    for (int b = 0; b < size && Found.Count < _count; b++)
                    {
                        PairsTried++;
                        if (results[b] is not (float[] candidate, double kurtosis))
                            continue;
                        PairsAccepted++;
                        TryAdd(candidate, kurtosis);
                    }
                }
            }

            /// <summary>
            /// Starts the refinement from the residuals of the rows the found vectors explain worst: each row's code on the
            /// found vectors is solved by least squares on its k largest projections (k = the expected sparsity), and a
            /// row that uses a missing atom keeps that atom (times its coefficient) in its residual. Returns how many new
            /// vectors were added.
            /// </summary>
            public int SearchResiduals()
            {
                int n = _data.Dimension;
                int rows = _data.RowCount;
                int missing = _count - Found.Count;
                int startCount = Math.Min(rows, Math.Max(MinResidualStarts, ResidualStartsPerMissing * missing));
                int basis = Found.Count;
                float[] weights = new float[basis * n];
                for (int i = 0; i < Found.Count; i++)
                    Found[i].Vector.CopyTo(weights, i * n);
                var scores = new double[rows];
                int sparsity = Math.Clamp(_settings.Sparsity, 1, Math.Max(1, Found.Count));
                Parallel.For(0, GradientPass.PartitionCount(rows), _parallel, part =>
                {
                    int partitions = GradientPass.PartitionCount(rows);
                    int start = (int)((long)rows * part / partitions);
                    int end = (int)((long)rows * (part + 1) / partitions);
                    var residual = new float[n];
                    for (int t = start; t < end; t++)
                        scores[t] = Residual(weights, basis, n, _data.Row(t), sparsity, residual);
                });
                int[] order = new int[rows];
                for (int t = 0; t < rows; t++)
                    order[t] = t;
                // Largest residual first; the stable index order breaks ties, so the choice is deterministic.
                Array.Sort(order, (a, b) => scores[b] != scores[a] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));

                double minCosine = 1 - 0.5 * _settings.DuplicateDistance * _settings.DuplicateDistance;
                var results = new (float[] Vector, double Kurtosis)?[_batch];
                int added = 0;
                for (int first = 0; first < startCount && Found.Count < _count; first += _batch)
                {
                    int size = Math.Min(_batch, startCount - first);
                    float[][] known = Known();
                    Parallel.For(0, size, _parallel, b =>
                    {
                        var z = new float[n];
                        Residual(weights, basis, n, _data.Row(order[first + b]), sparsity, z);
                        results[b] = null;
                        if (!WeightInitializer.NormalizeInPlace(z))
                            return;
                        // On all rows, not the p samples: measured on the non-negative model, starts at cos 0.95 from a missing
                        // atom drifted to a found one on p = 4,000 rows (an atom is in ≈ k·p/m of them) and converged on all.
                        if (Refine(_data.Values, _data.RowCount, n, z, MaxRefinementSteps, _cumulant, new float[n], known, minCosine, out bool duplicate, out double kurtosis, _center ? Mean : null)
                            && !duplicate)
                            results[b] = (z, kurtosis);
                    });
                    for (int b = 0; b < size && Found.Count < _count; b++)
                    {
                        if (results[b] is (float[] candidate, double kurtosis) && TryAdd(candidate, kurtosis))
                        {
                            added++;
                            FromResiduals++;
                        }
                    }
                }
                return added;
            }

            /// <summary>
            /// Polishes every new vector on all rows until it settles (the search used p rows; a vector that was not a
            /// fixed point there moves now), then drops a vector that does not settle, a near-duplicate of a vector with a
            /// larger excess kurtosis, or one whose excess kurtosis is below half the median (a fixed point between atoms).
            /// </summary>
            public void Consolidate()
            {
                int n = _data.Dimension;
                var settled = new bool[Found.Count];
                Parallel.For(0, Found.Count, _parallel, i =>
                {
                    Candidate candidate = Found[i];
                    if (candidate.Polished)
                    {
                        settled[i] = true;
                        return;
                    }
                    settled[i] = Refine(_data.Values, _data.RowCount, n, candidate.Vector, MaxRefinementSteps, _cumulant, new float[n], Array.Empty<float[]>(), 2,
                        out _, out double kurtosis, _center ? Mean : null);
                    candidate.Kurtosis = kurtosis;
                    candidate.Polished = true;
                });
                int[] byKurtosis = new int[Found.Count];
                for (int i = 0; i < byKurtosis.Length; i++)
                    byKurtosis[i] = i;
                Array.Sort(byKurtosis, (a, b) => Found[b].Kurtosis != Found[a].Kurtosis ? Found[b].Kurtosis.CompareTo(Found[a].Kurtosis) : a.CompareTo(b));
                var keep = new bool[Found.Count];
                var kept = new List<float[]>();
                foreach (int i in byKurtosis)
                {
                    if (!settled[i] || FindDuplicate(kept, Found[i].Vector, _settings.DuplicateDistance) >= 0)
                        continue;
                    keep[i] = true;
                    kept.Add(Found[i].Vector);
                }
                var kurtoses = new List<double>();
                for (int i = 0; i < Found.Count; i++)
                {
                    if (keep[i])
                        kurtoses.Add(Found[i].Kurtosis);
                }
                double floor = kurtoses.Count >= MinForKurtosisTest ? 0.5 * Median(kurtoses) : double.NegativeInfinity;
                var survivors = new List<Candidate>();
                for (int i = 0; i < Found.Count; i++)
                {
                    if (keep[i] && Found[i].Kurtosis >= floor)
                        survivors.Add(Found[i]);
                }
                Rejected += Found.Count - survivors.Count;
                Found.Clear();
                Found.AddRange(survivors);
            }

            /// <summary>
            /// Adds a candidate unless it duplicates a vector found before or its projections are far less heavy-tailed
            /// than those found (a refinement can settle on a spurious fixed point between atoms).
            /// </summary>
            private bool TryAdd(float[] candidate, double kurtosis)
            {
                if (candidate.Length == 0 || FindDuplicate(Known(), candidate, _settings.DuplicateDistance) >= 0)
                    return false;
                if (Found.Count >= MinForKurtosisTest)
                {
                    var kurtoses = new List<double>(Found.Count);
                    foreach (Candidate c in Found)
                        kurtoses.Add(c.Kurtosis);
                    if (kurtosis < 0.5 * Median(kurtoses))
                        return false;
                }
                Found.Add(new Candidate(candidate, kurtosis));
                return true;
            }

            private float[][] Known()
            {
                var known = new float[Found.Count][];
                for (int i = 0; i < known.Length; i++)
                    known[i] = Found[i].Vector;
                return known;
            }
        }

        /// <summary>
        /// ‖r‖² for r = y − W_S x_S, the residual of orthogonal matching pursuit with <paramref name="sparsity"/> steps on
        /// the first <paramref name="columns"/> columns of <paramref name="weights"/> (each step adds the column most
        /// correlated with the current residual and re-solves the least-squares code); r is written to <paramref name="residual"/>.
        /// </summary>
        private static double Residual(float[] weights, int columns, int n, ReadOnlySpan<float> y, int sparsity, float[] residual)
        {
            y.CopyTo(residual);
            int size = Math.Min(sparsity, columns);
            var support = new int[size];
            for (int step = 0; step < size; step++)
            {
                int best = -1;
                float bestMagnitude = -1;
                for (int i = 0; i < columns; i++)
                {
                    if (Array.IndexOf(support, i, 0, step) >= 0)
                        continue;
                    float magnitude = Math.Abs(TensorPrimitives.Dot(weights.AsSpan(i * n, n), residual));
                    if (magnitude > bestMagnitude)
                    {
                        bestMagnitude = magnitude;
                        best = i;
                    }
                }
                support[step] = best;
                double[] code = DictionaryRefit.SolveCode(weights, n, y, support, step + 1);
                y.CopyTo(residual);
                for (int a = 0; a <= step; a++)
                    TensorPrimitives.MultiplyAdd(weights.AsSpan(support[a] * n, n), (float)-code[a], residual, residual);
            }
            return TensorPrimitives.Dot(residual, residual);
        }

        private static double Median(List<double> values)
        {
            var sorted = values.ToArray();
            Array.Sort(sorted);
            return sorted[sorted.Length / 2];
        }

        /// <summary>The data mean, and ‖ȳ‖² / mean‖y‖²: 0 for zero-mean data, about 1/m for a mixture of m well-separated components.</summary>
        private static float[] Mean(DenseRows data, out double meanEnergyRatio)
        {
            int n = data.Dimension;
            var sum = new double[n];
            double energy = 0;
            for (int t = 0; t < data.RowCount; t++)
            {
                ReadOnlySpan<float> y = data.Row(t);
                energy += TensorPrimitives.Dot(y, y);
                for (int j = 0; j < n; j++)
                    sum[j] += y[j];
            }
            var mean = new float[n];
            double meanSquared = 0;
            for (int j = 0; j < n; j++)
            {
                double value = sum[j] / data.RowCount;
                mean[j] = (float)value;
                meanSquared += value * value;
            }
            meanEnergyRatio = energy > 0 ? meanSquared / (energy / data.RowCount) : 0;
            return mean;
        }

        /// <summary>
        /// p rows drawn without replacement (partial Fisher–Yates), copied contiguously, centered by <paramref name="mean"/> when asked.
        /// </summary>
        private static float[] SampleRows(DenseRows data, int p, Random random, float[] mean, bool center)
        {
            int n = data.Dimension;
            int rows = data.RowCount;
            var samples = new float[p * n];
            if (p == rows)
            {
                data.Rows(0, rows).CopyTo(samples);
            }
            else
            {
                var order = new int[rows];
                for (int t = 0; t < rows; t++)
                    order[t] = t;
                for (int t = 0; t < p; t++)
                {
                    int j = t + random.Next(rows - t);
                    (order[t], order[j]) = (order[j], order[t]);
                    data.Row(order[t]).CopyTo(samples.AsSpan(t * n, n));
                }
            }
            if (center)
            {
                for (int t = 0; t < p; t++)
                    TensorPrimitives.Subtract(samples.AsSpan(t * n, n), mean, samples.AsSpan(t * n, n));
            }
            return samples;
        }

        /// <summary>
        /// Subspace iteration on M̂_{u,v}; null when a test fails, otherwise the refined unit vector — or an empty array
        /// when the refinement ran into an atom in <paramref name="known"/> (an accepted pair that found nothing new).
        /// </summary>
        private static (float[] Vector, double Kurtosis)? TryPair(DenseRows data, float[] samples, float[] mean, SpectralSettings settings, bool cumulant, int uIndex, int vIndex, float[][] known)
        {
            int n = data.Dimension;
            int p = samples.Length / n;
            var u = new float[n];
            var v = new float[n];
            TensorPrimitives.Subtract(data.Row(uIndex), mean, u);
            TensorPrimitives.Subtract(data.Row(vIndex), mean, v);

            var weights = new float[p];
            double trace = 0;
            for (int t = 0; t < p; t++)
            {
                ReadOnlySpan<float> y = samples.AsSpan(t * n, n);
                float w = TensorPrimitives.Dot(y, u) * TensorPrimitives.Dot(y, v);
                weights[t] = w / p;
                trace += Math.Abs((double)w) * TensorPrimitives.Dot(y, y);
            }
            trace /= p;
            if (!(trace > 0) || !double.IsFinite(trace))
                return null;

            // u ± v start close to the shared atom's direction (both rows contain it), so few iterations are needed.
            var x1 = new float[n];
            var x2 = new float[n];
            TensorPrimitives.Add(u, v, x1);
            TensorPrimitives.Subtract(u, v, x2);
            var mx1 = new float[n];
            var mx2 = new float[n];
            if (!Orthonormalize(x1, x2))
                return null;

            double previous = double.NaN;
            double sigma1 = 0, sigma2 = 0;
            double c1 = 1, c2 = 0;
            for (int iteration = 1; iteration <= MaxSubspaceIterations; iteration++)
            {
                Apply(samples, weights, n, x1, x2, mx1, mx2);
                // Rayleigh–Ritz on span{x1, x2}: T = XᵀMX.
                double t11 = TensorPrimitives.Dot(x1, mx1);
                double t12 = 0.5 * (TensorPrimitives.Dot(x1, mx2) + TensorPrimitives.Dot(x2, mx1));
                double t22 = TensorPrimitives.Dot(x2, mx2);
                (sigma1, sigma2, c1, c2) = SymmetricEigen2(t11, t12, t22);
                bool converged = Math.Abs(Math.Abs(sigma1) - previous) <= RitzTolerance * Math.Abs(sigma1);
                previous = Math.Abs(sigma1);

                double ratio = Math.Abs(sigma1) / Math.Max(Math.Abs(sigma2), double.Epsilon);
                // Ritz values only grow towards the true ones; a pair that is far from both tests after a few
                // iterations will not pass them, and most pairs share no atom.
                if (iteration == ScreeningIterations && (ratio < 0.5 * settings.MinGapRatio || Math.Abs(sigma1) < 0.5 * settings.MinTraceFraction * trace))
                    return null;
                if (converged)
                    break;
                mx1.CopyTo(x1);
                mx2.CopyTo(x2);
                if (!Orthonormalize(x1, x2))
                    return null;
            }

            double gap = Math.Abs(sigma1) / Math.Max(Math.Abs(sigma2), double.Epsilon);
            if (gap < settings.MinGapRatio || Math.Abs(sigma1) < settings.MinTraceFraction * trace)
                return null;
            var top = new float[n];
            for (int j = 0; j < n; j++)
                top[j] = (float)(c1 * x1[j] + c2 * x2[j]);
            if (!WeightInitializer.NormalizeInPlace(top))
                return null;
            double minCosine = 1 - 0.5 * settings.DuplicateDistance * settings.DuplicateDistance;
            if (!Refine(samples, p, n, top, MaxRefinementSteps, cumulant, mx1, known, minCosine, out bool duplicate, out double kurtosis))
                return null;
            if (duplicate)
                return (Array.Empty<float>(), 0);
            return (top, kurtosis);
        }

        /// <summary>
        /// Fixed-point refinement z ← normalize((1/p) Σ_t ⟨y_t, z⟩³ y_t): a power step on the fourth-moment tensor, whose
        /// dominant term near an atom is E[x_i⁴]·q_i·⟨A_i, z⟩³·A_i, so z moves to the atom the pair pointed at and the
        /// cross-talk the pair's estimate carries shrinks. False when z collapses to zero.
        /// </summary>
        private static bool Refine(float[] samples, int p, int n, float[] z, int steps, bool cumulant, float[] scratch, float[][] known, double minCosine, out bool duplicate, out double kurtosis, float[]? mean = null)
        {
            duplicate = false;
            kurtosis = 0;
            var centered = mean is null ? null : new float[n];
            var covarianceTimesZ = new float[n];
            for (int step = 0; step < steps; step++)
            {
                Array.Clear(scratch);
                Array.Clear(covarianceTimesZ);
                double variance = 0, fourth = 0;
                for (int t = 0; t < p; t++)
                {
                    ReadOnlySpan<float> y = samples.AsSpan(t * n, n);
                    if (centered != null)
                    {
                        TensorPrimitives.Subtract(y, mean, centered);
                        y = centered;
                    }
                    float projection = TensorPrimitives.Dot(y, z);
                    variance += projection * projection;
                    fourth += (double)projection * projection * projection * projection;
                    TensorPrimitives.MultiplyAdd(y, projection * projection * projection, scratch, scratch);
                    TensorPrimitives.MultiplyAdd(y, projection, covarianceTimesZ, covarianceTimesZ);
                }
                kurtosis = variance > 0 ? fourth * p / (variance * variance) - 3 : 0;
                if (cumulant)
                    TensorPrimitives.MultiplyAdd(covarianceTimesZ, (float)(-3 * variance / p), scratch, scratch);
                if (!WeightInitializer.NormalizeInPlace(scratch))
                    return false;
                bool converged = Math.Abs(TensorPrimitives.Dot(scratch, z)) >= 1 - RefinementTolerance;
                scratch.CopyTo(z);
                if (converged)
                    return true;
                foreach (float[] atom in known)
                {
                    if (Math.Abs(TensorPrimitives.Dot(atom, z)) >= minCosine)
                    {
                        duplicate = true;
                        return true;
                    }
                }
            }
            // Not settled after the allowed steps: the start was not in an atom's basin.
            return false;
        }

        /// <summary>mx_k = Σ_t w_t ⟨y_t, x_k⟩ y_t for k = 1, 2 (the weights already carry the 1/p).</summary>
        private static void Apply(float[] samples, float[] weights, int n, float[] x1, float[] x2, float[] mx1, float[] mx2)
        {
            Array.Clear(mx1);
            Array.Clear(mx2);
            for (int t = 0; t < weights.Length; t++)
            {
                float w = weights[t];
                ReadOnlySpan<float> y = samples.AsSpan(t * n, n);
                TensorPrimitives.MultiplyAdd(y, w * TensorPrimitives.Dot(y, x1), mx1, mx1);
                TensorPrimitives.MultiplyAdd(y, w * TensorPrimitives.Dot(y, x2), mx2, mx2);
            }
        }

        /// <summary>Gram–Schmidt on two vectors; false when they are (numerically) dependent.</summary>
        private static bool Orthonormalize(float[] x1, float[] x2)
        {
            if (!WeightInitializer.NormalizeInPlace(x1))
                return false;
            TensorPrimitives.MultiplyAdd(x1, -TensorPrimitives.Dot(x1, x2), x2, x2);
            return WeightInitializer.NormalizeInPlace(x2);
        }

        /// <summary>Eigen-decomposition of [[a, b], [b, c]]: (λ₁, λ₂) ordered by magnitude, and λ₁'s unit eigenvector.</summary>
        private static (double Lambda1, double Lambda2, double C1, double C2) SymmetricEigen2(double a, double b, double c)
        {
            double half = 0.5 * (a + c);
            double radius = Math.Sqrt(0.25 * (a - c) * (a - c) + b * b);
            double high = half + radius, low = half - radius;
            double first = Math.Abs(high) >= Math.Abs(low) ? high : low;
            double second = first == high ? low : high;
            // (b, λ − a) or (λ − c, b) is an eigenvector of λ; take the better conditioned one.
            double e1 = b, e2 = first - a;
            double f1 = first - c, f2 = b;
            if (e1 * e1 + e2 * e2 < f1 * f1 + f2 * f2)
            {
                e1 = f1;
                e2 = f2;
            }
            double norm = Math.Sqrt(e1 * e1 + e2 * e2);
            return norm > 0 ? (first, second, e1 / norm, e2 / norm) : (first, second, 1, 0);
        }

        private static int FindDuplicate(IReadOnlyList<float[]> found, float[] vector, double distance)
        {
            // ‖z ∓ l‖² = 2 − 2|⟨z, l⟩| for unit vectors.
            double minCosine = 1 - 0.5 * distance * distance;
            for (int i = 0; i < found.Count; i++)
            {
                if (Math.Abs(TensorPrimitives.Dot(found[i], vector)) >= minCosine)
                    return i;
            }
            return -1;
        }

        /// <summary>
        /// Chooses the sign under which the largest projections of the data are positive: the sign of Σ_t ⟨y_t, z⟩³.
        /// For a mixture (y = A_i + η) and for non-negative codes the projections onto the true atom are large and
        /// positive on the rows that use it, and small and symmetric elsewhere; for ± codes either sign is equally
        /// good and this just makes the choice deterministic.
        /// </summary>
        internal static void Orient(DenseRows data, Span<float> column)
        {
            double skew = 0;
            for (int t = 0; t < data.RowCount; t++)
            {
                double projection = TensorPrimitives.Dot(data.Row(t), column);
                skew += projection * projection * projection;
            }
            if (skew < 0)
                TensorPrimitives.Negate(column, column);
        }
    }
}
