namespace Microsoft.ML.SharedAutoencoder
{
    public sealed partial class WhiteningEstimator
    {
        /// <summary>The defaults shared by <see cref="Options"/> and <c>mlContext.Transforms.Whiten(...)</c>; those of ML.NET's VectorWhiten.</summary>
        internal static class Defaults
        {
            public const WhiteningKind Kind = WhiteningKind.Zca;
            public const float Epsilon = 1e-5f;
            public const int MaximumNumberOfRows = 100_000;
            public const int Rank = 0;
        }

        /// <summary>Every setting of the whitening transform.</summary>
        public sealed class Options
        {
            /// <summary>The known-size float vector column to whiten. Default: "Features".</summary>
            public string InputColumnName { get; set; } = "Features";

            /// <summary>The whitened output column, a dense float vector. Default: "Features".</summary>
            public string OutputColumnName { get; set; } = "Features";

            /// <summary>ZCA or PCA whitening. Default: <see cref="WhiteningKind.Zca"/>.</summary>
            public WhiteningKind Kind { get; set; } = Defaults.Kind;

            /// <summary>
            /// ε, added to every eigenvalue λ of the covariance before scaling by 1/√(λ + ε). Must be positive and
            /// finite. Default: 1e-5 (VectorWhiten's). It is absolute, so choose it on the scale of the data: directions
            /// with variance below ε are damped instead of amplified to unit variance. For pixel data, whose small
            /// eigenvalues are mostly noise, ε of about 1–10% of the mean variance (the mean eigenvalue; Coates and Ng
            /// use 0.01–0.1 on unit-variance image patches) gives cleaner features than 1e-5; <see cref="WhiteningTransformer.GetEigenvalues"/> shows the scale.
            /// </summary>
            public float Epsilon { get; set; } = Defaults.Epsilon;

            /// <summary>
            /// The number of rows read (from the start of the data) to estimate the mean and covariance. Must be
            /// positive. Default: 100,000.
            /// </summary>
            public int MaximumNumberOfRows { get; set; } = Defaults.MaximumNumberOfRows;

            /// <summary>
            /// r, the number of principal directions kept; 0 keeps all n. PCA whitening outputs r values; ZCA projects
            /// onto the r directions and back, so it still outputs n. Must be in [0, n]. Default: 0.
            /// </summary>
            public int Rank { get; set; } = Defaults.Rank;

            /// <summary>
            /// The number of threads computing the covariance; the result is bit-identical on any number. Must be
            /// positive. Default (null): one per core.
            /// </summary>
            public int? NumberOfThreads { get; set; }
        }
    }
}
