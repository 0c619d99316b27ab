using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// The one fused pass of the method: for each row y it computes z = Wᵀy + b, the code x = σ(z), the residual
    /// r = y − Wx, the loss ½‖r‖², and adds 1{x_i≠0}·(z_i·r + y·(W_iᵀr)) to unit i's gradient sum. Training, the
    /// benchmarks and the tests all call this; nothing else computes the gradient.
    /// </summary>
    /// <remarks>
    /// <para>Layout: W is unit-major (unit i's weights at [i·n, (i+1)·n)), so every per-unit operation runs over n
    /// contiguous floats, and W (m·n floats) stays in L1/L2 while rows stream past once.</para>
    /// <para>Rows are taken four at a time. z, the dense part (2mn flops per row), is computed for two units × four
    /// rows per sweep so each loaded vector feeds several FMAs. The residual, its norm and W_iᵀr are computed per row
    /// over the units that fired in that row only. The gradient sums are updated once per block and unit, with the
    /// contributions of all the block's rows in which the unit fired, so each accumulator line is loaded and stored
    /// once per four rows instead of twice per row and unit. The arithmetic order depends only on the rows'
    /// positions within the call, never on threads.</para>
    /// </remarks>
    internal static class GradientKernel
    {
        /// <summary>Rows processed together.</summary>
        public const int BlockRows = 4;

        /// <summary>Floats of scratch space <see cref="Accumulate"/> needs: r for a block of rows, z and coefficients.</summary>
        public static int ScratchLength(int inputSize, int hiddenUnits) => BlockRows * inputSize + 3 * BlockRows * hiddenUnits;

        /// <summary>
        /// Adds the contribution of <paramref name="rowCount"/> consecutive rows to <paramref name="gradientSum"/>
        /// (unit-major, m·n; the sum S_i = Σ 1{x_i≠0}(z_i r + y W_iᵀr), so the gradient is −S/N),
        /// <paramref name="activeCounts"/> (rows in which unit i fired) and returns Σ ½‖r‖² over the rows.
        /// </summary>
        public static double Accumulate(
            ReadOnlySpan<float> rows, int rowCount, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
            in EncoderActivation activation, Span<float> gradientSum, Span<long> activeCounts, Span<float> scratch)
        {
            int m = bias.Length;
            int n = weights.Length / m;
            if (rows.Length < rowCount * n || gradientSum.Length < m * n || activeCounts.Length < m || scratch.Length < ScratchLength(n, m))
                throw new ArgumentException("A buffer is shorter than the problem needs.");

            Span<float> residuals = scratch.Slice(0, BlockRows * n);
            // z[t·m + i], and for the gradient x[i·B + t] (z where unit i fired in row t, else 0) and p[i·B + t] = W_iᵀr_t.
            Span<float> z = scratch.Slice(BlockRows * n, BlockRows * m);
            Span<float> x = scratch.Slice(BlockRows * (n + m), BlockRows * m);
            Span<float> p = scratch.Slice(BlockRows * (n + 2 * m), BlockRows * m);
            Span<int> active = stackalloc int[m];

            double loss = 0;
            for (int start = 0; start < rowCount; start += BlockRows)
            {
                int count = Math.Min(BlockRows, rowCount - start);
                ReadOnlySpan<float> block = rows.Slice(start * n, count * n);
                ComputePreactivations(block, count, n, weights, bias, z);
                x.Clear();
                p.Clear();
                for (int t = 0; t < count; t++)
                {
                    ReadOnlySpan<float> y = block.Slice(t * n, n);
                    Span<float> r = residuals.Slice(t * n, n);
                    int fired = 0;
                    for (int i = 0; i < m; i++)
                    {
                        float zi = z[t * m + i];
                        if (activation.IsActive(zi))
                        {
                            active[fired++] = i;
                            x[i * BlockRows + t] = zi;
                            activeCounts[i]++;
                        }
                    }
                    loss += 0.5 * Residual(y, weights, n, active.Slice(0, fired), z.Slice(t * m, m), r);
                    for (int a = 0; a < fired; a++)
                    {
                        int i = active[a];
                        p[i * BlockRows + t] = TensorPrimitives.Dot(weights.Slice(i * n, n), r);
                    }
                }

                for (int i = 0; i < m; i++)
                {
                    ReadOnlySpan<float> xi = x.Slice(i * BlockRows, BlockRows);
                    if (xi[0] == 0 && xi[1] == 0 && xi[2] == 0 && xi[3] == 0)
                        continue;
                    AddGradient(gradientSum.Slice(i * n, n), block, residuals, count, n, xi, p.Slice(i * BlockRows, BlockRows));
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

        /// <summary>r = y − Σ_{i fired} z_i W_i; returns ‖r‖² (in double across vector lanes).</summary>
        private static double Residual(ReadOnlySpan<float> y, ReadOnlySpan<float> weights, int n, ReadOnlySpan<int> fired, ReadOnlySpan<float> z, Span<float> r)
        {
            if (fired.Length == 0)
            {
                y.CopyTo(r);
                return TensorPrimitives.Dot(y, y);
            }
            ref float yRef = ref MemoryMarshal.GetReference(y);
            ref float rRef = ref MemoryMarshal.GetReference(r);
            ref float wRef = ref MemoryMarshal.GetReference(weights);
            int vectorEnd = n - n % Vector256<float>.Count;
            Vector256<float> squares = default;
            for (int j = 0; j < vectorEnd; j += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref yRef, (nuint)j);
                foreach (int i in fired)
                    v = Vector256.FusedMultiplyAdd(Vector256.Create(-z[i]), Vector256.LoadUnsafe(ref wRef, (nuint)(i * n + j)), v);
                v.StoreUnsafe(ref rRef, (nuint)j);
                squares = Vector256.FusedMultiplyAdd(v, v, squares);
            }
            float sum = Vector256.Sum(squares);
            for (int j = vectorEnd; j < n; j++)
            {
                float v = Unsafe.Add(ref yRef, j);
                foreach (int i in fired)
                    v = MathF.FusedMultiplyAdd(-z[i], Unsafe.Add(ref wRef, i * n + j), v);
                Unsafe.Add(ref rRef, j) = v;
                sum = MathF.FusedMultiplyAdd(v, v, sum);
            }
            return sum;
        }

        /// <summary>
        /// g += Σ_t x_t r_t + p_t y_t over the block's rows (x_t = p_t = 0 where the unit did not fire; those rows add
        /// exact zeros). One load and one store of each accumulator line per block.
        /// </summary>
        private static void AddGradient(Span<float> g, ReadOnlySpan<float> block, ReadOnlySpan<float> residuals, int count, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> p)
        {
            ref float gRef = ref MemoryMarshal.GetReference(g);
            ref float y0 = ref MemoryMarshal.GetReference(block);
            ref float r0 = ref MemoryMarshal.GetReference(residuals);
            int vectorEnd = n - n % Vector256<float>.Count;
            if (count == BlockRows)
            {
                ref float y1 = ref Unsafe.Add(ref y0, n);
                ref float y2 = ref Unsafe.Add(ref y0, 2 * n);
                ref float y3 = ref Unsafe.Add(ref y0, 3 * n);
                ref float r1 = ref Unsafe.Add(ref r0, n);
                ref float r2 = ref Unsafe.Add(ref r0, 2 * n);
                ref float r3 = ref Unsafe.Add(ref r0, 3 * n);
                var x0 = Vector256.Create(x[0]); var x1 = Vector256.Create(x[1]); var x2 = Vector256.Create(x[2]); var x3 = Vector256.Create(x[3]);
                var p0 = Vector256.Create(p[0]); var p1 = Vector256.Create(p[1]); var p2 = Vector256.Create(p[2]); var p3 = Vector256.Create(p[3]);
                for (int j = 0; j < vectorEnd; j += Vector256<float>.Count)
                {
                    var acc = Vector256.LoadUnsafe(ref gRef, (nuint)j);
                    acc = Vector256.FusedMultiplyAdd(x0, Vector256.LoadUnsafe(ref r0, (nuint)j), acc);
                    acc = Vector256.FusedMultiplyAdd(p0, Vector256.LoadUnsafe(ref y0, (nuint)j), acc);
                    acc = Vector256.FusedMultiplyAdd(x1, Vector256.LoadUnsafe(ref r1, (nuint)j), acc);
                    acc = Vector256.FusedMultiplyAdd(p1, Vector256.LoadUnsafe(ref y1, (nuint)j), acc);
                    acc = Vector256.FusedMultiplyAdd(x2, Vector256.LoadUnsafe(ref r2, (nuint)j), acc);
                    acc = Vector256.FusedMultiplyAdd(p2, Vector256.LoadUnsafe(ref y2, (nuint)j), acc);
                    acc = Vector256.FusedMultiplyAdd(x3, Vector256.LoadUnsafe(ref r3, (nuint)j), acc);
                    acc = Vector256.FusedMultiplyAdd(p3, Vector256.LoadUnsafe(ref y3, (nuint)j), acc);
                    acc.StoreUnsafe(ref gRef, (nuint)j);
                }
            }
            else
            {
                for (int t = 0; t < count; t++)
                {
                    if (x[t] == 0)
                        continue;
                    ref float yt = ref Unsafe.Add(ref y0, t * n);
                    ref float rt = ref Unsafe.Add(ref r0, t * n);
                    var xt = Vector256.Create(x[t]);
                    var pt = Vector256.Create(p[t]);
                    for (int j = 0; j < vectorEnd; j += Vector256<float>.Count)
                    {
                        var acc = Vector256.LoadUnsafe(ref gRef, (nuint)j);
                        acc = Vector256.FusedMultiplyAdd(xt, Vector256.LoadUnsafe(ref rt, (nuint)j), acc);
                        acc = Vector256.FusedMultiplyAdd(pt, Vector256.LoadUnsafe(ref yt, (nuint)j), acc);
                        acc.StoreUnsafe(ref gRef, (nuint)j);
                    }
                }
            }
            for (int j = vectorEnd; j < n; j++)
            {
                float acc = g[j];
                for (int t = 0; t < count; t++)
                {
                    acc = MathF.FusedMultiplyAdd(x[t], residuals[t * n + j], acc);
                    acc = MathF.FusedMultiplyAdd(p[t], block[t * n + j], acc);
                }
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
