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
            private RefinementRows AllRows => new(_data.Values, _data.RowCount, _data.Dimension, _cumulant, _center ? Mean : null);

            /// <summary>The p samples (already centered when the rows are) the pair search works on.</summary>
            private RefinementRows SampleRows => new(Samples, Samples.Length / _data.Dimension, _data.Dimension, _cumulant, null);

            private readonly DenseRows _data;
            private readonly SpectralSettings _settings;
            private readonly int _count;
            private readonly bool _center;
            private readonly bool _cumulant;
            private readonly ParallelOptions _parallel;
            private readonly int _threads;
            private float[] _samples = Array.Empty<float>();
            private float[] _norms = Array.Empty<float>();

            public Search(DenseRows data, SpectralSettings settings, int count, float[] mean, bool center, bool cumulant, int numberOfThreads)
            {
                _data = data;
                _settings = settings;
                _count = count;
                Mean = mean;
                _center = center;
                _cumulant = cumulant;
                _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, numberOfThreads) };
                _threads = Math.Max(1, numberOfThreads);
            }

            /// <summary>The data mean when rows are centered, zeros otherwise.</summary>
            public float[] Mean { get; }

            /// <summary>The p rows (centered when asked) the pair and residual searches work on.</summary>
            public float[] Samples
            {
                get => _samples;
                set
                {
                    _samples = value;
                    int n = _data.Dimension;
                    _norms = new float[value.Length / n];
                    for (int t = 0; t < _norms.Length; t++)
                        _norms[t] = TensorPrimitives.Dot(value.AsSpan(t * n, n), value.AsSpan(t * n, n));
                }
            }

            public List<Candidate> Found { get; } = new List<Candidate>();

            public int PairsTried { get; private set; }

            public int PairsAccepted { get; private set; }

            public int FromResiduals { get; private set; }

            public int Rejected { get; private set; }

            /// <summary>
            /// Pairs until m vectors are found, the budget is spent, or (when <paramref name="stopWhenStalled"/>) the last
            /// <see cref="SpectralSettings.StallWindow"/> pairs added nothing; true in the last case.
            /// </summary>
            public bool SearchPairs(Random random, bool stopWhenStalled)
            {
                int window = _settings.StallWindow(_count);
                int sinceNew = 0;
                int rows = _data.RowCount;
                int n = _data.Dimension;
                double minCosine = 1 - 0.5 * _settings.DuplicateDistance * _settings.DuplicateDistance;
                while (Found.Count < _count && PairsTried < _settings.PairBudget(_count))
                {
                    // A fixed batch size (not one per thread): the batch decides which atoms its refinements know.
                    int size = Math.Min(PairBatch, _settings.PairBudget(_count) - PairsTried);
                    // The batch sees the atoms found before it: a candidate heading to one of them stops early.
                    float[][] known = Known();
                    var jobs = new LaneJob[size];
                    for (int b = 0; b < size; b++)
                    {
                        int uIndex = random.Next(rows);
                        int vIndex = random.Next(rows - 1);
                        if (vIndex >= uIndex)
                            vIndex++;
                        var u = new float[n];
                        var v = new float[n];
                        TensorPrimitives.Subtract(_data.Row(uIndex), Mean, u);
                        TensorPrimitives.Subtract(_data.Row(vIndex), Mean, v);
                        jobs[b] = LaneJob.ForPair(u, v, known, minCosine);
                    }
                    RunJobs(jobs, SampleRows, _settings, _norms, _parallel, _threads);
                    for (int b = 0; b < size && Found.Count < _count; b++)
                    {
                        PairsTried++;
                        sinceNew++;
                        if (jobs[b].PairResult is (float[] candidate, double kurtosis))
                        {
                            PairsAccepted++;
                            if (TryAdd(candidate, kurtosis))
                                sinceNew = 0;
                        }
                        if (stopWhenStalled && sinceNew >= window && Found.Count < _count)
                            return true;
                    }
                }
                return false;
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
                int sparsity = Math.Clamp(_settings.ExpectedSparsity, 1, Math.Max(1, Found.Count));
                double[] scores = ResidualScores(_data, weights, basis, sparsity, _parallel);
                int[] order = new int[rows];
                for (int t = 0; t < rows; t++)
                    order[t] = t;
                // Largest residual first; the stable index order breaks ties, so the choice is deterministic.
                Array.Sort(order, (a, b) => scores[b] != scores[a] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));

                double minCosine = 1 - 0.5 * _settings.DuplicateDistance * _settings.DuplicateDistance;
                int added = 0;
                for (int first = 0; first < startCount && Found.Count < _count; first += PairBatch)
                {
                    int size = Math.Min(PairBatch, startCount - first);
                    float[][] known = Known();
                    var starts = new float[size][];
                    Parallel.For(0, size, _parallel, b =>
                    {
                        var z = new float[n];
                        Residual(weights, basis, n, _data.Row(order[first + b]), sparsity, z);
                        starts[b] = WeightInitializer.NormalizeInPlace(z) ? z : Array.Empty<float>();
                    });
                    var jobs = new LaneJob[size];
                    for (int b = 0; b < size; b++)
                        jobs[b] = LaneJob.ForRefinement(starts[b], known, minCosine);
                    // On all rows, not the p samples: measured on the non-negative model, starts at cos 0.95 from a missing
                    // atom drifted to a found one on p = 4,000 rows (an atom is in ≈ k·p/m of them) and converged on all.
                    RunJobs(Array.FindAll(jobs, job => job.Vector.Length > 0), AllRows, _settings, _norms, _parallel, _threads);
                    for (int b = 0; b < size && Found.Count < _count; b++)
                    {
                        if (jobs[b].Vector.Length > 0 && jobs[b].Settled && !jobs[b].Duplicate && TryAdd(jobs[b].Vector, jobs[b].Kurtosis))
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
                var settled = new bool[Found.Count];
                var jobs = new LaneJob?[Found.Count];
                for (int i = 0; i < Found.Count; i++)
                {
                    settled[i] = Found[i].Polished;
                    if (!Found[i].Polished)
                        jobs[i] = LaneJob.ForRefinement((float[])Found[i].Vector.Clone(), Array.Empty<float[]>(), minCosine: 2);
                }
                RunJobs(Array.FindAll(jobs, job => job != null)!, AllRows, _settings, _norms, _parallel, _threads);
                for (int i = 0; i < Found.Count; i++)
                {
                    if (jobs[i] is not LaneJob job)
                        continue;
                    Candidate candidate = Found[i];
                    job.Vector.CopyTo(candidate.Vector, 0);
                    settled[i] = job.Settled;
                    candidate.Kurtosis = job.Kurtosis;
                    candidate.Polished = true;
                }
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
