using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;

namespace Microsoft.ML.SharedAutoencoder.Model
{
    /// <summary>
    /// Orthogonal matching pursuit on a fixed dictionary (the m unit-norm columns of W): each step adds the atom most
    /// correlated with the residual and re-solves the least-squares code on the chosen atoms, so the residual stays
    /// orthogonal to all of them. The Gram-matrix form of scikit-learn's orthogonal_mp_gram: Γ = WᵀW is computed once,
    /// and a row needs only its projections p = Wᵀy; the correlations with the residual are p − Γ_S x_S and the
    /// least-squares system Γ_SS x = p_S is solved through a Cholesky factor that grows by one row per step.
    /// </summary>
    /// <remarks>
    /// <para>Per row and k steps: O(k·m) for the correlations plus O(k³) for the factor, after the 2mn of p (which a batch
    /// gets from <see cref="ProjectionKernel"/>). Γ takes m² floats (16 MB at m = 2,048) and m²n multiply-adds once.</para>
    /// <para>The factor and the code are in double; Γ and the correlations in float (they only choose atoms). A row stops
    /// early when no atom correlates with the residual by more than <see cref="RelativeTolerance"/> of its largest
    /// projection (the rest is float rounding, picking it would add noise atoms), or when the next atom is linearly
    /// dependent on the chosen ones. Ties go to the lower index. Thread-safe: all per-row state is in a
    /// <see cref="Workspace"/>.</para>
    /// </remarks>
    internal sealed class OrthogonalMatchingPursuit
    {
        /// <summary>A row stops when max_i |W_iᵀr| ≤ this × max_i |W_iᵀy|.</summary>
        public const float RelativeTolerance = 1e-5f;

        /// <summary>An atom whose squared distance to the span of the chosen ones is below this fraction of its squared norm is not added.</summary>
        private const double DependenceTolerance = 1e-6;

        private readonly float[] _weights;
        private readonly float[] _gram;
        private readonly ProjectionKernel _kernel;

        /// <summary>
        /// Prepares OMP on the columns of <paramref name="weights"/> (unit-major, m·n; copied). <paramref name="kernel"/>,
        /// when given, must have been built from the same weights; Γ is computed on up to <paramref name="maxThreads"/>
        /// threads, with the same result on any number.
        /// </summary>
        public OrthogonalMatchingPursuit(ReadOnlySpan<float> weights, int inputSize, int atoms, ProjectionKernel? kernel = null, int maxThreads = 1)
        {
            kernel ??= new ProjectionKernel(weights, inputSize, atoms);
            if (kernel.InputSize != inputSize || kernel.HiddenUnits != atoms)
                throw new ArgumentException("The projection kernel was built for a different dictionary.", nameof(kernel));
            InputSize = inputSize;
            Atoms = atoms;
            _kernel = kernel;
            _weights = weights.ToArray();
            _gram = new float[(long)atoms * atoms];
            // Γ's rows are the projections of the atoms themselves; each entry is one fixed FMA chain, so Γ is exactly
            // symmetric and independent of the chunking.
            int chunks = (atoms + ProjectionKernel.BlockRows - 1) / ProjectionKernel.BlockRows;
            float[] source = _weights;
            float[] gram = _gram;
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxThreads) }, chunk =>
            {
                int start = chunk * ProjectionKernel.BlockRows;
                int count = Math.Min(ProjectionKernel.BlockRows, atoms - start);
                kernel.Compute(source.AsSpan(start * inputSize, count * inputSize), count, gram.AsSpan(start * atoms, count * atoms));
            });
        }

        /// <summary>n.</summary>
        public int InputSize { get; }

        /// <summary>m, the number of atoms.</summary>
        public int Atoms { get; }

        /// <summary>Per-thread state for rows of up to <paramref name="maxAtoms"/> steps.</summary>
        public Workspace CreateWorkspace(int maxAtoms) => new(Atoms, InputSize, maxAtoms);

        /// <summary>
        /// Runs up to <paramref name="maxAtoms"/> steps on a row given its projections p = Wᵀy; returns how many atoms
        /// were chosen, s. Their indices are <see cref="Workspace.Support"/>[0..s) in the order chosen and their
        /// least-squares coefficients <see cref="Workspace.Coefficients"/>[0..s).
        /// </summary>
        public int Solve(ReadOnlySpan<float> projections, int maxAtoms, Workspace workspace)
        {
            int m = Atoms;
            if (projections.Length != m || maxAtoms < 0 || maxAtoms > workspace.MaxAtoms || workspace.Correlations.Length != m)
                throw new ArgumentException($"Expected {m} projections, a workspace for this dictionary and 0 ≤ k ≤ {workspace.MaxAtoms}.");
            int k = Math.Min(maxAtoms, Math.Min(m, InputSize));
            Span<float> correlations = workspace.Correlations;
            int[] support = workspace.Support;
            double[] factor = workspace.Factor;
            double[] forward = workspace.Forward;
            double[] code = workspace.Coefficients;
            int stride = support.Length; // ≥ k: the workspace is sized for min(MaxAtoms, m, n) steps
            float tolerance = RelativeTolerance * TensorPrimitives.MaxMagnitude(projections);
            int size = 0;
            int atom = UpdateCorrelations(projections, ReadOnlySpan<int>.Empty, ReadOnlySpan<double>.Empty, correlations);
            while (size < k)
            {
                if (!(MathF.Abs(correlations[atom]) > tolerance))
                    break;
                ReadOnlySpan<float> gramRow = _gram.AsSpan(atom * m, m);
                // New row of L (L Lᵀ = Γ_SS): L_s,: solves L w = Γ_S,atom; its diagonal is the atom's distance to span(S).
                double squaredNorm = 0;
                for (int a = 0; a < size; a++)
                {
                    double sum = gramRow[support[a]];
                    for (int b = 0; b < a; b++)
                        sum -= factor[a * stride + b] * factor[size * stride + b];
                    double value = sum / factor[a * stride + a];
                    factor[size * stride + a] = value;
                    squaredNorm += value * value;
                }
                double diagonal = gramRow[atom] - squaredNorm;
                if (!(diagonal > DependenceTolerance * gramRow[atom]))
                    break;
                factor[size * stride + size] = Math.Sqrt(diagonal);
                support[size] = atom;
                // L v = p_S grows by one entry (earlier entries do not change); then Lᵀ x = v.
                double entry = projections[atom];
                for (int b = 0; b < size; b++)
                    entry -= factor[size * stride + b] * forward[b];
                forward[size] = entry / factor[size * stride + size];
                size++;
                for (int a = size - 1; a >= 0; a--)
                {
                    double sum = forward[a];
                    for (int b = a + 1; b < size; b++)
                        sum -= factor[b * stride + a] * code[b];
                    code[a] = sum / factor[a * stride + a];
                }
                if (size < k)
                    atom = UpdateCorrelations(projections, support.AsSpan(0, size), code.AsSpan(0, size), correlations);
            }
            return size;
        }

        /// <summary>code = the OMP code of a row given its projections: coefficients on the chosen atoms, 0 elsewhere.</summary>
        public void Encode(ReadOnlySpan<float> projections, int maxAtoms, Span<float> code, Workspace workspace)
        {
            int size = Solve(projections, maxAtoms, workspace);
            code.Slice(0, Atoms).Clear();
            for (int a = 0; a < size; a++)
                code[workspace.Support[a]] = (float)workspace.Coefficients[a];
        }

        /// <summary>
        /// The residual r = y − W_S x_S of <paramref name="maxAtoms"/> OMP steps on <paramref name="y"/>, written to
        /// <paramref name="residual"/> (length n); returns ‖r‖². This is what a caller that only needs how well k atoms explain
        /// a row (the spectral initializer's residual search) should use.
        /// </summary>
        public double Residual(ReadOnlySpan<float> y, int maxAtoms, Span<float> residual, Workspace workspace)
        {
            if (y.Length != InputSize || residual.Length != InputSize)
                throw new ArgumentException($"Expected a row and a residual of length {InputSize}.");
            _kernel.Compute(y, 1, workspace.Projections);
            int size = Solve(workspace.Projections, maxAtoms, workspace);
            y.CopyTo(residual);
            for (int a = 0; a < size; a++)
                TensorPrimitives.MultiplyAdd(_weights.AsSpan(workspace.Support[a] * InputSize, InputSize), (float)-workspace.Coefficients[a], residual, residual);
            return TensorPrimitives.Dot(residual, residual);
        }

        /// <summary>
        /// correlations = p − Σ_a x_a Γ_{S_a}; returns the first index of the largest |correlation| outside the support.
        /// </summary>
        /// <remarks>
        /// Row by row (each row's update is a long run of independent, fused multiply-adds over the correlations, which stay
        /// in L1), then one vectorized search. The chosen atoms' own correlations are rounding: they are set to 0.
        /// </remarks>
        private int UpdateCorrelations(ReadOnlySpan<float> projections, ReadOnlySpan<int> support, ReadOnlySpan<double> code, Span<float> correlations)
        {
            int m = Atoms;
            projections.CopyTo(correlations);
            for (int a = 0; a < support.Length; a++)
                TensorPrimitives.FusedMultiplyAdd(_gram.AsSpan(support[a] * m, m), (float)-code[a], correlations, correlations);
            foreach (int atom in support)
                correlations[atom] = 0;
            return IndexOfLargestMagnitude(correlations);
        }

        /// <summary>
        /// The first index of the largest |value|: per vector lane the first index of its largest value, then the lanes
        /// compared (a library search need not say which of equal maxima it returns).
        /// </summary>
        private static int IndexOfLargestMagnitude(ReadOnlySpan<float> values)
        {
            int m = values.Length;
            ref float v = ref MemoryMarshal.GetReference(values);
            int best = 0;
            float largest = -1;
            int i = 0;
            if (Vector256.IsHardwareAccelerated && m >= Vector256<float>.Count)
            {
                var laneLargest = Vector256.Create(-1f);
                var laneBest = Vector256<int>.Zero;
                var index = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
                var step = Vector256.Create(Vector256<float>.Count);
                for (; i + Vector256<float>.Count <= m; i += Vector256<float>.Count)
                    Track(Vector256.LoadUnsafe(ref v, (nuint)i), ref laneLargest, ref laneBest, ref index, step);
                for (int lane = 0; lane < Vector256<float>.Count; lane++)
                {
                    float value = laneLargest.GetElement(lane);
                    int at = laneBest.GetElement(lane);
                    if (value > largest || (value == largest && at < best))
                    {
                        largest = value;
                        best = at;
                    }
                }
            }
            for (; i < m; i++)
            {
                float magnitude = MathF.Abs(Unsafe.Add(ref v, i));
                if (magnitude > largest)
                {
                    largest = magnitude;
                    best = i;
                }
            }
            return best;
        }

        /// <summary>Per lane, the largest |value| so far and its first index (strictly greater replaces); advances the indices.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Track(Vector256<float> values, ref Vector256<float> laneLargest, ref Vector256<int> laneBest, ref Vector256<int> index, Vector256<int> step)
        {
            var magnitude = Vector256.Abs(values);
            var greater = Vector256.GreaterThan(magnitude, laneLargest);
            laneLargest = Vector256.ConditionalSelect(greater, magnitude, laneLargest);
            laneBest = Vector256.ConditionalSelect(greater.AsInt32(), index, laneBest);
            index += step;
        }

        /// <summary>Per-thread buffers for <see cref="Solve"/>.</summary>
        public sealed class Workspace
        {
            internal Workspace(int atoms, int inputSize, int maxAtoms)
            {
                if (maxAtoms < 0)
                    throw new ArgumentOutOfRangeException(nameof(maxAtoms), maxAtoms, "The number of atoms must not be negative.");
                int size = Math.Max(1, Math.Min(maxAtoms, Math.Min(atoms, inputSize)));
                MaxAtoms = maxAtoms;
                Correlations = new float[atoms];
                Projections = new float[atoms];
                Support = new int[size];
                Coefficients = new double[size];
                Forward = new double[size];
                Factor = new double[size * size];
            }

            /// <summary>The most steps a row may take with this workspace.</summary>
            public int MaxAtoms { get; }

            /// <summary>The chosen atoms of the last row, in the order chosen.</summary>
            public int[] Support { get; }

            /// <summary>Their least-squares coefficients.</summary>
            public double[] Coefficients { get; }

            internal float[] Correlations { get; }

            internal float[] Projections { get; }

            internal double[] Forward { get; }

            internal double[] Factor { get; }
        }
    }
}
