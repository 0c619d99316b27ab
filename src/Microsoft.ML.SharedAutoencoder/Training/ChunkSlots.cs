using System;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// The partial sums of the chunks of one wave of a gradient pass: chunk c of the wave is accumulated from zero into
    /// slot c. Slots are reused wave after wave; a combiner that cannot add them at once copies them (<see cref="CopyFrom"/>).
    /// </summary>
    internal sealed class ChunkSlots
    {
        public ChunkSlots(int slots, int inputSize, int hiddenUnits)
        {
            Sums = new float[slots][];
            ActiveCounts = new long[slots][];
            Coactivations = new double[slots][];
            for (int s = 0; s < slots; s++)
            {
                Sums[s] = new float[inputSize * hiddenUnits];
                ActiveCounts[s] = new long[hiddenUnits];
                Coactivations[s] = new double[hiddenUnits * hiddenUnits];
            }
            Loss = new double[slots];
            SquaredNorms = new double[slots];
            Rows = new int[slots];
            InputSize = inputSize;
            HiddenUnits = hiddenUnits;
        }

        public int Count => Sums.Length;

        public int InputSize { get; }

        public int HiddenUnits { get; }

        /// <summary>Σ_t (x_t + Wᵀr_t)·y_t over the chunk's rows (unit-major, float: the kernel's accumulator).</summary>
        public float[][] Sums { get; }

        /// <summary>Rows of the chunk in which each unit fired.</summary>
        public long[][] ActiveCounts { get; }

        /// <summary>The lower triangle of Σ_t x_t x_tᵀ over the chunk's rows.</summary>
        public double[][] Coactivations { get; }

        /// <summary>Σ_t ½‖y_t − ŷ_t‖² over the chunk's rows.</summary>
        public double[] Loss { get; }

        /// <summary>Σ_t ‖y_t‖² over the chunk's rows.</summary>
        public double[] SquaredNorms { get; }

        /// <summary>The number of rows of the chunk.</summary>
        public int[] Rows { get; }

        /// <summary>Empties slot <paramref name="slot"/> for a chunk of <paramref name="rows"/> rows.</summary>
        public void Clear(int slot, int rows)
        {
            Array.Clear(Sums[slot]);
            Array.Clear(ActiveCounts[slot]);
            Array.Clear(Coactivations[slot]);
            Loss[slot] = 0;
            SquaredNorms[slot] = 0;
            Rows[slot] = rows;
        }

        /// <summary>Copies slot <paramref name="sourceSlot"/> of <paramref name="source"/> into slot <paramref name="slot"/>.</summary>
        public void CopyFrom(ChunkSlots source, int sourceSlot, int slot)
        {
            source.Sums[sourceSlot].CopyTo(Sums[slot], 0);
            source.ActiveCounts[sourceSlot].CopyTo(ActiveCounts[slot], 0);
            source.Coactivations[sourceSlot].CopyTo(Coactivations[slot], 0);
            Loss[slot] = source.Loss[sourceSlot];
            SquaredNorms[slot] = source.SquaredNorms[sourceSlot];
            Rows[slot] = source.Rows[sourceSlot];
        }
    }
}
