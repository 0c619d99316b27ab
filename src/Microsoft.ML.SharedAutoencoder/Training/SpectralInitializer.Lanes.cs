using System;
using System.Numerics.Tensors;
using System.Threading.Tasks;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    internal static partial class SpectralInitializer
    {
        private enum LanePhase
        {
            Weights,
            Subspace,
            Refine,
            Done,
        }

        /// <summary>
        /// One pair (u, v) — its weights, the subspace iteration on M̂_{u,v}, then the fourth-cumulant refinement of the top
        /// eigenvector — or one refinement alone, as a state machine that a lane of a block advances by one pass over
        /// the rows at a time. Each pass projects the rows on two vectors of the job (<see cref="SetColumns"/>), forms
        /// the job's two weighted row sums (<see cref="Consume"/>) and takes a step (<see cref="Finish"/>).
        /// </summary>
        private sealed class LaneJob
        {
            private readonly float[][] _known;
            private readonly double _minCosine;
            private readonly int _n;
            private float[] _x1 = Array.Empty<float>();
            private float[] _x2 = Array.Empty<float>();
            private float[] _weights = Array.Empty<float>();
            private double _trace, _previous, _variance, _fourth, _sum0, _sum1;
            private float _meanDot;
            private int _iteration, _step;

            private LaneJob(int n, float[][] known, double minCosine, LanePhase phase)
            {
                _n = n;
                _known = known;
                _minCosine = minCosine;
                Phase = phase;
            }

            public LanePhase Phase { get; private set; }

            /// <summary>The refined vector (the start of a refinement job, the top eigenvector of a pair once it has one).</summary>
            public float[] Vector { get; private set; } = Array.Empty<float>();

            /// <summary>True when the refinement settled (or ran into a known vector, see <see cref="Duplicate"/>).</summary>
            public bool Settled { get; private set; }

            /// <summary>True when the refinement came within the duplicate distance of a known vector and stopped there.</summary>
            public bool Duplicate { get; private set; }

            /// <summary>Excess kurtosis of the projections on the vector, from the last refinement step.</summary>
            public double Kurtosis { get; private set; }

            /// <summary>The pair's outcome in the form the search takes: null when a test failed, an empty vector for a duplicate.</summary>
            public (float[] Vector, double Kurtosis)? PairResult =>
                !Settled ? null : Duplicate ? (Array.Empty<float>(), 0) : (Vector, Kurtosis);

            public static LaneJob ForPair(float[] u, float[] v, float[][] known, double minCosine) =>
                new LaneJob(u.Length, known, minCosine, LanePhase.Weights) { _x1 = u, _x2 = v };

            public static LaneJob ForRefinement(float[] start, float[][] known, double minCosine) =>
                new LaneJob(start.Length, known, minCosine, LanePhase.Refine) { Vector = start };

            /// <summary>Writes the two vectors of the next pass into columns c and c + 1 of the n × 16 block.</summary>
            public void SetColumns(float[] block, int c, in RefinementRows rows)
            {
                _sum0 = _sum1 = _variance = _fourth = 0;
                float[] first = Phase == LanePhase.Refine ? Vector : _x1;
                for (int j = 0; j < _n; j++)
                {
                    block[j * Blocks.BlockWidth + c] = first[j];
                    block[j * Blocks.BlockWidth + c + 1] = Phase == LanePhase.Refine ? 0 : _x2[j];
                }
                if (Phase == LanePhase.Weights)
                {
                    _weights = new float[rows.Count];
                    _trace = 0;
                }
                _meanDot = Phase == LanePhase.Refine && rows.Mean != null ? TensorPrimitives.Dot(rows.Mean, Vector) : 0;
            }

            /// <summary>
            /// Reads the projections of rows <paramref name="first"/>.. of one chunk (columns c, c + 1 of <paramref name="z"/>)
            /// and writes the weights of the row sums into the same columns of <paramref name="s"/>.
            /// </summary>
            public void Consume(float[] z, float[] s, int c, int first, int count, in RefinementRows rows, float[] norms)
            {
                const int w = Blocks.BlockWidth;
                switch (Phase)
                {
                    case LanePhase.Weights:
                        for (int t = 0; t < count; t++)
                        {
                            float product = z[t * w + c] * z[t * w + c + 1];
                            _weights[first + t] = product / rows.Count;
                            _trace += Math.Abs((double)product) * norms[first + t];
                        }
                        break;
                    case LanePhase.Subspace:
                        for (int t = 0; t < count; t++)
                        {
                            float weight = _weights[first + t];
                            s[t * w + c] = weight * z[t * w + c];
                            s[t * w + c + 1] = weight * z[t * w + c + 1];
                        }
                        break;
                    case LanePhase.Refine:
                        for (int t = 0; t < count; t++)
                        {
                            float projection = z[t * w + c] - _meanDot;
                            _variance += projection * projection;
                            _fourth += (double)projection * projection * projection * projection;
                            float cube = projection * projection * projection;
                            s[t * w + c] = cube;
                            s[t * w + c + 1] = projection;
                            _sum0 += cube;
                            _sum1 += projection;
                        }
                        break;
                }
            }

            /// <summary>Takes the step the pass's row sums (columns c, c + 1 of the n × 16 <paramref name="r"/>) allow.</summary>
            public void Finish(float[] r, int c, in RefinementRows rows, SpectralSettings settings)
            {
                switch (Phase)
                {
                    case LanePhase.Weights:
                        FinishWeights(rows.Count);
                        break;
                    case LanePhase.Subspace:
                        FinishSubspace(Column(r, c), Column(r, c + 1), settings);
                        break;
                    case LanePhase.Refine:
                        FinishRefinement(r, c, rows);
                        break;
                }
            }

            private float[] Column(float[] block, int c)
            {
                var column = new float[_n];
                for (int j = 0; j < _n; j++)
                    column[j] = block[j * Blocks.BlockWidth + c];
                return column;
            }

            private void FinishWeights(int p)
            {
                _trace /= p;
                float[] u = _x1, v = _x2;
                if (!(_trace > 0) || !double.IsFinite(_trace))
                {
                    Phase = LanePhase.Done;
                    return;
                }
                // u ± v start close to the shared atom's direction (both rows contain it), so few iterations are needed.
                _x1 = new float[_n];
                _x2 = new float[_n];
                TensorPrimitives.Add(u, v, _x1);
                TensorPrimitives.Subtract(u, v, _x2);
                _iteration = 1;
                _previous = double.NaN;
                Phase = Orthonormalize(_x1, _x2) ? LanePhase.Subspace : LanePhase.Done;
            }

            /// <summary>One iteration of the two-vector subspace iteration with Rayleigh–Ritz on M̂_{u,v} (mx_k = M̂ x_k).</summary>
            private void FinishSubspace(float[] mx1, float[] mx2, SpectralSettings settings)
            {
                double t11 = TensorPrimitives.Dot(_x1, mx1);
                double t12 = 0.5 * (TensorPrimitives.Dot(_x1, mx2) + TensorPrimitives.Dot(_x2, mx1));
                double t22 = TensorPrimitives.Dot(_x2, mx2);
                var (sigma1, sigma2, c1, c2) = SymmetricEigen2(t11, t12, t22);
                bool converged = Math.Abs(Math.Abs(sigma1) - _previous) <= RitzTolerance * Math.Abs(sigma1);
                _previous = Math.Abs(sigma1);
                double ratio = Math.Abs(sigma1) / Math.Max(Math.Abs(sigma2), double.Epsilon);
                // Ritz values only grow towards the true ones; a pair that is far from both tests after a few
                // iterations will not pass them, and most pairs share no atom.
                if (_iteration == ScreeningIterations && (ratio < 0.5 * settings.MinGapRatio || Math.Abs(sigma1) < 0.5 * settings.MinTraceFraction * _trace))
                {
                    Phase = LanePhase.Done;
                    return;
                }
                if (converged || _iteration == MaxSubspaceIterations)
                {
                    if (ratio < settings.MinGapRatio || Math.Abs(sigma1) < settings.MinTraceFraction * _trace)
                    {
                        Phase = LanePhase.Done;
                        return;
                    }
                    var top = new float[_n];
                    for (int j = 0; j < _n; j++)
                        top[j] = (float)(c1 * _x1[j] + c2 * _x2[j]);
                    Vector = top;
                    _weights = Array.Empty<float>();
                    Phase = WeightInitializer.NormalizeInPlace(top) ? LanePhase.Refine : LanePhase.Done;
                    return;
                }
                _iteration++;
                _x1 = mx1;
                _x2 = mx2;
                if (!Orthonormalize(_x1, _x2))
                    Phase = LanePhase.Done;
            }

            /// <summary>
            /// One fourth-cumulant power step z ← normalize(E[⟨y,z⟩³ y] − 3·E[⟨y,z⟩²]·Σz) (the Gaussian part only when
            /// <see cref="RefinementRows.Cumulant"/>): near an atom the dominant term is E[x_i⁴]q_i⟨A_i,z⟩³A_i.
            /// </summary>
            private void FinishRefinement(float[] r, int c, in RefinementRows rows)
            {
                int p = rows.Count;
                float[] scratch = Column(r, c);
                float[] covarianceTimesZ = Column(r, c + 1);
                if (rows.Mean != null)
                {
                    // Σ (y − ȳ) s_t = Σ y s_t − ȳ Σ s_t: the rows are centered without a centered copy.
                    TensorPrimitives.MultiplyAdd(rows.Mean, (float)-_sum0, scratch, scratch);
                    TensorPrimitives.MultiplyAdd(rows.Mean, (float)-_sum1, covarianceTimesZ, covarianceTimesZ);
                }
                Kurtosis = _variance > 0 ? _fourth * p / (_variance * _variance) - 3 : 0;
                if (rows.Cumulant)
                    TensorPrimitives.MultiplyAdd(covarianceTimesZ, (float)(-3 * _variance / p), scratch, scratch);
                Phase = LanePhase.Done;
                if (!WeightInitializer.NormalizeInPlace(scratch))
                    return;
                bool converged = Math.Abs(TensorPrimitives.Dot(scratch, Vector)) >= 1 - RefinementTolerance;
                Vector = scratch;
                if (converged)
                {
                    Settled = true;
                    return;
                }
                foreach (float[] atom in _known)
                {
                    if (Math.Abs(TensorPrimitives.Dot(atom, scratch)) >= _minCosine)
                    {
                        Settled = Duplicate = true;
                        return;
                    }
                }
                // Not settled after the allowed steps: the start was not in an atom's basin.
                if (++_step < MaxRefinementSteps)
                    Phase = LanePhase.Refine;
            }
        }

        /// <summary>
        /// Runs <paramref name="jobs"/> to completion on <paramref name="rows"/>: in parallel over contiguous groups of jobs,
        /// each group as 8 lanes of a 16-column block that take the next job of the group when one finishes. A job's
        /// arithmetic is the same in any lane and any group, so the results do not depend on the thread count.
        /// </summary>
        private static void RunJobs(LaneJob[] jobs, RefinementRows rows, SpectralSettings settings, float[] norms, ParallelOptions parallel, int threads)
        {
            int groups = Math.Max(1, Math.Min(threads, (jobs.Length + LanesPerBlock - 1) / LanesPerBlock));
            Parallel.For(0, groups, parallel, g =>
            {
                int start = (int)((long)jobs.Length * g / groups), end = (int)((long)jobs.Length * (g + 1) / groups);
                RunLanes(jobs.AsSpan(start, end - start).ToArray(), rows, settings, norms);
            });
        }

        private const int LanesPerBlock = Blocks.BlockWidth / 2;

        private const int RowChunk = 2048;

        private static void RunLanes(LaneJob[] jobs, in RefinementRows rows, SpectralSettings settings, float[] norms)
        {
            const int width = Blocks.BlockWidth;
            int n = rows.Dimension;
            int chunk = Math.Min(RowChunk, rows.Count);
            var lanes = new LaneJob?[LanesPerBlock];
            var x = new float[n * width];
            var z = new float[chunk * width];
            var s = new float[chunk * width];
            var r = new float[n * width];
            int next = 0;
            while (true)
            {
                bool any = false;
                Array.Clear(x);
                for (int l = 0; l < lanes.Length; l++)
                {
                    if (lanes[l] is null || lanes[l]!.Phase == LanePhase.Done)
                        lanes[l] = next < jobs.Length ? jobs[next++] : null;
                    if (lanes[l] is LaneJob job)
                    {
                        job.SetColumns(x, 2 * l, rows);
                        any = true;
                    }
                }
                if (!any)
                    return;
                Array.Clear(r);
                for (int first = 0; first < rows.Count; first += chunk)
                {
                    int count = Math.Min(chunk, rows.Count - first);
                    ReadOnlySpan<float> y = rows.Values.AsSpan(first * n, count * n);
                    Blocks.Project(y, count, n, x, z);
                    Array.Clear(s);
                    for (int l = 0; l < lanes.Length; l++)
                        lanes[l]?.Consume(z, s, 2 * l, first, count, rows, norms);
                    Blocks.Accumulate(y, count, n, s, r);
                }
                for (int l = 0; l < lanes.Length; l++)
                    lanes[l]?.Finish(r, 2 * l, rows, settings);
            }
        }
    }
}
