using System;
using System.Runtime.ExceptionServices;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// How the partial sums of a step become its totals, and how the processes of a data-parallel run agree on what only
    /// one of them computes. In one process (<see cref="LocalPassCombiner"/>) the chunk sums are added as they come. A
    /// data-parallel run (the Mpi package) gives every process a range of whole chunks of one dataset and combines their
    /// partial sums in chunk order, so that the totals, and so every decision taken from them (divergence guard,
    /// tolerance stop, learning-rate halving), are bit-identical to one process on all the rows, on every process.
    /// </summary>
    internal interface IPassCombiner
    {
        /// <summary>
        /// Takes the wave's chunk partials (slots [0, <paramref name="count"/>), in row order): adds them to
        /// <paramref name="totals"/> (<see cref="PassTotals.Add"/>), or keeps a copy until the totals of the rows before
        /// them are known.
        /// </summary>
        void AddWave(ChunkSlots slots, int count, PassTotals totals, Action<Action<int>> forEachUnit);

        /// <summary>
        /// After the process's last chunk, or its <paramref name="failure"/>: turns <paramref name="totals"/> into the
        /// totals over all processes' rows. Throws when this or any other process failed during the pass, on every process.
        /// </summary>
        void Complete(PassTotals totals, ExceptionDispatchInfo? failure, Action<Action<int>> forEachUnit);

        /// <summary>
        /// W⁰ and its report, computed by <paramref name="compute"/> on one process only and the same on all.
        /// Throws on every process when the computation failed.
        /// </summary>
        float[] InitialWeights(Func<(float[] Weights, InitializationReport Report)> compute, out InitializationReport report);

        /// <summary>The largest of every process's <paramref name="local"/> (for error messages).</summary>
        double Max(double local);
    }

    /// <summary>One process: chunk sums are added as they come, and failures are thrown as they are.</summary>
    internal sealed class LocalPassCombiner : IPassCombiner
    {
        public static readonly LocalPassCombiner Instance = new();

        private LocalPassCombiner()
        {
        }

        public void AddWave(ChunkSlots slots, int count, PassTotals totals, Action<Action<int>> forEachUnit) => totals.Add(slots, count, forEachUnit);

        public void Complete(PassTotals totals, ExceptionDispatchInfo? failure, Action<Action<int>> forEachUnit) => failure?.Throw();

        public float[] InitialWeights(Func<(float[] Weights, InitializationReport Report)> compute, out InitializationReport report)
        {
            (float[] weights, report) = compute();
            return weights;
        }

        public double Max(double local) => local;
    }
}
