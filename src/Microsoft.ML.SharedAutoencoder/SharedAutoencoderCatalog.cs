using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder;

namespace Microsoft.ML
{
    /// <summary>Adds the shared autoencoder to <see cref="TransformsCatalog"/> (<c>mlContext.Transforms</c>).</summary>
    public static class SharedAutoencoderCatalog
    {
        /// <summary>
        /// Creates a <see cref="SharedAutoencoderEstimator"/>: a tied-weight autoencoder that encodes the float vector
        /// column <paramref name="inputColumnName"/> into a sparse code of length <paramref name="hiddenUnits"/>.
        /// </summary>
        /// <param name="catalog">The transform catalog.</param>
        /// <param name="outputColumnName">The code column to create.</param>
        /// <param name="inputColumnName">The known-size float vector column to encode; null means the same as <paramref name="outputColumnName"/>.</param>
        /// <param name="hiddenUnits">m, the number of hidden units (the code length).</param>
        /// <param name="activation">The encoder's nonlinearity.</param>
        /// <param name="iterations">The number of full-batch gradient steps.</param>
        /// <returns>The estimator.</returns>
        public static SharedAutoencoderEstimator SharedAutoencoder(this TransformsCatalog catalog,
            string outputColumnName, string? inputColumnName = null, int hiddenUnits = 10,
            AutoencoderActivation activation = AutoencoderActivation.Relu, int iterations = 50)
        {
            MLNetVersionCheck.EnsureSupported();
            return new SharedAutoencoderEstimator(CatalogUtils.GetEnvironment(catalog), new SharedAutoencoderEstimator.Options
            {
                OutputColumnName = outputColumnName,
                InputColumnName = inputColumnName ?? outputColumnName,
                HiddenUnits = hiddenUnits,
                Activation = activation,
                Iterations = iterations,
            });
        }

        /// <summary>Creates a <see cref="SharedAutoencoderEstimator"/> with every setting given by <paramref name="options"/>.</summary>
        /// <param name="catalog">The transform catalog.</param>
        /// <param name="options">The settings; validated now, before any data is read.</param>
        /// <returns>The estimator.</returns>
        public static SharedAutoencoderEstimator SharedAutoencoder(this TransformsCatalog catalog, SharedAutoencoderEstimator.Options options)
        {
            MLNetVersionCheck.EnsureSupported();
            return new SharedAutoencoderEstimator(CatalogUtils.GetEnvironment(catalog), options);
        }
    }
}
