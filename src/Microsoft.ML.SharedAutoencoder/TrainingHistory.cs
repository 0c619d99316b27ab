using System.Collections.Generic;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>One gradient step of training (or, at <see cref="Iteration"/> 0, the initialization).</summary>
    public sealed class TrainingIteration
    {
        internal TrainingIteration(int iteration, double loss, float learningRate, double activeFraction, int deadUnits, bool undone,
            double? recoveryError, double? maxColumnError)
        {
            Iteration = iteration;
            Loss = loss;
            LearningRate = learningRate;
            ActiveFraction = activeFraction;
            DeadUnits = deadUnits;
            Undone = undone;
            RecoveryError = recoveryError;
            MaxColumnError = maxColumnError;
        }

        /// <summary>The step number s: 0 is the initial W⁰, s ≥ 1 the state after the s-th accepted step.</summary>
        public int Iteration { get; }

        /// <summary>Reconstruction loss, the mean over rows of ½‖y − Wx‖², at the state this entry describes.</summary>
        public double Loss { get; }

        /// <summary>
        /// The learning rate ζ the step used; 0 for the initialization and for the least-squares refit rounds that
        /// follow the gradient steps when <c>FinalRefitIterations</c> is set.
        /// </summary>
        public float LearningRate { get; }

        /// <summary>Fraction of (row, unit) pairs in which the unit fired: the mean code density.</summary>
        public double ActiveFraction { get; }

        /// <summary>Hidden units that fired on no row.</summary>
        public int DeadUnits { get; }

        /// <summary>
        /// True when the divergence guard undid this step (the loss became non-finite or grew by more than the allowed
        /// factor): the weights were restored and ζ halved; <see cref="Loss"/> is the rejected step's loss.
        /// </summary>
        public bool Undone { get; }

        /// <summary>‖π(W) − A‖_F after matching columns to the ground truth A, when training was given A; otherwise null.</summary>
        public double? RecoveryError { get; }

        /// <summary>max_i ‖π(W)_i − A_i‖ after matching, when training was given A; otherwise null.</summary>
        public double? MaxColumnError { get; }
    }

    /// <summary>Why training stopped.</summary>
    public enum TrainingStopReason
    {
        /// <summary>All requested iterations ran.</summary>
        IterationLimit = 0,

        /// <summary>
        /// The relative change of the loss fell below the tolerance, or the loss was exactly 0 (nothing left to fit; when that
        /// holds before any step, training warns that the features may be too small to train on).
        /// </summary>
        Converged = 1,

        /// <summary>The model was loaded from a file that carries no history.</summary>
        Unknown = 2,
    }

    /// <summary>The record of a training run: one entry for the initialization and one per attempted step.</summary>
    public sealed class TrainingHistory
    {
        internal TrainingHistory(IReadOnlyList<TrainingIteration> iterations, TrainingStopReason stopReason, InitializationReport? initialization = null,
            double deadUnitFraction = double.NaN, bool codesNearlyConstant = false)
        {
            Iterations = iterations;
            StopReason = stopReason;
            Initialization = initialization;
            DeadUnitFraction = deadUnitFraction;
            CodesNearlyConstant = codesNearlyConstant;
        }

        /// <summary>
        /// The fraction of hidden units that fire (σ(z) ≠ 0) on none of the first 4,096 training rows, measured on the
        /// trained model. NaN for a model saved by a version that did not measure it.
        /// </summary>
        public double DeadUnitFraction { get; }

        /// <summary>
        /// Whether the trained model's codes σ(Wᵀy + b) are (nearly) the same for every one of the first 4,096 training rows:
        /// the summed variance of the units at most 1e-4 of the mean squared code norm, every code zero, or at least 90 % of
        /// the rows firing exactly the same set of units.
        /// </summary>
        public bool CodesNearlyConstant { get; }

        /// <summary>
        /// True when the model is a useless featurizer: more than half of the units are dead
        /// (<see cref="DeadUnitFraction"/> &gt; 0.5) or <see cref="CodesNearlyConstant"/>. Fit also logs a warning with the
        /// remedy. The usual cause is unscaled input (e.g. pixel values 0–255): normalize or whiten it first, or use
        /// <see cref="WeightInitialization.Samples"/>.
        /// </summary>
        public bool Degenerate => DeadUnitFraction > 0.5 || CodesNearlyConstant;

        internal TrainingHistory WithDiagnostics(double deadUnitFraction, bool codesNearlyConstant)
            => new(Iterations, StopReason, Initialization, deadUnitFraction, codesNearlyConstant);

        /// <summary>The entries in order; undone steps appear with <see cref="TrainingIteration.Undone"/> set.</summary>
        public IReadOnlyList<TrainingIteration> Iterations { get; }

        /// <summary>Why training stopped.</summary>
        public TrainingStopReason StopReason { get; }

        /// <summary>
        /// What the initialization did (for <see cref="WeightInitialization.Spectral"/>: columns found, pairs tried,
        /// columns completed). Null for a model loaded from a file: the report is not saved.
        /// </summary>
        public InitializationReport? Initialization { get; }
    }
}
