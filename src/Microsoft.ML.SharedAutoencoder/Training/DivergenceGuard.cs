using System;
using System.Globalization;
using System.Numerics.Tensors;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// Decides whether a gradient step is kept: a step whose loss is non-finite or more than the divergence factor times
    /// the previous loss is undone and ζ halved, at most <see cref="TrainerSettings.MaxLearningRateHalvings"/> times in
    /// a row. Losses at float32 rounding level are never compared (any rounding above 0 would look like divergence).
    /// </summary>
    internal sealed class DivergenceGuard
    {
        // A step that moves no weight by more than this leaves W as it was, to float32 precision of unit-norm columns.
        private const float NegligibleWeightChange = 1e-6f;

        /// <summary>
        /// A loss below this fraction of the all-zero code's loss (½ mean ‖y‖²) is float32 rounding (≈ n·ε² relative to
        /// ‖y‖² for a perfect fit): comparing two such losses says nothing, so the guard does not.
        /// </summary>
        private const double RoundingLevelLossFraction = 1e-10;

        private readonly double _factor;
        private readonly int _maxHalvings;
        private int _halvings;

        public DivergenceGuard(double factor, int maxHalvings)
        {
            _factor = factor;
            _maxHalvings = maxHalvings;
        }

        /// <summary>What to do with a candidate step.</summary>
        public enum Verdict
        {
            /// <summary>Keep the step.</summary>
            Accept,

            /// <summary>
            /// Keep the step although the loss rose: ζ is at its smallest and the step does not move W, so the rise comes
            /// from the bias schedule b ← b/C (or rounding), which no step size can undo. ζ goes back to its value before
            /// the halvings (<see cref="RestoredRate"/>).
            /// </summary>
            AcceptRiseFromBias,

            /// <summary>Undo the step and halve ζ (<see cref="Undo"/>).</summary>
            Undo,
        }

        /// <summary>Whether a loss is at float32 rounding level relative to the all-zero code's loss.</summary>
        public static bool AtRoundingLevel(double loss, double zeroCodeLoss) => loss <= RoundingLevelLossFraction * zeroCodeLoss;

        /// <summary>Judges the step from (W, loss of <paramref name="current"/>) to (<paramref name="candidateWeights"/>, <paramref name="candidate"/>).</summary>
        public Verdict Judge(PassResult current, PassResult candidate, ReadOnlySpan<float> weights, ReadOnlySpan<float> candidateWeights)
        {
            bool finite = double.IsFinite(candidate.Loss) && TensorPrimitives.IsFiniteAll(candidate.Gradient);
            if (finite && !(candidate.Loss > _factor * current.Loss && !AtRoundingLevel(candidate.Loss, candidate.ZeroCodeLoss)))
                return Verdict.Accept;
            if (finite && _halvings == _maxHalvings && LargestChange(weights, candidateWeights) <= NegligibleWeightChange)
                return Verdict.AcceptRiseFromBias;
            return Verdict.Undo;
        }

        /// <summary>For <see cref="Verdict.AcceptRiseFromBias"/>: ζ before the halvings.</summary>
        public float RestoredRate(float learningRate) => learningRate * MathF.Pow(2, _halvings);

        /// <summary>A step was kept: the next rise may halve ζ again from its full count.</summary>
        public void Accepted() => _halvings = 0;

        /// <summary>
        /// Counts one more halving of ζ. Throws when the count exceeds the limit: training has diverged, and
        /// <paramref name="lastGoodIteration"/>, <paramref name="lastGoodLoss"/> and the largest feature magnitude
        /// (computed only then) say where and why.
        /// </summary>
        /// <exception cref="TrainingDivergedException">ζ was halved more than the limit allows.</exception>
        public void Undo(int lastGoodIteration, double lastGoodLoss, Func<float> largestFeatureMagnitude)
        {
            if (++_halvings <= _maxHalvings)
                return;
            throw new TrainingDivergedException(string.Format(CultureInfo.InvariantCulture,
                "Training diverged: the loss stayed non-finite or grew more than {0}× even after halving the learning rate {1} times. The last good iteration was {2} (loss {3:G6}). "
                + "The step size assumes features of order 1 and the largest feature magnitude is {4:G4}: scale the features (for example to [0, 1]) or lower the learning rate.",
                _factor, _maxHalvings, lastGoodIteration, lastGoodLoss, largestFeatureMagnitude()));
        }

        private static float LargestChange(ReadOnlySpan<float> before, ReadOnlySpan<float> after)
        {
            float largest = 0;
            for (int j = 0; j < before.Length; j++)
                largest = Math.Max(largest, Math.Abs(after[j] - before[j]));
            return largest;
        }
    }
}
