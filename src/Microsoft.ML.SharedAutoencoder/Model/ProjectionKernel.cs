using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SharedAutoencoder.Model
{
    /// <summary>
    /// The projections p = Wᵀy of a block of rows on all m units (the dense 2mn-flop part of every encoding), as a
    /// register- and cache-blocked matrix product over a copy of W packed for it.
    /// </summary>
    /// <remarks>
    /// <para>W is repacked once into panels of 64 units, each stored input-major (for input k, the panel's 64 weights are
    /// contiguous). A tile of four rows × one panel then keeps 4 × 64 accumulators in registers (16 Vector512 or, four
    /// times over, 8 Vector256); each step over k loads the panel's 64 weights once and broadcasts each row's y_k once, so
    /// every load feeds four FMAs and nothing needs a horizontal sum. Rows are taken 64 at a time and panels swept over
    /// them, so a panel (64·n floats, 200 KB at n = 784) stays in L2 while the block's rows pass it.</para>
    /// <para>Every p_ti is the same chain acc ← fma(W_ik, y_tk, acc) for k = 0 … n−1 from 0, whatever the tile, block,
    /// row count, thread count or vector width: results are bit-identical between one row and a batch, between any thread
    /// counts, and between AVX2 and AVX-512 machines.</para>
    /// <para>A row of the pre-existing training kernel (GradientKernel) sums in a different order, so its z may differ
    /// from these in the last bits.</para>
    /// </remarks>
    internal sealed class ProjectionKernel
    {
        /// <summary>Units per packed panel: four Vector512 or eight Vector256.</summary>
        public const int PanelWidth = 64;

        /// <summary>Rows of one register tile.</summary>
        private const int TileRows = 4;

        /// <summary>Rows per cache block: 64 rows (200 KB at n = 784) and one panel fit in a 1 MB L2 together.</summary>
        public const int BlockRows = 64;

        // Panel q holds units [64q, 64q + 64) at [q·n·64, (q + 1)·n·64), weight (unit 64q + u, input k) at k·64 + u;
        // units past m are zero.
        private readonly float[] _panels;

        /// <summary>Packs <paramref name="weights"/> (unit-major, m·n: unit i's weights at [i·n, (i + 1)·n)).</summary>
        public ProjectionKernel(ReadOnlySpan<float> weights, int inputSize, int hiddenUnits)
        {
            if (inputSize <= 0 || hiddenUnits <= 0 || weights.Length != (long)inputSize * hiddenUnits)
                throw new ArgumentException($"Expected {inputSize}×{hiddenUnits} weights, got {weights.Length} values.", nameof(weights));
            InputSize = inputSize;
            HiddenUnits = hiddenUnits;
            int panels = (hiddenUnits + PanelWidth - 1) / PanelWidth;
            _panels = new float[(long)panels * inputSize * PanelWidth];
            for (int i = 0; i < hiddenUnits; i++)
            {
                int offset = i / PanelWidth * inputSize * PanelWidth + i % PanelWidth;
                ReadOnlySpan<float> unit = weights.Slice(i * inputSize, inputSize);
                for (int k = 0; k < inputSize; k++)
                    _panels[offset + k * PanelWidth] = unit[k];
            }
        }

        /// <summary>n.</summary>
        public int InputSize { get; }

        /// <summary>m.</summary>
        public int HiddenUnits { get; }

        /// <summary>projections[t·m + i] = W_iᵀ y_t for the <paramref name="rowCount"/> rows (row-major, n each) of <paramref name="rows"/>.</summary>
        public void Compute(ReadOnlySpan<float> rows, int rowCount, Span<float> projections)
        {
            int n = InputSize;
            int m = HiddenUnits;
            if (rowCount < 0 || rows.Length < (long)rowCount * n || projections.Length < (long)rowCount * m)
                throw new ArgumentException($"Expected {rowCount} rows of {n} values and room for {rowCount}×{m} projections.");
            Span<float> tile = stackalloc float[TileRows * PanelWidth];
            ref float rowsRef = ref MemoryMarshal.GetReference(rows);
            ref float tileRef = ref MemoryMarshal.GetReference(tile);
            int panels = (m + PanelWidth - 1) / PanelWidth;
            for (int blockStart = 0; blockStart < rowCount; blockStart += BlockRows)
            {
                int blockEnd = Math.Min(rowCount, blockStart + BlockRows);
                for (int q = 0; q < panels; q++)
                {
                    ref float panel = ref _panels[q * n * PanelWidth];
                    int units = Math.Min(PanelWidth, m - q * PanelWidth);
                    for (int t = blockStart; t < blockEnd; t += TileRows)
                    {
                        int count = Math.Min(TileRows, blockEnd - t);
                        ComputeTile(ref Unsafe.Add(ref rowsRef, t * n), count, n, ref panel, ref tileRef);
                        for (int r = 0; r < count; r++)
                            tile.Slice(r * PanelWidth, units).CopyTo(projections.Slice((t + r) * m + q * PanelWidth, units));
                    }
                }
            }
        }

        private static void ComputeTile(ref float y0, int count, int n, ref float panel, ref float tile)
        {
            switch (count)
            {
                case 1:
                    Tile<One>(ref y0, n, ref panel, ref tile);
                    break;
                case 2:
                    Tile<Two>(ref y0, n, ref panel, ref tile);
                    break;
                case 3:
                    Tile<Three>(ref y0, n, ref panel, ref tile);
                    break;
                default:
                    Tile<Four>(ref y0, n, ref panel, ref tile);
                    break;
            }
        }

        private static void Tile<TRows>(ref float y0, int n, ref float panel, ref float tile)
            where TRows : struct, IRowCount
        {
            if (Vector512.IsHardwareAccelerated)
            {
                Tile512<TRows>(ref y0, n, ref panel, ref tile);
            }
            else
            {
                for (int part = 0; part < PanelWidth; part += 2 * Vector256<float>.Count)
                    Tile256<TRows>(ref y0, n, ref Unsafe.Add(ref panel, part), ref Unsafe.Add(ref tile, part));
            }
        }

        /// <summary>How many rows of the tile are real; the JIT specializes per count and drops the unused accumulators.</summary>
        private interface IRowCount
        {
            static abstract int Rows { get; }
        }

        private struct One : IRowCount
        {
            public static int Rows => 1;
        }

        private struct Two : IRowCount
        {
            public static int Rows => 2;
        }

        private struct Three : IRowCount
        {
            public static int Rows => 3;
        }

        private struct Four : IRowCount
        {
            public static int Rows => 4;
        }

        /// <summary>
        /// Up to four rows × 64 units in 16 Vector512 accumulators (21 of the 32 registers with the four weight vectors and
        /// the broadcast). The rows are written out: accumulators passed by ref to a helper would live in memory.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Tile512<TRows>(ref float y0, int n, ref float panel, ref float tile)
            where TRows : struct, IRowCount
        {
            ref float y1 = ref Unsafe.Add(ref y0, TRows.Rows >= 2 ? n : 0);
            ref float y2 = ref Unsafe.Add(ref y0, TRows.Rows >= 3 ? 2 * n : 0);
            ref float y3 = ref Unsafe.Add(ref y0, TRows.Rows >= 4 ? 3 * n : 0);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
            Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default;
            nuint offset = 0;
            for (int k = 0; k < n; k++, offset += PanelWidth)
            {
                var w0 = Vector512.LoadUnsafe(ref panel, offset);
                var w1 = Vector512.LoadUnsafe(ref panel, offset + 16);
                var w2 = Vector512.LoadUnsafe(ref panel, offset + 32);
                var w3 = Vector512.LoadUnsafe(ref panel, offset + 48);
                var s = Vector512.Create(Unsafe.Add(ref y0, k));
                a0 = Vector512.FusedMultiplyAdd(w0, s, a0);
                a1 = Vector512.FusedMultiplyAdd(w1, s, a1);
                a2 = Vector512.FusedMultiplyAdd(w2, s, a2);
                a3 = Vector512.FusedMultiplyAdd(w3, s, a3);
                if (TRows.Rows >= 2)
                {
                    s = Vector512.Create(Unsafe.Add(ref y1, k));
                    b0 = Vector512.FusedMultiplyAdd(w0, s, b0);
                    b1 = Vector512.FusedMultiplyAdd(w1, s, b1);
                    b2 = Vector512.FusedMultiplyAdd(w2, s, b2);
                    b3 = Vector512.FusedMultiplyAdd(w3, s, b3);
                }
                if (TRows.Rows >= 3)
                {
                    s = Vector512.Create(Unsafe.Add(ref y2, k));
                    c0 = Vector512.FusedMultiplyAdd(w0, s, c0);
                    c1 = Vector512.FusedMultiplyAdd(w1, s, c1);
                    c2 = Vector512.FusedMultiplyAdd(w2, s, c2);
                    c3 = Vector512.FusedMultiplyAdd(w3, s, c3);
                }
                if (TRows.Rows >= 4)
                {
                    s = Vector512.Create(Unsafe.Add(ref y3, k));
                    d0 = Vector512.FusedMultiplyAdd(w0, s, d0);
                    d1 = Vector512.FusedMultiplyAdd(w1, s, d1);
                    d2 = Vector512.FusedMultiplyAdd(w2, s, d2);
                    d3 = Vector512.FusedMultiplyAdd(w3, s, d3);
                }
            }
            a0.StoreUnsafe(ref tile, 0);
            a1.StoreUnsafe(ref tile, 16);
            a2.StoreUnsafe(ref tile, 32);
            a3.StoreUnsafe(ref tile, 48);
            if (TRows.Rows >= 2)
            {
                b0.StoreUnsafe(ref tile, 64);
                b1.StoreUnsafe(ref tile, 80);
                b2.StoreUnsafe(ref tile, 96);
                b3.StoreUnsafe(ref tile, 112);
            }
            if (TRows.Rows >= 3)
            {
                c0.StoreUnsafe(ref tile, 128);
                c1.StoreUnsafe(ref tile, 144);
                c2.StoreUnsafe(ref tile, 160);
                c3.StoreUnsafe(ref tile, 176);
            }
            if (TRows.Rows >= 4)
            {
                d0.StoreUnsafe(ref tile, 192);
                d1.StoreUnsafe(ref tile, 208);
                d2.StoreUnsafe(ref tile, 224);
                d3.StoreUnsafe(ref tile, 240);
            }
        }

        /// <summary>
        /// Up to four rows × 16 units (a quarter panel at <paramref name="panel"/>, row stride 64) in eight Vector256
        /// accumulators: eleven registers, within AVX2's sixteen.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Tile256<TRows>(ref float y0, int n, ref float panel, ref float tile)
            where TRows : struct, IRowCount
        {
            ref float y1 = ref Unsafe.Add(ref y0, TRows.Rows >= 2 ? n : 0);
            ref float y2 = ref Unsafe.Add(ref y0, TRows.Rows >= 3 ? 2 * n : 0);
            ref float y3 = ref Unsafe.Add(ref y0, TRows.Rows >= 4 ? 3 * n : 0);
            Vector256<float> a0 = default, a1 = default, b0 = default, b1 = default;
            Vector256<float> c0 = default, c1 = default, d0 = default, d1 = default;
            nuint offset = 0;
            for (int k = 0; k < n; k++, offset += PanelWidth)
            {
                var w0 = Vector256.LoadUnsafe(ref panel, offset);
                var w1 = Vector256.LoadUnsafe(ref panel, offset + 8);
                var s = Vector256.Create(Unsafe.Add(ref y0, k));
                a0 = Vector256.FusedMultiplyAdd(w0, s, a0);
                a1 = Vector256.FusedMultiplyAdd(w1, s, a1);
                if (TRows.Rows >= 2)
                {
                    s = Vector256.Create(Unsafe.Add(ref y1, k));
                    b0 = Vector256.FusedMultiplyAdd(w0, s, b0);
                    b1 = Vector256.FusedMultiplyAdd(w1, s, b1);
                }
                if (TRows.Rows >= 3)
                {
                    s = Vector256.Create(Unsafe.Add(ref y2, k));
                    c0 = Vector256.FusedMultiplyAdd(w0, s, c0);
                    c1 = Vector256.FusedMultiplyAdd(w1, s, c1);
                }
                if (TRows.Rows >= 4)
                {
                    s = Vector256.Create(Unsafe.Add(ref y3, k));
                    d0 = Vector256.FusedMultiplyAdd(w0, s, d0);
                    d1 = Vector256.FusedMultiplyAdd(w1, s, d1);
                }
            }
            a0.StoreUnsafe(ref tile, 0);
            a1.StoreUnsafe(ref tile, 8);
            if (TRows.Rows >= 2)
            {
                b0.StoreUnsafe(ref tile, 64);
                b1.StoreUnsafe(ref tile, 72);
            }
            if (TRows.Rows >= 3)
            {
                c0.StoreUnsafe(ref tile, 128);
                c1.StoreUnsafe(ref tile, 136);
            }
            if (TRows.Rows >= 4)
            {
                d0.StoreUnsafe(ref tile, 192);
                d1.StoreUnsafe(ref tile, 200);
            }
        }
    }
}
