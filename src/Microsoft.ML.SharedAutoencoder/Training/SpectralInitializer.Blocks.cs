using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    internal static partial class SpectralInitializer
    {
        /// <summary>
        /// The products every step of the search is made of, for a block of <see cref="BlockWidth"/> vectors at once:
        /// Z = Y X (each row's projections on the vectors) and R = Yᵀ S (a weighted sum of the rows per vector). One vector
        /// at a time these are dot products and updates on n = 100 floats, dominated by call overhead and by re-reading Y
        /// for every vector; a block reads each row once for 16 vectors.
        /// </summary>
        /// <remarks>
        /// Every output element is one fused multiply-add chain in a fixed order (over j for Z, over t for R) in its own
        /// SIMD lane, so a vector's result does not depend on the other vectors of the block, on its position in the block,
        /// on the vector width of the machine (AVX2 or AVX-512) or on the thread count.
        /// </remarks>
        internal static class Blocks
        {
            /// <summary>Vectors per block: two 8-float vectors per row.</summary>
            public const int BlockWidth = 16;

            private const int RowTile = 64;

            /// <summary>Z[t, c] = Σ_j Y[t, j]·X[j, c] for the <paramref name="count"/> rows of <paramref name="y"/> (row-major, n columns); X is n × 16, Z is count × 16.</summary>
            public static void Project(ReadOnlySpan<float> y, int count, int n, ReadOnlySpan<float> x, Span<float> z)
            {
                if (y.Length < (long)count * n || x.Length < n * BlockWidth || z.Length < count * BlockWidth)
                    throw new ArgumentException("Block sizes do not match.");
                ref float yr = ref MemoryMarshal.GetReference(y);
                ref float xr = ref MemoryMarshal.GetReference(x);
                ref float zr = ref MemoryMarshal.GetReference(z);
                if (Vector512.IsHardwareAccelerated)
                    Project512(ref yr, count, n, ref xr, ref zr);
                else
                    Project256(ref yr, count, n, ref xr, ref zr);
            }

            /// <summary><see cref="Project"/> or <see cref="Accumulate"/> with 8-float or 16-float vectors (for tests: the results must be equal).</summary>
            internal static void Product(bool wide, bool accumulate, ReadOnlySpan<float> y, int count, int n, ReadOnlySpan<float> input, Span<float> output)
            {
                int inputLength = accumulate ? count * BlockWidth : n * BlockWidth, outputLength = accumulate ? n * BlockWidth : count * BlockWidth;
                if (y.Length < (long)count * n || input.Length < inputLength || output.Length < outputLength)
                    throw new ArgumentException("Block sizes do not match.");
                ref float yr = ref MemoryMarshal.GetReference(y);
                ref float ir = ref MemoryMarshal.GetReference(input);
                ref float outr = ref MemoryMarshal.GetReference(output);
                if (accumulate && wide)
                    Accumulate512(ref yr, count, n, ref ir, ref outr);
                else if (accumulate)
                    Accumulate256(ref yr, count, n, ref ir, ref outr);
                else if (wide)
                    Project512(ref yr, count, n, ref ir, ref outr);
                else
                    Project256(ref yr, count, n, ref ir, ref outr);
            }

            private static void Project256(ref float yr, int count, int n, ref float xr, ref float zr)
            {
                int t = 0;
                for (; t + 4 <= count; t += 4)
                {
                    Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
                    nint r0 = (nint)t * n;
                    for (int j = 0; j < n; j++)
                    {
                        Vector256<float> xLow = Vector256.LoadUnsafe(ref xr, (nuint)(j * BlockWidth));
                        Vector256<float> xHigh = Vector256.LoadUnsafe(ref xr, (nuint)(j * BlockWidth + 8));
                        Vector256<float> y0 = Vector256.Create(Unsafe.Add(ref yr, r0 + j));
                        Vector256<float> y1 = Vector256.Create(Unsafe.Add(ref yr, r0 + n + j));
                        Vector256<float> y2 = Vector256.Create(Unsafe.Add(ref yr, r0 + 2 * n + j));
                        Vector256<float> y3 = Vector256.Create(Unsafe.Add(ref yr, r0 + 3 * n + j));
                        a0 = Vector256.FusedMultiplyAdd(y0, xLow, a0);
                        b0 = Vector256.FusedMultiplyAdd(y0, xHigh, b0);
                        a1 = Vector256.FusedMultiplyAdd(y1, xLow, a1);
                        b1 = Vector256.FusedMultiplyAdd(y1, xHigh, b1);
                        a2 = Vector256.FusedMultiplyAdd(y2, xLow, a2);
                        b2 = Vector256.FusedMultiplyAdd(y2, xHigh, b2);
                        a3 = Vector256.FusedMultiplyAdd(y3, xLow, a3);
                        b3 = Vector256.FusedMultiplyAdd(y3, xHigh, b3);
                    }
                    nuint o = (nuint)(t * BlockWidth);
                    a0.StoreUnsafe(ref zr, o);
                    b0.StoreUnsafe(ref zr, o + 8);
                    a1.StoreUnsafe(ref zr, o + 16);
                    b1.StoreUnsafe(ref zr, o + 24);
                    a2.StoreUnsafe(ref zr, o + 32);
                    b2.StoreUnsafe(ref zr, o + 40);
                    a3.StoreUnsafe(ref zr, o + 48);
                    b3.StoreUnsafe(ref zr, o + 56);
                }
                for (; t < count; t++)
                {
                    Vector256<float> a = default, b = default;
                    nint r = (nint)t * n;
                    for (int j = 0; j < n; j++)
                    {
                        Vector256<float> yj = Vector256.Create(Unsafe.Add(ref yr, r + j));
                        a = Vector256.FusedMultiplyAdd(yj, Vector256.LoadUnsafe(ref xr, (nuint)(j * BlockWidth)), a);
                        b = Vector256.FusedMultiplyAdd(yj, Vector256.LoadUnsafe(ref xr, (nuint)(j * BlockWidth + 8)), b);
                    }
                    a.StoreUnsafe(ref zr, (nuint)(t * BlockWidth));
                    b.StoreUnsafe(ref zr, (nuint)(t * BlockWidth + 8));
                }
            }

            /// <summary>
            /// R[j, c] += Σ_t Y[t, j]·S[t, c] over the <paramref name="count"/> rows, t ascending; S is count × 16, R is n × 16.
            /// Adding (not overwriting) lets a caller run over the rows in chunks with the same sum as one call.
            /// </summary>
            public static void Accumulate(ReadOnlySpan<float> y, int count, int n, ReadOnlySpan<float> s, Span<float> r)
            {
                if (y.Length < (long)count * n || s.Length < count * BlockWidth || r.Length < n * BlockWidth)
                    throw new ArgumentException("Block sizes do not match.");
                ref float yr = ref MemoryMarshal.GetReference(y);
                ref float sr = ref MemoryMarshal.GetReference(s);
                ref float rr = ref MemoryMarshal.GetReference(r);
                if (Vector512.IsHardwareAccelerated)
                    Accumulate512(ref yr, count, n, ref sr, ref rr);
                else
                    Accumulate256(ref yr, count, n, ref sr, ref rr);
            }

            private static void Accumulate256(ref float yr, int count, int n, ref float sr, ref float rr)
            {
                // Tiles of rows keep Y's and S's tile in L1 while every column j passes over it; each R element still
                // sums its terms in row order (it is reloaded, not restarted, at the next tile).
                for (int tile = 0; tile < count; tile += RowTile)
                {
                    int end = Math.Min(count, tile + RowTile);
                    int j = 0;
                    for (; j + 4 <= n; j += 4)
                        AccumulateFour(ref yr, ref sr, ref rr, n, j, tile, end);
                    for (; j < n; j++)
                    {
                        nuint o = (nuint)(j * BlockWidth);
                        Vector256<float> a = Vector256.LoadUnsafe(ref rr, o), b = Vector256.LoadUnsafe(ref rr, o + 8);
                        for (int t = tile; t < end; t++)
                        {
                            Vector256<float> yj = Vector256.Create(Unsafe.Add(ref yr, (nint)t * n + j));
                            a = Vector256.FusedMultiplyAdd(yj, Vector256.LoadUnsafe(ref sr, (nuint)(t * BlockWidth)), a);
                            b = Vector256.FusedMultiplyAdd(yj, Vector256.LoadUnsafe(ref sr, (nuint)(t * BlockWidth + 8)), b);
                        }
                        a.StoreUnsafe(ref rr, o);
                        b.StoreUnsafe(ref rr, o + 8);
                    }
                }
            }

            // The same chains with one 16-float vector per row where AVX-512 is available (the lanes, and so the results, are
            // the same as with two 8-float halves).
            private static void Project512(ref float yr, int count, int n, ref float xr, ref float zr)
            {
                int t = 0;
                for (; t + 4 <= count; t += 4)
                {
                    Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    nint r0 = (nint)t * n;
                    for (int j = 0; j < n; j++)
                    {
                        Vector512<float> xj = Vector512.LoadUnsafe(ref xr, (nuint)(j * BlockWidth));
                        a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref yr, r0 + j)), xj, a0);
                        a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref yr, r0 + n + j)), xj, a1);
                        a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref yr, r0 + 2 * n + j)), xj, a2);
                        a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref yr, r0 + 3 * n + j)), xj, a3);
                    }
                    nuint o = (nuint)(t * BlockWidth);
                    a0.StoreUnsafe(ref zr, o);
                    a1.StoreUnsafe(ref zr, o + 16);
                    a2.StoreUnsafe(ref zr, o + 32);
                    a3.StoreUnsafe(ref zr, o + 48);
                }
                for (; t < count; t++)
                {
                    Vector512<float> a = default;
                    nint r = (nint)t * n;
                    for (int j = 0; j < n; j++)
                        a = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref yr, r + j)), Vector512.LoadUnsafe(ref xr, (nuint)(j * BlockWidth)), a);
                    a.StoreUnsafe(ref zr, (nuint)(t * BlockWidth));
                }
            }

            private static void Accumulate512(ref float yr, int count, int n, ref float sr, ref float rr)
            {
                for (int tile = 0; tile < count; tile += RowTile)
                {
                    int end = Math.Min(count, tile + RowTile);
                    int j = 0;
                    for (; j + 4 <= n; j += 4)
                    {
                        nuint o = (nuint)(j * BlockWidth);
                        Vector512<float> a0 = Vector512.LoadUnsafe(ref rr, o), a1 = Vector512.LoadUnsafe(ref rr, o + 16);
                        Vector512<float> a2 = Vector512.LoadUnsafe(ref rr, o + 32), a3 = Vector512.LoadUnsafe(ref rr, o + 48);
                        for (int t = tile; t < end; t++)
                        {
                            Vector512<float> st = Vector512.LoadUnsafe(ref sr, (nuint)(t * BlockWidth));
                            nint row = (nint)t * n + j;
                            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref yr, row)), st, a0);
                            a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref yr, row + 1)), st, a1);
                            a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref yr, row + 2)), st, a2);
                            a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref yr, row + 3)), st, a3);
                        }
                        a0.StoreUnsafe(ref rr, o);
                        a1.StoreUnsafe(ref rr, o + 16);
                        a2.StoreUnsafe(ref rr, o + 32);
                        a3.StoreUnsafe(ref rr, o + 48);
                    }
                    for (; j < n; j++)
                    {
                        nuint o = (nuint)(j * BlockWidth);
                        Vector512<float> a = Vector512.LoadUnsafe(ref rr, o);
                        for (int t = tile; t < end; t++)
                            a = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref yr, (nint)t * n + j)), Vector512.LoadUnsafe(ref sr, (nuint)(t * BlockWidth)), a);
                        a.StoreUnsafe(ref rr, o);
                    }
                }
            }

            private static void AccumulateFour(ref float yr, ref float sr, ref float rr, int n, int j, int tile, int end)
            {
                nuint o = (nuint)(j * BlockWidth);
                Vector256<float> a0 = Vector256.LoadUnsafe(ref rr, o), b0 = Vector256.LoadUnsafe(ref rr, o + 8);
                Vector256<float> a1 = Vector256.LoadUnsafe(ref rr, o + 16), b1 = Vector256.LoadUnsafe(ref rr, o + 24);
                Vector256<float> a2 = Vector256.LoadUnsafe(ref rr, o + 32), b2 = Vector256.LoadUnsafe(ref rr, o + 40);
                Vector256<float> a3 = Vector256.LoadUnsafe(ref rr, o + 48), b3 = Vector256.LoadUnsafe(ref rr, o + 56);
                for (int t = tile; t < end; t++)
                {
                    Vector256<float> sLow = Vector256.LoadUnsafe(ref sr, (nuint)(t * BlockWidth));
                    Vector256<float> sHigh = Vector256.LoadUnsafe(ref sr, (nuint)(t * BlockWidth + 8));
                    nint row = (nint)t * n + j;
                    Vector256<float> y0 = Vector256.Create(Unsafe.Add(ref yr, row));
                    Vector256<float> y1 = Vector256.Create(Unsafe.Add(ref yr, row + 1));
                    Vector256<float> y2 = Vector256.Create(Unsafe.Add(ref yr, row + 2));
                    Vector256<float> y3 = Vector256.Create(Unsafe.Add(ref yr, row + 3));
                    a0 = Vector256.FusedMultiplyAdd(y0, sLow, a0);
                    b0 = Vector256.FusedMultiplyAdd(y0, sHigh, b0);
                    a1 = Vector256.FusedMultiplyAdd(y1, sLow, a1);
                    b1 = Vector256.FusedMultiplyAdd(y1, sHigh, b1);
                    a2 = Vector256.FusedMultiplyAdd(y2, sLow, a2);
                    b2 = Vector256.FusedMultiplyAdd(y2, sHigh, b2);
                    a3 = Vector256.FusedMultiplyAdd(y3, sLow, a3);
                    b3 = Vector256.FusedMultiplyAdd(y3, sHigh, b3);
                }
                a0.StoreUnsafe(ref rr, o);
                b0.StoreUnsafe(ref rr, o + 8);
                a1.StoreUnsafe(ref rr, o + 16);
                b1.StoreUnsafe(ref rr, o + 24);
                a2.StoreUnsafe(ref rr, o + 32);
                b2.StoreUnsafe(ref rr, o + 40);
                a3.StoreUnsafe(ref rr, o + 48);
                b3.StoreUnsafe(ref rr, o + 56);
            }
        }
    }
}
