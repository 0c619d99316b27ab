using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SharedAutoencoder.Whitening
{
    /// <summary>
    /// The inner loop of the covariance: adds the products of a block of rows, stored coordinate-major, to the lower
    /// triangle of a symmetric matrix.
    /// </summary>
    /// <remarks>
    /// Each entry (i, j) is the dot product of coordinate rows i and j over the block. Entries are computed four
    /// coordinates by two at a time, so each vector load of coordinate j feeds four fused multiply-adds (six loads per
    /// eight FMAs instead of two per one for plain dot products). Every entry is summed in the same order whatever the
    /// caller's partition of coordinate blocks, so the result does not depend on the number of threads.
    /// </remarks>
    internal static class CovarianceKernel
    {
        /// <summary>Coordinates are padded to a multiple of this (the row count of one block of the triangle).</summary>
        public const int CoordinateBlock = 4;

        /// <summary>
        /// Adds Σ_t block[i, t]·block[j, t] to <paramref name="products"/>[i·stride + j] for i in
        /// [4·rowBlock, 4·rowBlock + 4) and every j &lt; 4·rowBlock + 4 (a few entries above the diagonal are computed too
        /// and must be ignored by the caller).
        /// </summary>
        /// <param name="block">Coordinate-major values: coordinate i's <paramref name="length"/> values at [i·length, (i+1)·length).</param>
        /// <param name="length">Values per coordinate; a multiple of <see cref="Vector{T}.Count"/>.</param>
        /// <param name="rowBlock">Which four coordinates.</param>
        /// <param name="products">The padded square matrix, row-major with row length <paramref name="stride"/>.</param>
        /// <param name="stride">The padded dimension (a multiple of <see cref="CoordinateBlock"/>).</param>
        public static void AddRowBlock(ReadOnlySpan<double> block, int length, int rowBlock, Span<double> products, int stride)
        {
            int i0 = rowBlock * CoordinateBlock;
            var a0 = MemoryMarshal.Cast<double, Vector<double>>(block.Slice(i0 * length, length));
            var a1 = MemoryMarshal.Cast<double, Vector<double>>(block.Slice((i0 + 1) * length, length));
            var a2 = MemoryMarshal.Cast<double, Vector<double>>(block.Slice((i0 + 2) * length, length));
            var a3 = MemoryMarshal.Cast<double, Vector<double>>(block.Slice((i0 + 3) * length, length));
            for (int j0 = 0; j0 < i0 + CoordinateBlock; j0 += 2)
            {
                var b0 = MemoryMarshal.Cast<double, Vector<double>>(block.Slice(j0 * length, length));
                var b1 = MemoryMarshal.Cast<double, Vector<double>>(block.Slice((j0 + 1) * length, length));
                Vector<double> s00 = default, s01 = default, s10 = default, s11 = default;
                Vector<double> s20 = default, s21 = default, s30 = default, s31 = default;
                for (int k = 0; k < b0.Length; k++)
                {
                    Vector<double> x0 = b0[k], x1 = b1[k];
                    Vector<double> y = a0[k];
                    s00 = Vector.FusedMultiplyAdd(y, x0, s00);
                    s01 = Vector.FusedMultiplyAdd(y, x1, s01);
                    y = a1[k];
                    s10 = Vector.FusedMultiplyAdd(y, x0, s10);
                    s11 = Vector.FusedMultiplyAdd(y, x1, s11);
                    y = a2[k];
                    s20 = Vector.FusedMultiplyAdd(y, x0, s20);
                    s21 = Vector.FusedMultiplyAdd(y, x1, s21);
                    y = a3[k];
                    s30 = Vector.FusedMultiplyAdd(y, x0, s30);
                    s31 = Vector.FusedMultiplyAdd(y, x1, s31);
                }
                int row = i0 * stride + j0;
                products[row] += Vector.Sum(s00);
                products[row + 1] += Vector.Sum(s01);
                products[row + stride] += Vector.Sum(s10);
                products[row + stride + 1] += Vector.Sum(s11);
                products[row + 2 * stride] += Vector.Sum(s20);
                products[row + 2 * stride + 1] += Vector.Sum(s21);
                products[row + 3 * stride] += Vector.Sum(s30);
                products[row + 3 * stride + 1] += Vector.Sum(s31);
            }
        }
    }
}
