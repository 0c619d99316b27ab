using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
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
        /// <param name="maximumNumberOfIterations">The number of full-batch gradient steps (fewer when training stops early).</param>
        /// <returns>The estimator.</returns>
        public static SharedAutoencoderEstimator SharedAutoencoder(this TransformsCatalog catalog,
            string outputColumnName, string? inputColumnName = null,
            int hiddenUnits = SharedAutoencoderEstimator.Defaults.HiddenUnits,
            AutoencoderActivation activation = SharedAutoencoderEstimator.Defaults.Activation,
            int maximumNumberOfIterations = SharedAutoencoderEstimator.Defaults.MaximumNumberOfIterations)
        {
            MLNetVersionCheck.EnsureSupported();
            return new SharedAutoencoderEstimator(CatalogUtils.GetEnvironment(catalog), new SharedAutoencoderEstimator.Options
            {
                OutputColumnName = outputColumnName,
                InputColumnName = inputColumnName ?? outputColumnName,
                HiddenUnits = hiddenUnits,
                Activation = activation,
                MaximumNumberOfIterations = maximumNumberOfIterations,
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

        /// <summary>
        /// Loads a model file that holds one <see cref="SharedAutoencoderTransformer"/> (as written by
        /// <c>mlContext.Model.Save(transformer, schema, path)</c>), checking what <c>mlContext.Model.Load</c> and a cast
        /// would leave to the caller.
        /// </summary>
        /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
        /// <param name="filePath">The model file.</param>
        /// <param name="inputSchema">The schema the model was trained on.</param>
        /// <returns>The transformer.</returns>
        /// <exception cref="FormatException">
        /// The file is not an ML.NET model (empty, truncated, random bytes), was written by a newer version of the
        /// format, fails the transformer's integrity checks (for example non-finite or non-unit weights), or holds a
        /// different transformer. The message says which.
        /// </exception>
        public static SharedAutoencoderTransformer LoadSharedAutoencoder(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckNonEmpty(filePath, nameof(filePath));
            using var stream = File.OpenRead(filePath);
            return LoadSharedAutoencoder(catalog, stream, $"'{filePath}'", out inputSchema);
        }

        /// <summary>
        /// Loads a model stream that holds one <see cref="SharedAutoencoderTransformer"/>; see
        /// <see cref="LoadSharedAutoencoder(ModelOperationsCatalog, string, out DataViewSchema)"/>.
        /// </summary>
        /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
        /// <param name="stream">A readable, seekable stream positioned at the model.</param>
        /// <param name="inputSchema">The schema the model was trained on.</param>
        /// <returns>The transformer.</returns>
        /// <exception cref="FormatException">The stream does not hold a valid shared autoencoder model; the message says why.</exception>
        public static SharedAutoencoderTransformer LoadSharedAutoencoder(this ModelOperationsCatalog catalog, Stream stream, out DataViewSchema inputSchema)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckValue(stream, nameof(stream));
            return LoadSharedAutoencoder(catalog, stream, "the stream", out inputSchema);
        }

        /// <summary>The innermost error that says the bytes are not a valid model, or null for any other failure.</summary>
        private static Exception? DecodingError(Exception error)
        {
            Exception? found = null;
            for (Exception? e = error; e != null; e = e.InnerException)
            {
                if (e is FormatException or InvalidDataException or EndOfStreamException)
                    found = e;
            }
            return found;
        }

        private static SharedAutoencoderTransformer LoadSharedAutoencoder(ModelOperationsCatalog catalog, Stream stream, string source, out DataViewSchema inputSchema)
        {
            MLNetVersionCheck.EnsureSupported();
            ITransformer model;
            try
            {
                model = catalog.Load(stream, out inputSchema);
            }
            catch (Exception error) when (DecodingError(error) is Exception cause)
            {
                // ML.NET wraps a loader's error in "Error during class instantiation"; report the cause itself.
                string reason = cause switch
                {
                    InvalidDataException => $"it is not a readable zip archive, as ML.NET models are ({cause.Message}).",
                    EndOfStreamException => "the file is truncated.",
                    _ when cause.Message == new FormatException().Message => "the file is damaged or truncated.",
                    _ => cause.Message,
                };
                throw new FormatException($"Cannot load a shared autoencoder model from {source}: {reason}", error);
            }
            if (model is SharedAutoencoderTransformer transformer)
                return transformer;
            if (model is TransformerChain<ITransformer> chain && chain.Count() == 1 && chain.Single() is SharedAutoencoderTransformer only)
                return only;
            string found = model is TransformerChain<ITransformer> parts
                ? $"a chain of {string.Join(", ", parts.Select(p => p.GetType().Name))}"
                : $"a {model.GetType().Name}";
            throw new FormatException($"The model in {source} is {found}, not a {nameof(SharedAutoencoderTransformer)}. "
                + "Load a pipeline with mlContext.Model.Load and take the transformer from the chain.");
        }
    }
}
