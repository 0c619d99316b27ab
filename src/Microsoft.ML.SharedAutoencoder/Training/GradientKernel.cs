using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// The one fused pass of the method: for each row y it computes z = Wᵀy + b, the code x = σ(z), the loss ½‖r‖² of
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
    /// <para>Rows are taken four at a time. z, the dense part (2mn flops per row), is computed for two units × four
    /// rows per sweep so each loaded vector feeds several FMAs. The gradient sums are updated once per block and unit,
    /// with the contributions of all the block's rows in which the unit fired, so each accumulator line is loaded and
    /// stored once per four rows. The arithmetic order depends only on the rows' positions within the call, never on
    /// threads.</para>
    /// </remarks>
    internal static class GradientKernel
    {
        /// <summary>Rows processed together.</summary>
        public const int BlockRows = 4;

        /// <summary>Floats of scratch space <see cref="Accumulate"/> needs: z and the coefficients of a block of rows.</summary>
        public static int ScratchLength(int inputSize, int hiddenUnits) => 2 * BlockRows * hiddenUnits;

        /// <summary>
        /// Adds the contribution of <paramref name="rowCount"/> consecutive rows to <paramref name="gradientSum"/>
        /// (unit-major, m·n: Σ_t (x_it + W_iᵀr_t)·y_t over the rows in which unit i fired), to
        /// <paramref name="coactivation"/> (m×m, row-major: C_ij += x_i x_j over the rows in which both fired),
        /// <paramref name="activeCounts"/> (rows in which unit i fired) and returns Σ ½‖r‖² over the rows. The
        /// gradient sum S_i = Σ 1{x_i≠0}(z_i r + y W_iᵀr) is then <paramref name="gradientSum"/>_i − Σ_j C_ij W_j, and the
        /// gradient −S/N. <paramref name="gram"/> is Γ = WᵀW (m×m, row-major) of <paramref name="weights"/>.
        /// </summary>
        public static double Accumulate(
            ReadOnlySpan<float> rows, int rowCount, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> gram,
            in EncoderActivation activation, Span<float> gradientSum, Span<double> coactivation, Span<long> activeCounts, Span<float> scratch)
        {
            int m = bias.Length;
            int n = weights.Length / m;
            if (rows.Length < rowCount * n || gram.Length < m * m || gradientSum.Length < m * n || coactivation.Length < m * m
                || activeCounts.Length < m || scratch.Length < ScratchLength(n, m))
                throw new ArgumentException("A buffer is shorter than the problem needs.");

            // z[t·m + i], and for the gradient c[i·B + t] = x_i + W_iᵀr_t where unit i fired in row t, else 0.
            Span<float> z = scratch.Slice(0, BlockRows * m);
            Span<float> coefficients = scratch.Slice(BlockRows * m, BlockRows * m);
            Span<int> active = stackalloc int[m];

            double loss = 0;
            for (int start = 0; start < rowCount; start += BlockRows)
            {
                int count = Math.Min(BlockRows, rowCount - start);
                ReadOnlySpan<float> block = rows.Slice(start * n, count * n);
                ComputePreactivations(block, count, n, weights, bias, z);
                coefficients.Clear();
                for (int t = 0; t < count; t++)
                {
                    ReadOnlySpan<float> zt = z.Slice(t * m, m);
                    int fired = 0;
                    for (int i = 0; i < m; i++)
                    {
                        if (activation.IsActive(zt[i]))
                        {
                            active[fired++] = i;
                            activeCounts[i]++;
                        }
                    }
                    ReadOnlySpan<int> firedUnits = active.Slice(0, fired);
                    loss += 0.5 * ResidualSquaredNorm(block.Slice(t * n, n), weights, n, firedUnits, zt);
                    foreach (int i in firedUnits)
                    {
                        float xi = zt[i];
                        ReadOnlySpan<float> gramRow = gram.Slice(i * m, m);
                        Span<double> coactivationRow = coactivation.Slice(i * m, m);
                        float projection = xi - bias[i];
                        foreach (int j in firedUnits)
                        {
                            projection = MathF.FusedMultiplyAdd(-gramRow[j], zt[j], projection);
                            coactivationRow[j] += (double)xi * zt[j];
                        }
                        coefficients[i * BlockRows + t] = xi + projection;
                    }
                }

                for (int i = 0; i < m; i++)
                {
                    ReadOnlySpan<float> ci = coefficients.Slice(i * BlockRows, BlockRows);
                    if (ci[0] == 0 && ci[1] == 0 && ci[2] == 0 && ci[3] == 0)
                        continue;
                    AddGradient(gradientSum.Slice(i * n, n), block, count, n, ci);
                }
            }
            return loss;
        }

        /// <summary>z[t·m + i] = W_iᵀy_t + b_i for the <paramref name="count"/> (≤ 4) rows of the block.</summary>
        private static void ComputePreactivations(ReadOnlySpan<float> block, int count, int n, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> z)
        {
            int m = bias.Length;
            if (count < BlockRows)
            {
                for (int t = 0; t < count; t++)
                {
                    ReadOnlySpan<float> y = block.Slice(t * n, n);
                    for (int i = 0; i < m; i++)
                        z[t * m + i] = TensorPrimitives.Dot(weights.Slice(i * n, n), y) + bias[i];
                }
                return;
            }

            ref float y0 = ref MemoryMarshal.GetReference(block);
            ref float y1 = ref Unsafe.Add(ref y0, n);
            ref float y2 = ref Unsafe.Add(ref y0, 2 * n);
            ref float y3 = ref Unsafe.Add(ref y0, 3 * n);
            int vectorEnd = n - n % Vector256<float>.Count;
            int unit = 0;
            for (; unit + 1 < m; unit += 2)
            {
                ref float wa = ref Unsafe.Add(ref MemoryMarshal.GetReference(weights), unit * n);
                ref float wb = ref Unsafe.Add(ref wa, n);
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
                for (int j = 0; j < vectorEnd; j += Vector256<float>.Count)
                {
                    var va = Vector256.LoadUnsafe(ref wa, (nuint)j);
                    var vb = Vector256.LoadUnsafe(ref wb, (nuint)j);
                    var v0 = Vector256.LoadUnsafe(ref y0, (nuint)j);
                    var v1 = Vector256.LoadUnsafe(ref y1, (nuint)j);
                    var v2 = Vector256.LoadUnsafe(ref y2, (nuint)j);
                    var v3 = Vector256.LoadUnsafe(ref y3, (nuint)j);
                    a0 = Vector256.FusedMultiplyAdd(va, v0, a0);
                    a1 = Vector256.FusedMultiplyAdd(va, v1, a1);
                    a2 = Vector256.FusedMultiplyAdd(va, v2, a2);
                    a3 = Vector256.FusedMultiplyAdd(va, v3, a3);
                    b0 = Vector256.FusedMultiplyAdd(vb, v0, b0);
                    b1 = Vector256.FusedMultiplyAdd(vb, v1, b1);
                    b2 = Vector256.FusedMultiplyAdd(vb, v2, b2);
                    b3 = Vector256.FusedMultiplyAdd(vb, v3, b3);
                }
                float sa0 = Vector256.Sum(a0), sa1 = Vector256.Sum(a1), sa2 = Vector256.Sum(a2), sa3 = Vector256.Sum(a3);
                float sb0 = Vector256.Sum(b0), sb1 = Vector256.Sum(b1), sb2 = Vector256.Sum(b2), sb3 = Vector256.Sum(b3);
                for (int j = vectorEnd; j < n; j++)
                {
                    float va = Unsafe.Add(ref wa, j), vb = Unsafe.Add(ref wb, j);
                    float v0 = Unsafe.Add(ref y0, j), v1 = Unsafe.Add(ref y1, j), v2 = Unsafe.Add(ref y2, j), v3 = Unsafe.Add(ref y3, j);
                    sa0 = MathF.FusedMultiplyAdd(va, v0, sa0);
                    sa1 = MathF.FusedMultiplyAdd(va, v1, sa1);
                    sa2 = MathF.FusedMultiplyAdd(va, v2, sa2);
                    sa3 = MathF.FusedMultiplyAdd(va, v3, sa3);
                    sb0 = MathF.FusedMultiplyAdd(vb, v0, sb0);
                    sb1 = MathF.FusedMultiplyAdd(vb, v1, sb1);
                    sb2 = MathF.FusedMultiplyAdd(vb, v2, sb2);
                    sb3 = MathF.FusedMultiplyAdd(vb, v3, sb3);
                }
                z[unit] = sa0 + bias[unit];
                z[m + unit] = sa1 + bias[unit];
                z[2 * m + unit] = sa2 + bias[unit];
                z[3 * m + unit] = sa3 + bias[unit];
                z[unit + 1] = sb0 + bias[unit + 1];
                z[m + unit + 1] = sb1 + bias[unit + 1];
                z[2 * m + unit + 1] = sb2 + bias[unit + 1];
                z[3 * m + unit + 1] = sb3 + bias[unit + 1];
            }
            if (unit < m)
            {
                ReadOnlySpan<float> w = weights.Slice(unit * n, n);
                for (int t = 0; t < BlockRows; t++)
                    z[t * m + unit] = TensorPrimitives.Dot(w, block.Slice(t * n, n)) + bias[unit];
            }
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
        /// g += Σ_t c_t y_t over the block's rows (c_t = 0 where the unit did not fire; those rows add exact zeros).
        /// One load and one store of each accumulator line per block.
        /// </summary>
        private static void AddGradient(Span<float> g, ReadOnlySpan<float> block, int count, int n, ReadOnlySpan<float> c)
        {
            ref float gRef = ref MemoryMarshal.GetReference(g);
            ref float y0 = ref MemoryMarshal.GetReference(block);
            int vectorEnd = n - n % Vector256<float>.Count;
            if (count == BlockRows)
            {
                ref float y1 = ref Unsafe.Add(ref y0, n);
                ref float y2 = ref Unsafe.Add(ref y0, 2 * n);
                ref float y3 = ref Unsafe.Add(ref y0, 3 * n);
                var c0 = Vector256.Create(c[0]); var c1 = Vector256.Create(c[1]); var c2 = Vector256.Create(c[2]); var c3 = Vector256.Create(c[3]);
                for (int j = 0; j < vectorEnd; j += Vector256<float>.Count)
                {
                    var acc = Vector256.LoadUnsafe(ref gRef, (nuint)j);
                    acc = Vector256.FusedMultiplyAdd(c0, Vector256.LoadUnsafe(ref y0, (nuint)j), acc);
                    acc = Vector256.FusedMultiplyAdd(c1, Vector256.LoadUnsafe(ref y1, (nuint)j), acc);
                    acc = Vector256.FusedMultiplyAdd(c2, Vector256.LoadUnsafe(ref y2, (nuint)j), acc);
                    acc = Vector256.FusedMultiplyAdd(c3, Vector256.LoadUnsafe(ref y3, (nuint)j), acc);
                    acc.StoreUnsafe(ref gRef, (nuint)j);
                }
            }
            else
            {
                for (int t = 0; t < count; t++)
                {
                    if (c[t] == 0)
                        continue;
                    ref float yt = ref Unsafe.Add(ref y0, t * n);
                    var ct = Vector256.Create(c[t]);
                    for (int j = 0; j < vectorEnd; j += Vector256<float>.Count)
                    {
                        var acc = Vector256.LoadUnsafe(ref gRef, (nuint)j);
                        acc = Vector256.FusedMultiplyAdd(ct, Vector256.LoadUnsafe(ref yt, (nuint)j), acc);
                        acc.StoreUnsafe(ref gRef, (nuint)j);
                    }
                }
            }
            for (int j = vectorEnd; j < n; j++)
            {
                float acc = g[j];
                for (int t = 0; t < count; t++)
                    acc = MathF.FusedMultiplyAdd(c[t], block[t * n + j], acc);
                g[j] = acc;
            }
        }

        /// <summary>Encodes one row: code[i] = σ(W_iᵀy + b_i).</summary>
        public static void Encode(ReadOnlySpan<float> y, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, in EncoderActivation activation, Span<float> code)
        {
            int m = bias.Length;
            int n = weights.Length / m;
            for (int i = 0; i < m; i++)
                code[i] = activation.Apply(TensorPrimitives.Dot(weights.Slice(i * n, n), y) + bias[i]);
        }

        /// <summary>Decodes one code: ŷ = Σ_i x_i W_i, skipping inactive units.</summary>
        public static void Decode(ReadOnlySpan<float> code, ReadOnlySpan<float> weights, Span<float> reconstruction)
        {
            int m = code.Length;
            int n = weights.Length / m;
            reconstruction.Clear();
            for (int i = 0; i < m; i++)
            {
                if (code[i] != 0)
                    TensorPrimitives.MultiplyAdd(weights.Slice(i * n, n), code[i], reconstruction, reconstruction);
            }
        }

        /// <summary>
        /// ½‖y − Wx‖² for one row and its code: the per-row reconstruction error (the loss term of that row).
        /// <paramref name="scratch"/> (length n) receives the residual.
        /// </summary>
        public static float HalfSquaredResidual(ReadOnlySpan<float> y, ReadOnlySpan<float> code, ReadOnlySpan<float> weights, Span<float> scratch)
        {
            Decode(code, weights, scratch);
            TensorPrimitives.Subtract(y, scratch, scratch);
            return 0.5f * TensorPrimitives.Dot(scratch, scratch);
        }
    }

    /// <summary>σ with its one parameter, as a value the hot loops can inline.</summary>
    internal readonly struct EncoderActivation
    {
        public EncoderActivation(AutoencoderActivation kind, float threshold)
        {
            Kind = kind;
            Threshold = threshold;
        }

        public AutoencoderActivation Kind { get; }

        /// <summary>λ of the hard threshold; unused by ReLU.</summary>
        public float Threshold { get; }

        /// <summary>Whether the unit fires: then x_i = z_i and σ'(z_i) = 1; otherwise x_i = 0 and σ'(z_i) = 0.</summary>
        public bool IsActive(float z) => Kind == AutoencoderActivation.Relu ? z > 0 : MathF.Abs(z) > Threshold;

        public float Apply(float z) => IsActive(z) ? z : 0f;
    }
}
