using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Microsoft.ML.SharedAutoencoder.Model;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// The one fused pass of the method: for each row y it computes z = Wᵀy + b, the code x = σ(z) (ReLU, hard threshold or
    /// top-k, all of them x_i = z_i on their support and 0 off it), the loss ½‖r‖² of
    /// the residual r = y − Wx, and the parts of unit i's gradient sum S_i = Σ 1{x_i≠0}(z_i·r + y·(W_iᵀr)) that need the
    /// rows. Training, the benchmarks and the tests all call this; nothing else computes the gradient.
    /// </summary>
    /// <remarks>
    /// <para>With the Gram matrix Γ = WᵀW (computed once per pass by the caller) the gradient needs one sweep over n
    /// per fired unit and row instead of three: p_i = W_iᵀr = (z_i − b_i) − Σ_{j fired} Γ_ij x_j costs O(a) for a fired
    /// units, and since x_i r = x_i y − Σ_j x_i x_j W_j, S_i = Σ_t (x_it + p_it) y_t − Σ_j C_ij W_j with the co-activation
    /// matrix C = Σ_t x_t x_tᵀ. This kernel adds Σ_t (x_it + p_it) y_t to the gradient sums and x_t x_tᵀ (fired pairs
    /// only, in double) to C; the caller subtracts W·C once per pass, after reducing both, which costs m²n instead of
    /// 2·a·n per row. Per row the work is (m + 2a + 1)·n multiply-adds instead of (m + 4a + 1)·n.</para>
    /// <para>The residual is still formed explicitly (a·n + n) but only for the loss: expanding ½‖r‖² through Γ would
    /// subtract nearly equal float32 numbers and lose a near-perfect fit's small loss.</para>
    /// <para>Layout: W is unit-major (unit i's weights at [i·n, (i+1)·n)), so every per-unit operation runs over n
    /// contiguous floats, and W (m·n floats) stays in L1/L2 while rows stream past once.</para>
    /// <para>Rows are taken eight at a time. z, the dense part (2mn flops per row), is computed four rows × three units
    /// per register-blocked sweep, with ‖y‖² fused into the last sweep. The gradient sums are updated once per block and
    /// unit, with the contributions of all the block's rows in which the unit fired (up to four per pass over the
    /// accumulator line), so each line is loaded and stored about once per eight rows. The loss comes from the Gram
    /// expansion, or from the explicit residual when the fit is too close for it. The arithmetic order depends only on
    /// the rows' positions within the call, never on threads.</para>
    /// </remarks>
    internal static class GradientKernel
    {
        /// <summary>
        /// Rows processed together: each gradient accumulator line is loaded and stored once per up to four of the block's
        /// rows in which its unit fired. Eight rows of n = 784 (25 KB) still sit in L1 while the gradient is added.
        /// </summary>
        public const int BlockRows = 8;

        /// <summary>Rows of one register-blocked sweep for z.</summary>
        private const int SweepRows = 4;

        /// <summary>
        /// A row's loss comes from the Gram expansion ‖r‖² = ‖y‖² − Σ_i x_i(W_iᵀy + W_iᵀr) when that leaves at least this
        /// fraction of ‖y‖², so the cancellation costs at most a factor 16 of float32 rounding (relative error ≈ 10⁻⁶);
        /// a closer fit has its residual formed explicitly.
        /// </summary>
        private const float GramLossMinFraction = 1f / 16;

        /// <summary>Floats of scratch space <see cref="Accumulate"/> needs: z, the coefficients and ‖y‖² of a block of rows.</summary>
        public static int ScratchLength(int inputSize, int hiddenUnits) => 2 * BlockRows * hiddenUnits + BlockRows + EncoderActivation.ScratchLength(hiddenUnits);

        /// <summary>
        /// Adds the contribution of <paramref name="rowCount"/> consecutive rows to <paramref name="gradientSum"/>
        /// (unit-major, m·n: Σ_t (x_it + W_iᵀr_t)·y_t over the rows in which unit i fired), to
        /// the lower triangle of <paramref name="coactivation"/> (m×m, row-major: C_ij += x_i x_j, j ≤ i, over the rows in
        /// which both fired; the caller mirrors it),
        /// <paramref name="activeCounts"/> (rows in which unit i fired), adds Σ ‖y‖² to <paramref name="squaredNormSum"/> and
        /// returns Σ ½‖r‖² over the rows. The
        /// gradient sum S_i = Σ 1{x_i≠0}(z_i r + y W_iᵀr) is then <paramref name="gradientSum"/>_i − Σ_j C_ij W_j, and the
        /// gradient −S/N. <paramref name="gram"/> is Γ = WᵀW (m×m, row-major) of <paramref name="weights"/>.
        /// With <paramref name="withGradient"/> false only the loss, ‖y‖² and the active counts are computed (the caller
        /// needs no step): <paramref name="gradientSum"/> and <paramref name="coactivation"/> are not touched and may be
        /// empty. The loss is computed by the same operations in the same order, so it is bit-identical either way.
        /// </summary>
        public static double Accumulate(
            ReadOnlySpan<float> rows, int rowCount, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> gram,
            in EncoderActivation activation, Span<float> gradientSum, Span<double> coactivation, Span<long> activeCounts, Span<float> scratch,
            ref double squaredNormSum, bool withGradient = true)
        {
            // Longer than the usual ~60 lines on purpose: this is the hand-tuned hot loop of training (one block of rows:
            // z by register-blocked sweeps, codes, loss, co-activations, gradient); splitting it would pass the block's
            // spans and counters through calls the JIT does not always inline, and the benchmarks measure every change.
            int m = bias.Length;
            int n = weights.Length / m;
            if (rows.Length < rowCount * n || gram.Length < m * m || (withGradient && (gradientSum.Length < m * n || coactivation.Length < m * m))
                || activeCounts.Length < m || scratch.Length < ScratchLength(n, m))
                throw new ArgumentException("A buffer is shorter than the problem needs.");

            // z[t·m + i]; for the gradient c[i·B + t] = x_i + W_iᵀr_t where unit i fired in row t, else 0; ‖y_t‖².
            Span<float> z = scratch.Slice(0, BlockRows * m);
            Span<float> coefficients = scratch.Slice(BlockRows * m, BlockRows * m);
            Span<float> squaredNorms = scratch.Slice(2 * BlockRows * m, BlockRows);
            Span<float> selection = scratch.Slice(2 * BlockRows * m + BlockRows, EncoderActivation.ScratchLength(m));
            Span<int> active = stackalloc int[m];
            Span<float> projections = stackalloc float[m];

            double loss = 0;
            for (int start = 0; start < rowCount; start += BlockRows)
            {
                int count = Math.Min(BlockRows, rowCount - start);
                ReadOnlySpan<float> block = rows.Slice(start * n, count * n);
                ComputePreactivations(block, count, n, weights, bias, z, squaredNorms);
                if (withGradient)
                    coefficients.Clear();
                for (int t = 0; t < count; t++)
                {
                    ReadOnlySpan<float> zt = z.Slice(t * m, m);
                    // The support of x: x_i = z_i on it, so the gradient below is that of ½‖y − Wx‖² with the support fixed
                    // (σ' = 1 on it, 0 off it), for top-k as for the element-wise activations.
                    int fired = activation.SelectActive(zt, active, selection);
                    for (int a = 0; a < fired; a++)
                        activeCounts[active[a]]++;
                    ReadOnlySpan<int> firedUnits = active.Slice(0, fired);
                    ref float zRef = ref MemoryMarshal.GetReference(zt);
                    ref float gramRef = ref MemoryMarshal.GetReference(gram);
                    ref double coactivationRef = ref MemoryMarshal.GetReference(coactivation);
                    // p_i = W_iᵀr = (z_i − b_i) − Σ_j Γ_ij x_j over fired units. The loop runs over j outside and i inside, so the
                    // a updates of one j are independent (one FMA chain per i would wait on the FMA latency a² times per row);
                    // each p_i still sums its terms in increasing j. Γ is symmetric, so Γ_ij is read from row j.
                    for (int a = 0; a < fired; a++)
                    {
                        int i = active[a];
                        projections[a] = zt[i] - bias[i];
                    }
                    for (int q = 0; q < fired; q++)
                    {
                        int j = active[q];
                        float xj = Unsafe.Add(ref zRef, j);
                        ref float gramRow = ref Unsafe.Add(ref gramRef, j * m);
                        ref double coactivationRow = ref Unsafe.Add(ref coactivationRef, j * m);
                        for (int a = 0; a < fired; a++)
                            projections[a] = MathF.FusedMultiplyAdd(-Unsafe.Add(ref gramRow, active[a]), xj, projections[a]);
                        // C is symmetric: only its lower triangle (row j, columns i ≤ j of the fired units, which are in
                        // increasing order) is accumulated. It is what the loss does not need (a²/2 double updates per row).
                        if (!withGradient)
                            continue;
                        for (int a = 0; a <= q; a++)
                            Unsafe.Add(ref coactivationRow, active[a]) += (double)xj * Unsafe.Add(ref zRef, active[a]);
                    }
                    double explained = 0;
                    for (int a = 0; a < fired; a++)
                    {
                        int i = active[a];
                        float xi = zt[i];
                        float projection = projections[a];
                        if (withGradient)
                            coefficients[i * BlockRows + t] = xi + projection;
                        explained += (double)xi * ((double)(xi - bias[i]) + projection);
                    }
                    squaredNormSum += squaredNorms[t];
                    double squaredResidual = squaredNorms[t] - explained;
                    if (!(squaredResidual >= GramLossMinFraction * squaredNorms[t]))
                        squaredResidual = ResidualSquaredNorm(block.Slice(t * n, n), weights, n, firedUnits, zt);
                    loss += 0.5 * squaredResidual;
                }

                for (int i = 0; i < m && withGradient; i++)
                    AddGradient(gradientSum.Slice(i * n, n), block, count, n, coefficients.Slice(i * BlockRows, BlockRows));
            }
            return loss;
        }

        /// <summary>
        /// z[t·m + i] = W_iᵀy_t + b_i and <paramref name="squaredNorms"/>[t] = ‖y_t‖² for the <paramref name="count"/> rows
        /// of the block.
        /// </summary>
        /// <remarks>
        /// Four rows at a time are swept once per three units, four rows × three units in twelve vector accumulators (fifteen of the
        /// sixteen AVX2 registers with the three weight vectors), so each loaded row vector feeds three FMAs and each weight
        /// vector four. The last sweep takes the remaining zero to two units together with the rows' squared norms.
        /// </remarks>
        private static void ComputePreactivations(
            ReadOnlySpan<float> block, int count, int n, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> z, Span<float> squaredNorms)
        {
            int m = bias.Length;
            int t = 0;
            for (; t + SweepRows <= count; t += SweepRows)
                ComputeSweepRows(block.Slice(t * n, SweepRows * n), n, weights, bias, z.Slice(t * m, SweepRows * m), squaredNorms.Slice(t, SweepRows));
            for (; t < count; t++)
            {
                ReadOnlySpan<float> y = block.Slice(t * n, n);
                for (int i = 0; i < m; i++)
                    z[t * m + i] = TensorPrimitives.Dot(weights.Slice(i * n, n), y) + bias[i];
                squaredNorms[t] = TensorPrimitives.Dot(y, y);
            }
        }

        /// <summary>z and ‖y‖² for four rows.</summary>
        private static void ComputeSweepRows(
            ReadOnlySpan<float> block, int n, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> z, Span<float> squaredNorms)
        {
            int m = bias.Length;
            ref float rows = ref MemoryMarshal.GetReference(block);
            ref float w = ref MemoryMarshal.GetReference(weights);
            int unit = 0;
            for (; unit + 3 <= m; unit += 3)
                Sweep<ThreeUnits>(ref rows, ref Unsafe.Add(ref w, unit * n), n, unit, bias, z, squaredNorms);
            switch (m - unit)
            {
                case 2:
                    Sweep<TwoUnitsAndNorms>(ref rows, ref Unsafe.Add(ref w, unit * n), n, unit, bias, z, squaredNorms);
                    break;
                case 1:
                    Sweep<OneUnitAndNorms>(ref rows, ref Unsafe.Add(ref w, unit * n), n, unit, bias, z, squaredNorms);
                    break;
                default:
                    Sweep<NormsOnly>(ref rows, ref w, n, unit, bias, z, squaredNorms);
                    break;
            }
        }

        /// <summary>What one sweep over a block computes; the JIT specializes <see cref="Sweep"/> per shape and drops the unused parts.</summary>
        private interface ISweepShape
        {
            static abstract int Units { get; }

            static abstract bool Norms { get; }
        }

        private struct ThreeUnits : ISweepShape
        {
            public static int Units => 3;

            public static bool Norms => false;
        }

        private struct TwoUnitsAndNorms : ISweepShape
        {
            public static int Units => 2;

            public static bool Norms => true;
        }

        private struct OneUnitAndNorms : ISweepShape
        {
            public static int Units => 1;

            public static bool Norms => true;
        }

        private struct NormsOnly : ISweepShape
        {
            public static int Units => 0;

            public static bool Norms => true;
        }

        /// <summary>
        /// One register-blocked sweep over the four rows at <paramref name="y0"/> (row stride n): the dot products with
        /// <typeparamref name="TShape"/>.Units consecutive weight columns starting at <paramref name="wa"/> (unit
        /// <paramref name="firstUnit"/>), and with the rows themselves when the shape asks for norms.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Sweep<TShape>(ref float y0, ref float wa, int n, int firstUnit, ReadOnlySpan<float> bias, Span<float> z, Span<float> squaredNorms)
            where TShape : struct, ISweepShape
        {
            // Written out in full on purpose (four rows × up to three units of accumulators kept in registers): this is
            // the 2mn-flop part of every row; loops over rows or units here would spill the accumulators to memory.
            int m = bias.Length;
            ref float y1 = ref Unsafe.Add(ref y0, n);
            ref float y2 = ref Unsafe.Add(ref y0, 2 * n);
            ref float y3 = ref Unsafe.Add(ref y0, 3 * n);
            ref float wb = ref Unsafe.Add(ref wa, TShape.Units >= 2 ? n : 0);
            ref float wc = ref Unsafe.Add(ref wa, TShape.Units >= 3 ? 2 * n : 0);
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            int vectorEnd = n - n % Vector256<float>.Count;
            // Weight vectors first, then one row vector at a time: 12 accumulators + 3 weights + 1 row = all 16 registers,
            // so nothing spills (loading the four row vectors first needs 17 and puts a store-reload in the dependency chain).
            // The four rows are written out: a helper taking the accumulators by ref makes the JIT store them every iteration.
            for (int j = 0; j < vectorEnd; j += Vector256<float>.Count)
            {
                Vector256<float> va = default, vb = default, vc = default;
                if (TShape.Units >= 1)
                    va = Vector256.LoadUnsafe(ref wa, (nuint)j);
                if (TShape.Units >= 2)
                    vb = Vector256.LoadUnsafe(ref wb, (nuint)j);
                if (TShape.Units >= 3)
                    vc = Vector256.LoadUnsafe(ref wc, (nuint)j);
                var v0 = Vector256.LoadUnsafe(ref y0, (nuint)j);
                if (TShape.Units >= 1)
                    a0 = Vector256.FusedMultiplyAdd(va, v0, a0);
                if (TShape.Units >= 2)
                    b0 = Vector256.FusedMultiplyAdd(vb, v0, b0);
                if (TShape.Units >= 3)
                    c0 = Vector256.FusedMultiplyAdd(vc, v0, c0);
                else if (TShape.Norms)
                    c0 = Vector256.FusedMultiplyAdd(v0, v0, c0); // the third accumulator set is free in these shapes
                var v1 = Vector256.LoadUnsafe(ref y1, (nuint)j);
                if (TShape.Units >= 1)
                    a1 = Vector256.FusedMultiplyAdd(va, v1, a1);
                if (TShape.Units >= 2)
                    b1 = Vector256.FusedMultiplyAdd(vb, v1, b1);
                if (TShape.Units >= 3)
                    c1 = Vector256.FusedMultiplyAdd(vc, v1, c1);
                else if (TShape.Norms)
                    c1 = Vector256.FusedMultiplyAdd(v1, v1, c1); // the third accumulator set is free in these shapes
                var v2 = Vector256.LoadUnsafe(ref y2, (nuint)j);
                if (TShape.Units >= 1)
                    a2 = Vector256.FusedMultiplyAdd(va, v2, a2);
                if (TShape.Units >= 2)
                    b2 = Vector256.FusedMultiplyAdd(vb, v2, b2);
                if (TShape.Units >= 3)
                    c2 = Vector256.FusedMultiplyAdd(vc, v2, c2);
                else if (TShape.Norms)
                    c2 = Vector256.FusedMultiplyAdd(v2, v2, c2); // the third accumulator set is free in these shapes
                var v3 = Vector256.LoadUnsafe(ref y3, (nuint)j);
                if (TShape.Units >= 1)
                    a3 = Vector256.FusedMultiplyAdd(va, v3, a3);
                if (TShape.Units >= 2)
                    b3 = Vector256.FusedMultiplyAdd(vb, v3, b3);
                if (TShape.Units >= 3)
                    c3 = Vector256.FusedMultiplyAdd(vc, v3, c3);
                else if (TShape.Norms)
                    c3 = Vector256.FusedMultiplyAdd(v3, v3, c3); // the third accumulator set is free in these shapes
            }
            // Reduce every accumulator before any call: vectors live across a call would be spilled inside the loop.
            float sa0 = Vector256.Sum(a0), sa1 = Vector256.Sum(a1), sa2 = Vector256.Sum(a2), sa3 = Vector256.Sum(a3);
            float sb0 = Vector256.Sum(b0), sb1 = Vector256.Sum(b1), sb2 = Vector256.Sum(b2), sb3 = Vector256.Sum(b3);
            float sc0 = Vector256.Sum(c0), sc1 = Vector256.Sum(c1), sc2 = Vector256.Sum(c2), sc3 = Vector256.Sum(c3);
            if (TShape.Units >= 1)
                StoreUnit(z, m, firstUnit, bias[firstUnit], sa0, sa1, sa2, sa3, ref wa, ref y0, n, vectorEnd);
            if (TShape.Units >= 2)
                StoreUnit(z, m, firstUnit + 1, bias[firstUnit + 1], sb0, sb1, sb2, sb3, ref wb, ref y0, n, vectorEnd);
            if (TShape.Units >= 3)
                StoreUnit(z, m, firstUnit + 2, bias[firstUnit + 2], sc0, sc1, sc2, sc3, ref wc, ref y0, n, vectorEnd);
            else if (TShape.Norms)
            {
                squaredNorms[0] = sc0 + TailDot(ref y0, ref y0, vectorEnd, n);
                squaredNorms[1] = sc1 + TailDot(ref y1, ref y1, vectorEnd, n);
                squaredNorms[2] = sc2 + TailDot(ref y2, ref y2, vectorEnd, n);
                squaredNorms[3] = sc3 + TailDot(ref y3, ref y3, vectorEnd, n);
            }
        }

        /// <summary>z[t·m + unit] = s_t + (the dot product's tail past the last full vector) + b for the sweep's four rows.</summary>
        private static void StoreUnit(Span<float> z, int m, int unit, float bias, float s0, float s1, float s2, float s3, ref float w, ref float y0, int n, int vectorEnd)
        {
            z[unit] = s0 + TailDot(ref w, ref y0, vectorEnd, n) + bias;
            z[m + unit] = s1 + TailDot(ref w, ref Unsafe.Add(ref y0, n), vectorEnd, n) + bias;
            z[2 * m + unit] = s2 + TailDot(ref w, ref Unsafe.Add(ref y0, 2 * n), vectorEnd, n) + bias;
            z[3 * m + unit] = s3 + TailDot(ref w, ref Unsafe.Add(ref y0, 3 * n), vectorEnd, n) + bias;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float TailDot(ref float u, ref float v, int from, int to)
        {
            float sum = 0;
            for (int j = from; j < to; j++)
                sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref u, j), Unsafe.Add(ref v, j), sum);
            return sum;
        }

        /// <summary>‖r‖² of r = y − Σ_{i fired} z_i W_i, formed explicitly so that a small loss stays accurate; r is not kept.</summary>
        private static double ResidualSquaredNorm(ReadOnlySpan<float> y, ReadOnlySpan<float> weights, int n, ReadOnlySpan<int> fired, ReadOnlySpan<float> z)
        {
            if (fired.Length == 0)
                return TensorPrimitives.Dot(y, y);
            ref float yRef = ref MemoryMarshal.GetReference(y);
            ref float wRef = ref MemoryMarshal.GetReference(weights);
            int vectorEnd = n - n % Vector256<float>.Count;
            Vector256<float> squares = default;
            for (int j = 0; j < vectorEnd; j += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref yRef, (nuint)j);
                foreach (int i in fired)
                    v = Vector256.FusedMultiplyAdd(Vector256.Create(-z[i]), Vector256.LoadUnsafe(ref wRef, (nuint)(i * n + j)), v);
                squares = Vector256.FusedMultiplyAdd(v, v, squares);
            }
            float sum = Vector256.Sum(squares);
            for (int j = vectorEnd; j < n; j++)
            {
                float v = Unsafe.Add(ref yRef, j);
                foreach (int i in fired)
                    v = MathF.FusedMultiplyAdd(-z[i], Unsafe.Add(ref wRef, i * n + j), v);
                sum = MathF.FusedMultiplyAdd(v, v, sum);
            }
            return sum;
        }

        /// <summary>
        /// g += Σ_t c_t y_t over the block's rows with c_t ≠ 0 (the rows in which the unit fired), up to four rows per load
        /// and store of each accumulator line, and one FMA per fired row only.
        /// </summary>
        private static void AddGradient(Span<float> g, ReadOnlySpan<float> block, int count, int n, ReadOnlySpan<float> c)
        {
            ref float y = ref MemoryMarshal.GetReference(block);
            ref float gRef = ref MemoryMarshal.GetReference(g);
            int t = 0;
            while (true)
            {
                ref float ya = ref y, yb = ref y, yc = ref y, yd = ref y;
                float ca = 0, cb = 0, cc = 0, cd = 0;
                int fired = 0;
                for (; t < count && fired < SweepRows; t++)
                {
                    if (c[t] == 0)
                        continue;
                    switch (fired++)
                    {
                        case 0: ya = ref Unsafe.Add(ref y, t * n); ca = c[t]; break;
                        case 1: yb = ref Unsafe.Add(ref y, t * n); cb = c[t]; break;
                        case 2: yc = ref Unsafe.Add(ref y, t * n); cc = c[t]; break;
                        default: yd = ref Unsafe.Add(ref y, t * n); cd = c[t]; break;
                    }
                }
                switch (fired)
                {
                    case 0:
                        return;
                    case 1:
                        AddRows<OneRow>(ref gRef, n, ref ya, ca, ref yb, cb, ref yc, cc, ref yd, cd);
                        break;
                    case 2:
                        AddRows<TwoRows>(ref gRef, n, ref ya, ca, ref yb, cb, ref yc, cc, ref yd, cd);
                        break;
                    case 3:
                        AddRows<ThreeRows>(ref gRef, n, ref ya, ca, ref yb, cb, ref yc, cc, ref yd, cd);
                        break;
                    default:
                        AddRows<FourRows>(ref gRef, n, ref ya, ca, ref yb, cb, ref yc, cc, ref yd, cd);
                        break;
                }
            }
        }

        /// <summary>How many of the four row slots <see cref="AddRows"/> uses; the JIT specializes per count.</summary>
        private interface IRowCount
        {
            static abstract int Rows { get; }
        }

        private struct OneRow : IRowCount
        {
            public static int Rows => 1;
        }

        private struct TwoRows : IRowCount
        {
            public static int Rows => 2;
        }

        private struct ThreeRows : IRowCount
        {
            public static int Rows => 3;
        }

        private struct FourRows : IRowCount
        {
            public static int Rows => 4;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AddRows<TCount>(ref float g, int n, ref float ya, float ca, ref float yb, float cb, ref float yc, float cc, ref float yd, float cd)
            where TCount : struct, IRowCount
        {
            var va = Vector256.Create(ca);
            var vb = Vector256.Create(cb);
            var vc = Vector256.Create(cc);
            var vd = Vector256.Create(cd);
            int vectorEnd = n - n % Vector256<float>.Count;
            for (int j = 0; j < vectorEnd; j += Vector256<float>.Count)
            {
                var acc = Vector256.LoadUnsafe(ref g, (nuint)j);
                acc = Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref ya, (nuint)j), acc);
                if (TCount.Rows >= 2)
                    acc = Vector256.FusedMultiplyAdd(vb, Vector256.LoadUnsafe(ref yb, (nuint)j), acc);
                if (TCount.Rows >= 3)
                    acc = Vector256.FusedMultiplyAdd(vc, Vector256.LoadUnsafe(ref yc, (nuint)j), acc);
                if (TCount.Rows >= 4)
                    acc = Vector256.FusedMultiplyAdd(vd, Vector256.LoadUnsafe(ref yd, (nuint)j), acc);
                acc.StoreUnsafe(ref g, (nuint)j);
            }
            for (int j = vectorEnd; j < n; j++)
            {
                float acc = MathF.FusedMultiplyAdd(ca, Unsafe.Add(ref ya, j), Unsafe.Add(ref g, j));
                if (TCount.Rows >= 2)
                    acc = MathF.FusedMultiplyAdd(cb, Unsafe.Add(ref yb, j), acc);
                if (TCount.Rows >= 3)
                    acc = MathF.FusedMultiplyAdd(cc, Unsafe.Add(ref yc, j), acc);
                if (TCount.Rows >= 4)
                    acc = MathF.FusedMultiplyAdd(cd, Unsafe.Add(ref yd, j), acc);
                Unsafe.Add(ref g, j) = acc;
            }
        }
    }
}
