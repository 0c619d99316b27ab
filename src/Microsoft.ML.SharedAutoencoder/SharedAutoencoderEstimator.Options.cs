using System.Linq;

namespace Microsoft.ML.SharedAutoencoder
{
    public sealed partial class SharedAutoencoderEstimator
    {
        /// <summary>
        /// Every setting of the shared autoencoder. Options whose default depends on others (the bias, its decay and
        /// the learning rate) are nullable: null means "the documented default".
        /// </summary>
        public sealed class Options
        {
            /// <summary>The known-size float vector column to encode (y). Default: "Features".</summary>
            public string InputColumnName { get; set; } = Defaults.InputColumnName;

            /// <summary>
            /// The output column for the code, a sparse vector of length <see cref="HiddenUnits"/> (2·<see cref="HiddenUnits"/>
            /// when <see cref="SplitPolarity"/> is set), encoded as <see cref="Encoding"/> says. Default: "Code".
            /// </summary>
            public string OutputColumnName { get; set; } = Defaults.OutputColumnName;

            /// <summary>
            /// Optional output column for the reconstruction ŷ = Wx (a vector of length n), x the code of the code column (a
            /// split code [x⁺, x⁻] decoded as x⁺ − x⁻). Default: null (not produced).
            /// </summary>
            public string? ReconstructionColumnName { get; set; }

            /// <summary>
            /// Optional output column for the per-row reconstruction error ½‖y − ŷ‖² (a float; large values flag rows the
            /// code explains badly, an anomaly score). Default: null (not produced).
            /// </summary>
            public string? ReconstructionErrorColumnName { get; set; }

            /// <summary>
            /// How the input is rescaled inside the transform before encoding (fitted on the training rows, stored in the
            /// model, applied to every row it encodes; the reconstruction is returned in input units):
            /// <see cref="InputNormalization.CenterAndScale"/> (y' = (y − μ)/s, one scalar s for all features: the
            /// model works on any input scale, pixels 0–255 or 0–1 alike) or <see cref="InputNormalization.None"/> (the
            /// rows as they are: the paper's setting; scale them upstream). W, b, <see cref="InitialWeights"/> and the
            /// thresholds live in the normalized space. Default: <see cref="InputNormalization.CenterAndScale"/>.
            /// </summary>
            public InputNormalization Normalization { get; set; } = Defaults.Normalization;

            /// <summary>
            /// m: the number of hidden units (the code length, 2m features when <see cref="SplitPolarity"/>). Must be positive.
            /// Default: 1,024 (a featurizer's size: on Fashion-MNIST and the UCI digits fewer units classify worse; the
            /// paper's experiments use 10).
            /// </summary>
            public int HiddenUnits { get; set; } = Defaults.HiddenUnits;

            /// <summary>
            /// The encoder's nonlinearity σ, used in training and by the default <see cref="Encoding"/>:
            /// <see cref="AutoencoderActivation.Relu"/>, <see cref="AutoencoderActivation.HardThreshold"/> (λ =
            /// <see cref="Threshold"/>) or <see cref="AutoencoderActivation.TopK"/> (the k = <see cref="ActiveUnits"/> largest
            /// positive pre-activations of each row, Makhzani &amp; Frey's k-sparse autoencoder). Choose TopK for codes with
            /// exactly k nonzeros whatever the scale of the data, or for non-negative k-sparse data; it cannot represent ±
            /// sparse codes (negative coefficients are never selected) and does not combine with
            /// <see cref="FinalRefitIterations"/>. Default: <see cref="AutoencoderActivation.Relu"/>.
            /// </summary>
            public AutoencoderActivation Activation { get; set; } = Defaults.Activation;

            /// <summary>λ of the hard threshold: a unit fires when |z_i| &gt; λ. Must be positive and finite. Default: 0.5.</summary>
            public float Threshold { get; set; } = Defaults.Threshold;

            /// <summary>
            /// The initial encoder bias b⁰, the same for every unit. Must be finite. Default (null): −1/ln n for ReLU
            /// (n the input dimension; 0 when n ≤ 2), 0 for the hard threshold and top-k.
            /// </summary>
            public float? InitialBias { get; set; }

            /// <summary>
            /// C in the bias schedule b ← b / C applied after every step; 1 keeps the bias fixed. Must be ≥ 1 and finite.
            /// Default (null): 2 for ReLU, 1 for the hard threshold and top-k.
            /// </summary>
            public float? BiasDecay { get; set; }

            /// <summary>
            /// How the transform turns a row into features (stored in the model; it does not change training):
            /// <see cref="CodeEncoding.Activation"/> (the model's σ, as trained), <see cref="CodeEncoding.SoftThreshold"/>
            /// (max(0, z − α): the featurizer for classifiers, best on whitened input: <c>mlContext.Transforms.Whiten</c> first),
            /// <see cref="CodeEncoding.TopK"/> (the k largest of each row) or <see cref="CodeEncoding.OrthogonalMatchingPursuit"/>
            /// (k atoms by sparse inference on the dictionary, slowest). Default: <see cref="CodeEncoding.SoftThreshold"/>
            /// with α = 0.5 (in the units of <see cref="Normalization"/>); the paper's codes are <see cref="CodeEncoding.Activation"/>.
            /// </summary>
            public CodeEncoding Encoding { get; set; } = Defaults.Encoding;

            /// <summary>
            /// Emit the polarity-split code [f(p + b), f(−p + b)] of length 2m (each atom W_i and its mirror −W_i;
            /// Coates &amp; Ng 2011): classifiers see negative correlations too. Recommended with
            /// <see cref="CodeEncoding.SoftThreshold"/>. Default: true (on Fashion-MNIST the unsplit code of 1,024 atoms lost
            /// 1.3 points to the pixels, the split one did not; the paper's codes are not split).
            /// </summary>
            public bool SplitPolarity { get; set; } = Defaults.SplitPolarity;

            /// <summary>
            /// α of <see cref="CodeEncoding.SoftThreshold"/>: only correlations above α fire. Must be finite and ≥ 0; set it
            /// only with <see cref="Encoding"/> = SoftThreshold. Default (null): 0.5 (in normalized units with the default
            /// <see cref="Normalization"/>; without it, scale α with the projections' spread).
            /// </summary>
            public float? EncodingThreshold { get; set; }

            /// <summary>
            /// k of the <see cref="AutoencoderActivation.TopK"/> activation (units kept per row in training and by the default
            /// encoding; at most m), of the <see cref="CodeEncoding.TopK"/> encoding (values kept per row) and of
            /// <see cref="CodeEncoding.OrthogonalMatchingPursuit"/> (atoms picked per row); one value for all of them. Must be
            /// ≥ 1, at most m (top-k activation), the code length (top-k encoding) or min(n, m) (OMP); set it only with one of
            /// those. Default (null): 10, or the largest k the model allows when that is smaller.
            /// </summary>
            public int? ActiveUnits { get; set; }

            /// <summary>k: the expected number of nonzeros of a latent code; sets the default learning rate m/k. Must be in [1, m]. Default: 1.</summary>
            public int ExpectedSparsity { get; set; } = Defaults.ExpectedSparsity;

            /// <summary>
            /// ζ: the gradient step size. Must be positive and finite. Default (null): m/k. The divergence guard halves it
            /// when a step blows the loss up.
            /// </summary>
            public float? LearningRate { get; set; }

            /// <summary>
            /// T: the number of full-batch gradient steps. Must be ≥ 0. 0 keeps the initialization W⁰ (one pass measures its
            /// loss for the history): with <see cref="WeightInitialization.Samples"/> on whitened data and a thresholded
            /// <see cref="Encoding"/>, a featurizer that classified as well as a trained one in our measurements
            /// (Fashion-MNIST, digits), at a fraction of the cost; it is then no longer the paper's trained autoencoder.
            /// Default: 0 (with the default initialization and encoding, gradient steps did not improve the features in
            /// our measurements; the paper trains 50).
            /// </summary>
            public int MaximumNumberOfIterations { get; set; } = Defaults.MaximumNumberOfIterations;

            /// <summary>
            /// Stop early when the relative change of the loss between two steps is at most this. Must be ≥ 0 and
            /// finite; 0 turns early stopping off. Default: 0 (off: exactly <see cref="MaximumNumberOfIterations"/> steps).
            /// </summary>
            public double Tolerance { get; set; }

            /// <summary>
            /// The divergence guard: a step whose loss is non-finite or more than this many times the previous loss is
            /// undone and ζ halved. Must be &gt; 1. Default: 2.
            /// </summary>
            public double DivergenceFactor { get; set; } = Defaults.DivergenceFactor;

            /// <summary>
            /// How W⁰ is chosen. Default: <see cref="WeightInitialization.Samples"/> (atoms from training rows, spread
            /// k-means++ style; the paper starts from <see cref="WeightInitialization.Random"/>).
            /// </summary>
            public WeightInitialization Initialization { get; set; } = Defaults.Initialization;

            /// <summary>
            /// W⁰ for <see cref="WeightInitialization.Given"/>, as its columns: <see cref="HiddenUnits"/> arrays of length
            /// n, each finite and nonzero (normalized before use), in the space of the normalized input when
            /// <see cref="Normalization"/> is not None. Default: null.
            /// </summary>
            public float[][]? InitialWeights { get; set; }

            /// <summary>
            /// An optional known dictionary A (n×m_A, m_A ≤ <see cref="HiddenUnits"/>), as its columns. When set, the
            /// training history records, for every step, ‖π(W) − A‖_F and the largest column error after matching columns
            /// (<see cref="TrainingIteration.RecoveryError"/>, <see cref="TrainingIteration.MaxColumnError"/>): the
            /// paper's convergence curves. It does not change training. Needs <see cref="Normalization"/> = None (A is
            /// compared with W, which would otherwise live in the normalized space). Default: null.
            /// </summary>
            public float[][]? GroundTruthDictionary { get; set; }

            /// <summary>
            /// Whether matching W to <see cref="GroundTruthDictionary"/> may flip column signs (true for sparse coding,
            /// whose model is symmetric under x ↦ −x; false for the mixture and non-negative models). Default: false.
            /// </summary>
            public bool GroundTruthAllowsSignFlips { get; set; }

            /// <summary>
            /// <see cref="WeightInitialization.Spectral"/>: a pair's top eigenvector is kept only when |σ₁| / |σ₂| ≥ this
            /// (σ₁, σ₂ the two eigenvalues of M̂_{u,v} largest in magnitude): the pair shares one atom, not several.
            /// Must be &gt; 1 and finite. Default: 1.5.
            /// </summary>
            public double SpectralMinimumGapRatio { get; set; } = Defaults.SpectralMinimumGapRatio;

            /// <summary>
            /// <see cref="WeightInitialization.Spectral"/>: a pair's top eigenvector is kept only when |σ₁| is at least this
            /// fraction of (1/p) Σ |⟨y,u⟩⟨y,v⟩|·‖y‖², the trace of M̂_{u,v} with absolute weights (the paper's "σ₁ is
            /// large", made scale-free). Must be in [0, 1]. Default: 0.02.
            /// </summary>
            public double SpectralMinimumTraceFraction { get; set; } = Defaults.SpectralMinimumTraceFraction;

            /// <summary>
            /// <see cref="WeightInitialization.Spectral"/>: a new unit vector z within this distance of a vector ℓ already
            /// found, min(‖z − ℓ‖, ‖z + ℓ‖), is a duplicate (the one with the larger gap is kept). Must be in (0, √2).
            /// Default: 0.5.
            /// </summary>
            public double SpectralDuplicateDistance { get; set; } = Defaults.SpectralDuplicateDistance;

            /// <summary>
            /// <see cref="WeightInitialization.Spectral"/>: the most pairs (u, v) tried before the missing columns are
            /// completed from data rows. Must be positive. Default (null): ⌈m²·(ln m + 3) / k²⌉ clamped to [200, 20,000]
            /// (k = <see cref="ExpectedSparsity"/>): a pair shares exactly one atom with probability about k²/m, and
            /// collecting all m atoms then takes about m·(ln m + 0.6) such pairs.
            /// </summary>
            public int? SpectralMaximumPairs { get; set; }

            /// <summary>
            /// <see cref="WeightInitialization.Spectral"/>: p, the number of rows M̂_{u,v} averages over (drawn once
            /// without replacement; all rows when there are fewer). Must be at least 2. Default (null): 4,000.
            /// </summary>
            public int? SpectralSampleCount { get; set; }

            /// <summary>
            /// <see cref="WeightInitialization.Spectral"/>: whether rows, u and v are centered by the data mean before
            /// reweighting and refinement. Default (null): automatic — centered when ‖ȳ‖² ≤ 5% of the mean ‖y‖², which holds
            /// for ± and non-negative sparse codes (the fourth cumulant, unlike the fourth moment, ignores the mean of
            /// non-negative codes) and not for a mixture of ≤ 20 components (centering there would estimate A_i − mean).
            /// </summary>
            public bool? SpectralCenterData { get; set; }

            /// <summary>
            /// Dead-unit handling: after the initialization and after every accepted step, a unit that fired on no row is
            /// re-seeded with the normalized row the model reconstructs worst. Default: false (the paper's dynamics,
            /// bit for bit).
            /// </summary>
            public bool ReseedDeadUnits { get; set; }

            /// <summary>
            /// Rounds of least-squares refit after the gradient steps: with the supports the encoder chooses, each row's
            /// code is re-solved by least squares on its support and the dictionary refitted, W = Y Xᵀ(X Xᵀ)⁻¹, then
            /// normalized. It removes the bias of the gradient fixed point (the encoder's cross-talk, allowed by the
            /// paper's Theorem 4 (ii)). Each round is recorded in the history with learning rate 0. Must be in
            /// [0, 100]. Default: 0 (off).
            /// </summary>
            public int FinalRefitIterations { get; set; }

            /// <summary>
            /// Rounds of alternating minimization after the gradient steps and the refit (dictionary learning by the method
            /// of optimal directions): each round codes every row by orthogonal matching pursuit with
            /// <see cref="ExpectedSparsity"/> atoms on the current W, refits W = Y Xᵀ(X Xᵀ)⁻¹ to those codes and normalizes
            /// it, then (unless <see cref="ReplaceUnusedAtoms"/> is false) replaces atoms the codes barely use or that
            /// duplicate another atom. For recovering a dictionary from scratch in the hard regime (k ≥ 2 on overcomplete
            /// problems, where Spectral finds only some atoms and the refit cannot move the others); the trained model is
            /// then a dictionary learned by alternating minimization, used through the autoencoder's encoder. Each round is
            /// recorded in the history with learning rate 0; the rounds stop early once one replaces nothing and leaves the
            /// mean OMP residual unchanged (relative change ≤ 10⁻⁵). Must be in [0, 1000]. Default: 0 (off: the paper's dynamics).
            /// </summary>
            public int AlternatingMinimizationIterations { get; set; }

            /// <summary>
            /// In alternating minimization, replace every atom that fewer rows use than a fifth of the mean use N·k/m, that
            /// is within |cos| 0.9 of a more-used atom, or whose rows are explained more than 4 times worse than a typical
            /// atom's (a column between two atoms), by the normalized residual of a row the dictionary explains worst, refined
            /// by the fourth-cumulant power step (K-SVD's replacement step); not in the last 3 rounds, so that replaced
            /// atoms settle. Set it only with
            /// <see cref="AlternatingMinimizationIterations"/> &gt; 0. Default (null): true.
            /// </summary>
            public bool? ReplaceUnusedAtoms { get; set; }

            /// <summary>Seed of the random initialization. Default (null): drawn from the <see cref="MLContext"/>'s seed.</summary>
            public int? Seed { get; set; }

            /// <summary>
            /// Threads for the gradient pass. Results do not depend on it. Must be positive. Default (null): the number
            /// of processors.
            /// </summary>
            public int? NumberOfThreads { get; set; }

            /// <summary>
            /// Rows per gradient step. Null (the default) or a value ≥ the row count N: full-batch gradient descent,
            /// the method the paper analyses. A smaller B: mini-batch descent in which one iteration is an epoch of
            /// ⌈N/B⌉ normalized steps over consecutive batches of B rows; the bias is divided by C once per epoch, the
            /// recorded loss is the epoch's mean of the batch losses (each measured before its step), and the
            /// divergence guard undoes a whole epoch. Useful when one full pass per step is too slow (very large,
            /// streamed data); the paper's convergence analysis does not cover it. Must be positive.
            /// </summary>
            public int? BatchSize { get; set; }

            /// <summary>
            /// The most rows Fit copies into memory (one contiguous float32 buffer, N·n·4 bytes) before training; larger
            /// data are streamed from the input pass by pass instead (same result, slower: the input is re-read every
            /// pass). 0 always streams. PCA initialization on streamed data uses the first max(this, 16384) rows.
            /// Must be ≥ 0. Default (null): as many rows as fit in a quarter of the memory available to the process
            /// (and in one .NET array).
            /// </summary>
            public int? MaximumInMemoryRows { get; set; }

            /// <summary>
            /// A copy the estimator keeps, so later changes to these options (or to their arrays) do not change it. Every
            /// property is copied by <see cref="object.MemberwiseClone"/>; the two array-valued ones are then deep-copied
            /// (add any new array or other mutable reference here).
            /// </summary>
            internal Options Clone()
            {
                var copy = (Options)MemberwiseClone();
                copy.InitialWeights = InitialWeights?.Select(c => (float[])c.Clone()).ToArray();
                copy.GroundTruthDictionary = GroundTruthDictionary?.Select(c => (float[])c.Clone()).ToArray();
                return copy;
            }
        }
    }
}
