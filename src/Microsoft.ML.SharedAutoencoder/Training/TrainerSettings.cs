using System;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// Fully resolved training settings: every default already applied and every value validated by the estimator,
    /// so the numeric core never sees an unset or invalid option.
    /// </summary>
    internal sealed class TrainerSettings
    {
        public int HiddenUnits { get; init; }
        public AutoencoderActivation Activation { get; init; }
        public float Threshold { get; init; }

        /// <summary>k of the top-k activation (1 ≤ k ≤ m); 0 for the element-wise ones.</summary>
        public int ActiveUnits { get; init; }
        public float InitialBias { get; init; }
        public float BiasDecay { get; init; }
        public float LearningRate { get; init; }
        public int MaximumNumberOfIterations { get; init; }

        /// <summary>Stop when |L_prev − L| / L_prev falls below this; 0 disables it.</summary>
        public double Tolerance { get; init; }

        /// <summary>A step whose loss exceeds this factor times the previous loss is undone.</summary>
        public double DivergenceFactor { get; init; } = 2;

        /// <summary>How many times in a row ζ may be halved before training gives up.</summary>
        public int MaxLearningRateHalvings { get; init; } = 30;

        public WeightInitialization Initialization { get; init; }

        /// <summary>For <see cref="WeightInitialization.Given"/>: unit-major m·n values, already validated.</summary>
        public float[]? InitialWeights { get; init; }

        public int Seed { get; init; }

        /// <summary>Thresholds of <see cref="WeightInitialization.Spectral"/>; null: the defaults of <see cref="SpectralSettings"/>.</summary>
        public SpectralSettings? Spectral { get; init; }

        /// <summary>Re-seed units that fired on no row from the worst-reconstructed rows (off: the paper's dynamics).</summary>
        public bool ReseedDeadUnits { get; init; }

        /// <summary>Least-squares refit rounds of the dictionary after the gradient steps (0: none).</summary>
        public int FinalRefitIterations { get; init; }

        /// <summary>Rounds of alternating minimization (OMP codes, least-squares dictionary) after the refit (0: none).</summary>
        public int AlternatingMinimizationIterations { get; init; }

        /// <summary>OMP steps per row in alternating minimization: the expected sparsity k.</summary>
        public int AlternatingMinimizationSparsity { get; init; } = 1;

        /// <summary>Whether alternating minimization replaces under-used and duplicate atoms (K-SVD's step).</summary>
        public bool ReplaceUnusedAtoms { get; init; }

        /// <summary>Threads for the passes over the data; results do not depend on it.</summary>
        public int NumberOfThreads { get; init; } = Environment.ProcessorCount;

        /// <summary>Rows per gradient step; 0 (or ≥ N) means full batch, the paper's method.</summary>
        public long BatchSize { get; init; }

        /// <summary>
        /// Whether a pass whose gradient nothing uses (the pass at W⁰ when no gradient step follows) computes only the
        /// loss and activity, which are bit-identical either way; false (tests only) forces the full pass.
        /// </summary>
        public bool SkipUnusedGradient { get; init; } = true;

        /// <summary>When set, called after every step with the unit-major W to measure recovery of a known dictionary.</summary>
        public Func<float[], (double Frobenius, double MaxColumn)>? RecoveryProbe { get; init; }
    }
}
