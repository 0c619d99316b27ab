using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    internal static partial class SpectralInitializer
    {
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
            /// <summary>All rows of the data, as the refinement on all rows sees them.</summary>
            private RefinementRows AllRows => new(_data.Values, _data.RowCount, _cumulant, _center ? Mean : null);

            private readonly DenseRows _data;
            private readonly SpectralSettings _settings;
            private readonly int _count;
            private readonly bool _center;
            private readonly bool _cumulant;
            private readonly ParallelOptions _parallel;
            private readonly int _batch;

            public Search(DenseRows data, SpectralSettings settings, int count, float[] mean, bool center, bool cumulant, int numberOfThreads)
            {
                _data = data;
                _settings = settings;
                _count = count;
                Mean = mean;
                _center = center;
                _cumulant = cumulant;
                _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, numberOfThreads) };
                _batch = Math.Max(1, numberOfThreads) * 8;
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
                int sparsity = Math.Clamp(_settings.ExpectedSparsity, 1, Math.Max(1, Found.Count));
                Parallel.For(0, RowPartition.PartCount(rows), _parallel, part =>
                {
                    int partitions = RowPartition.PartCount(rows);
                    var (start, end) = RowPartition.Part(rows, part, partitions);
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
                        if (Refine(AllRows, z, known, minCosine, out bool duplicate, out double kurtosis)
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
                    settled[i] = Refine(AllRows, candidate.Vector, Array.Empty<float[]>(), 2, out _, out double kurtosis);
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
    }
}
