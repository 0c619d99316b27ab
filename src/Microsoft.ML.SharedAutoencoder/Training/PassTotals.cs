using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// The running totals of one gradient pass, to which the chunks' partial sums are added one chunk after another in
    /// row order. Floating-point addition is not associative, so this order is what makes a pass bit-identical on any
    /// number of threads, and, when several processes each hold a range of whole chunks, bit-identical to one process:
    /// every process adds its chunks with <see cref="Add"/> to the totals of all the chunks before them.
    /// </summary>
    internal sealed class PassTotals
    {
        public PassTotals(int inputSize, int hiddenUnits)
        {
            InputSize = inputSize;
            HiddenUnits = hiddenUnits;
            Sums = new double[inputSize * hiddenUnits];
            Coactivation = new double[hiddenUnits * hiddenUnits];
            ActiveCounts = new long[hiddenUnits];
        }

        public int InputSize { get; }

        public int HiddenUnits { get; }

        /// <summary>Σ_t (x_t + Wᵀr_t)·y_t (unit-major), the chunks' float sums added in double.</summary>
        public double[] Sums { get; }

        /// <summary>The lower triangle of Σ_t x_t x_tᵀ.</summary>
        public double[] Coactivation { get; }

        /// <summary>Rows in which each unit fired.</summary>
        public long[] ActiveCounts { get; }

        /// <summary>Σ_t ½‖y_t − ŷ_t‖².</summary>
        public double Loss { get; set; }

        /// <summary>Σ_t ‖y_t‖².</summary>
        public double SquaredNorms { get; set; }

        /// <summary>The rows added so far.</summary>
        public long RowCount { get; set; }

        public void Clear()
        {
            Array.Clear(Sums);
            Array.Clear(Coactivation);
            Array.Clear(ActiveCounts);
            Loss = 0;
            SquaredNorms = 0;
            RowCount = 0;
        }

        /// <summary>
        /// Adds slots [0, <paramref name="count"/>) of <paramref name="slots"/>, in slot order. <paramref name="forEachUnit"/>
        /// runs a body for every unit (possibly on several threads: each unit's sums are written by one call only, and each
        /// is still added in slot order, so the result does not depend on it).
        /// </summary>
        public void Add(ChunkSlots slots, int count, Action<Action<int>> forEachUnit)
        {
            int n = InputSize;
            forEachUnit(i =>
            {
                Span<double> total = Sums.AsSpan(i * n, n);
                for (int c = 0; c < count; c++)
                    AddWidened(slots.Sums[c].AsSpan(i * n, n), total);
            });
            for (int c = 0; c < count; c++)
            {
                Loss += slots.Loss[c];
                SquaredNorms += slots.SquaredNorms[c];
                RowCount += slots.Rows[c];
                long[] counts = slots.ActiveCounts[c];
                for (int i = 0; i < counts.Length; i++)
                    ActiveCounts[i] += counts[i];
                double[] coactivation = slots.Coactivations[c];
                for (int k = 0; k < coactivation.Length; k++)
                    Coactivation[k] += coactivation[k];
            }
        }

        /// <summary>Runs <paramref name="body"/> for every unit on this thread.</summary>
        public static void Serially(int hiddenUnits, Action<int> body)
        {
            for (int i = 0; i < hiddenUnits; i++)
                body(i);
        }

        /// <summary>total += values, widened to double (the chunk sums are float, the pass total double).</summary>
        private static void AddWidened(ReadOnlySpan<float> values, Span<double> total)
        {
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                ref float source = ref MemoryMarshal.GetReference(values);
                ref double target = ref MemoryMarshal.GetReference(total);
                for (; j <= values.Length - Vector256<float>.Count; j += Vector256<float>.Count)
                {
                    var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref source, (nuint)j));
                    (Vector256.LoadUnsafe(ref target, (nuint)j) + lower).StoreUnsafe(ref target, (nuint)j);
                    (Vector256.LoadUnsafe(ref target, (nuint)(j + Vector256<double>.Count)) + upper).StoreUnsafe(ref target, (nuint)(j + Vector256<double>.Count));
                }
            }
            for (; j < values.Length; j++)
                total[j] += values[j];
        }

        /// <summary>
        /// The totals as one array of doubles, the form in which processes exchange them: loss, ‖y‖² sum, row count,
        /// active counts, co-activation, sums. Counts are exact in a double up to 2⁵³.
        /// </summary>
        public int PackedLength => 3 + ActiveCounts.Length + Coactivation.Length + Sums.Length;

        public void Pack(Span<double> destination)
        {
            destination[0] = Loss;
            destination[1] = SquaredNorms;
            destination[2] = RowCount;
            int k = 3;
            foreach (long count in ActiveCounts)
                destination[k++] = count;
            Coactivation.CopyTo(destination.Slice(k));
            k += Coactivation.Length;
            Sums.CopyTo(destination.Slice(k));
        }

        public void Unpack(ReadOnlySpan<double> source)
        {
            Loss = source[0];
            SquaredNorms = source[1];
            RowCount = (long)source[2];
            int k = 3;
            for (int i = 0; i < ActiveCounts.Length; i++)
                ActiveCounts[i] = (long)source[k++];
            source.Slice(k, Coactivation.Length).CopyTo(Coactivation);
            k += Coactivation.Length;
            source.Slice(k, Sums.Length).CopyTo(Sums);
        }
    }
}
