using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;
using Microsoft.ML.SharedAutoencoder.Persistence;

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

        /// <summary>
        /// Loads a model file that holds one <see cref="WhiteningTransformer"/> (as written by
        /// <c>mlContext.Model.Save(transformer, schema, path)</c>), with the checks of <c>LoadSharedAutoencoder</c>: every
        /// zip entry's CRC-32 before ML.NET reads the file, then the transformer's lengths, values and checksum.
        /// </summary>
        /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
        /// <param name="filePath">The model file.</param>
        /// <param name="inputSchema">The schema the model was trained on.</param>
        /// <returns>The transformer.</returns>
        /// <exception cref="FormatException">
        /// The file is not an ML.NET model, is damaged (a zip entry's CRC-32, the transformer's checksum, a size larger
        /// than the file, a non-finite or asymmetric ZCA matrix), was written by a newer format, or holds another
        /// transformer. The message says which.
        /// </exception>
        public static WhiteningTransformer LoadWhitening(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckNonEmpty(filePath, nameof(filePath));
            using var stream = File.OpenRead(filePath);
            return LoadWhitening(catalog, stream, $"'{filePath}'", out inputSchema);
        }

        /// <summary>
        /// Loads a model stream that holds one <see cref="WhiteningTransformer"/>; see
        /// <see cref="LoadWhitening(ModelOperationsCatalog, string, out DataViewSchema)"/>.
        /// </summary>
        /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
        /// <param name="stream">A readable stream positioned at the model.</param>
        /// <param name="inputSchema">The schema the model was trained on.</param>
        /// <returns>The transformer.</returns>
        /// <exception cref="FormatException">The stream does not hold a valid whitening model; the message says why.</exception>
        public static WhiteningTransformer LoadWhitening(this ModelOperationsCatalog catalog, Stream stream, out DataViewSchema inputSchema)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckValue(stream, nameof(stream));
            return LoadWhitening(catalog, stream, "the stream", out inputSchema);
        }

        private static WhiteningTransformer LoadWhitening(ModelOperationsCatalog catalog, Stream stream, string source, out DataViewSchema inputSchema)
        {
            MLNetVersionCheck.EnsureSupported();
            ITransformer model = ModelFileLoader.Load(catalog, stream, source, "a whitening model", out inputSchema);
            if (model is WhiteningTransformer transformer)
                return transformer;
            if (model is TransformerChain<ITransformer> chain && chain.Count() == 1 && chain.Single() is WhiteningTransformer only)
                return only;
            throw new FormatException($"The model in {source} is {ModelFileLoader.Describe(model)}, not a {nameof(WhiteningTransformer)}. "
                + "Load a pipeline with mlContext.Model.Load and take the transformer from the chain.");
        }
    }
}
