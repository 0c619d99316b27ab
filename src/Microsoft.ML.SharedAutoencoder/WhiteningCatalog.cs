using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder;

namespace Microsoft.ML
{
    /// <summary>Adds centering and ZCA/PCA whitening to <see cref="TransformsCatalog"/> (<c>mlContext.Transforms</c>).</summary>
    public static class WhiteningCatalog
    {
        /// <summary>
        /// Creates a <see cref="WhiteningEstimator"/>: centers the float vector column <paramref name="inputColumnName"/>
        /// and multiplies it by a whitening matrix so the training rows have (nearly) identity covariance. A stand-in for
        /// ML.NET's <c>VectorWhiten</c> (Microsoft.ML.Mkl.Components), with the same options and semantics.
        /// </summary>
        /// <param name="catalog">The transform catalog.</param>
        /// <param name="outputColumnName">The whitened column to create.</param>
        /// <param name="inputColumnName">The known-size float vector column; null means the same as <paramref name="outputColumnName"/>.</param>
        /// <param name="kind">ZCA (n outputs, closest to the input) or PCA (one output per kept direction).</param>
        /// <param name="epsilon">ε in 1/√(λ + ε); absolute, so set it on the scale of the data's eigenvalues (see <see cref="WhiteningEstimator.Options.Epsilon"/>).</param>
        /// <param name="maximumNumberOfRows">The number of rows read to fit.</param>
        /// <param name="rank">The number of principal directions kept; 0 keeps all.</param>
        /// <returns>The estimator.</returns>
        public static WhiteningEstimator Whiten(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
            WhiteningKind kind = WhiteningEstimator.Defaults.Kind, float epsilon = WhiteningEstimator.Defaults.Epsilon,
            int maximumNumberOfRows = WhiteningEstimator.Defaults.MaximumNumberOfRows, int rank = WhiteningEstimator.Defaults.Rank)
        {
            MLNetVersionCheck.EnsureSupported();
            return new WhiteningEstimator(CatalogUtils.GetEnvironment(catalog), new WhiteningEstimator.Options
            {
                OutputColumnName = outputColumnName,
                InputColumnName = inputColumnName ?? outputColumnName,
                Kind = kind,
                Epsilon = epsilon,
                MaximumNumberOfRows = maximumNumberOfRows,
                Rank = rank,
            });
        }

        /// <summary>Creates a <see cref="WhiteningEstimator"/> with every setting given by <paramref name="options"/>.</summary>
        /// <param name="catalog">The transform catalog.</param>
        /// <param name="options">The settings; validated now, before any data is read.</param>
        /// <returns>The estimator.</returns>
        public static WhiteningEstimator Whiten(this TransformsCatalog catalog, WhiteningEstimator.Options options)
        {
            MLNetVersionCheck.EnsureSupported();
            return new WhiteningEstimator(CatalogUtils.GetEnvironment(catalog), options);
        }
    }
}
