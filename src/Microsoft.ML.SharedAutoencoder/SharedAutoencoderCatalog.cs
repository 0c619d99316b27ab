using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;
using Microsoft.ML.SharedAutoencoder.Persistence;

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
        /// <param name="maximumNumberOfIterations">The number of full-batch gradient steps (fewer when training stops early); 0 keeps the initialization.</param>
        /// <param name="encoding">How rows become features (see <see cref="CodeEncoding"/>); its α or k take their defaults (0.5, 10).</param>
        /// <param name="splitPolarity">Emit the 2m-long polarity-split code.</param>
        /// <param name="initialization">How W⁰ is chosen; <see cref="WeightInitialization.Samples"/> is the featurizer's choice.</param>
        /// <param name="normalization">How the input is rescaled inside the model (see <see cref="InputNormalization"/>).</param>
        /// <returns>The estimator.</returns>
        /// <remarks>
        /// The defaults make a featurizer on raw data of any scale: the input centered and scaled inside the model, 1,024
        /// atoms drawn from the training rows, no gradient step, polarity-split soft-threshold codes (α = 0.5; 2,048
        /// features). For the paper's autoencoder pass <c>hiddenUnits: 10, maximumNumberOfIterations: 50, encoding:
        /// CodeEncoding.Activation, splitPolarity: false, initialization: WeightInitialization.Random, normalization:
        /// InputNormalization.None</c>.
        /// </remarks>
        public static SharedAutoencoderEstimator SharedAutoencoder(this TransformsCatalog catalog,
            string outputColumnName, string? inputColumnName = null,
            int hiddenUnits = SharedAutoencoderEstimator.Defaults.HiddenUnits,
            AutoencoderActivation activation = SharedAutoencoderEstimator.Defaults.Activation,
            int maximumNumberOfIterations = SharedAutoencoderEstimator.Defaults.MaximumNumberOfIterations,
            CodeEncoding encoding = SharedAutoencoderEstimator.Defaults.Encoding,
            bool splitPolarity = SharedAutoencoderEstimator.Defaults.SplitPolarity,
            WeightInitialization initialization = SharedAutoencoderEstimator.Defaults.Initialization,
            InputNormalization normalization = SharedAutoencoderEstimator.Defaults.Normalization)
        {
            MLNetVersionCheck.EnsureSupported();
            return new SharedAutoencoderEstimator(CatalogUtils.GetEnvironment(catalog), new SharedAutoencoderEstimator.Options
            {
                OutputColumnName = outputColumnName,
                InputColumnName = inputColumnName ?? outputColumnName,
                HiddenUnits = hiddenUnits,
                Activation = activation,
                MaximumNumberOfIterations = maximumNumberOfIterations,
                Encoding = encoding,
                SplitPolarity = splitPolarity,
                Initialization = initialization,
                Normalization = normalization,
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
        /// Saves <paramref name="model"/> to <paramref name="filePath"/> as <c>mlContext.Model.Save</c> does, but never leaves a
        /// damaged file: the model is written to a temporary file in the same directory, flushed to disk, and renamed over
        /// <paramref name="filePath"/> only when complete. If anything fails midway (a full disk, a component whose save
        /// throws), the previous file at <paramref name="filePath"/> is left as it was and the temporary file is removed.
        /// </summary>
        /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
        /// <param name="model">The transformer or chain to save.</param>
        /// <param name="inputSchema">The schema of the model's input, saved with it.</param>
        /// <param name="filePath">The model file to create or replace.</param>
        public static void SaveAtomically(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string filePath)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckValue(model, nameof(model));
            Contracts.CheckNonEmpty(filePath, nameof(filePath));
            string target = Path.GetFullPath(filePath);
            if (Directory.Exists(target))
                throw new ArgumentException($"'{filePath}' is a directory, not a model file.", nameof(filePath));
            // Same directory: the rename is then a replacement within one file system, which is atomic.
            string temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
            try
            {
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                {
                    catalog.Save(model, inputSchema, stream);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temporary, target, overwrite: true);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
        }

        // Cleanup after a failed save: the save's own error is the one to report.
        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
            }
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
        /// <remarks>
        /// Before ML.NET reads the file, every zip entry is read in full and its length and CRC-32 compared with the zip's
        /// directory (ML.NET does not, and a damaged deflate byte can decode to different data without an error); the
        /// transformer's loader then checks every length, value and the payload's own CRC-32. A damaged file is refused,
        /// never loaded as a different model.
        /// </remarks>
        /// <exception cref="FormatException">
        /// The file is not an ML.NET model (empty, truncated, random bytes, a zip without a model), a zip entry fails its
        /// CRC-32, it was written by a newer version of the format, fails the transformer's integrity checks (its
        /// checksum, sizes larger than the file, non-finite or non-unit weights), or holds a different transformer. The
        /// message says which.
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

        private static SharedAutoencoderTransformer LoadSharedAutoencoder(ModelOperationsCatalog catalog, Stream stream, string source, out DataViewSchema inputSchema)
        {
            MLNetVersionCheck.EnsureSupported();
            ITransformer model = ModelFileLoader.Load(catalog, stream, source, "a shared autoencoder model", out inputSchema);
            if (model is SharedAutoencoderTransformer transformer)
                return transformer;
            if (model is TransformerChain<ITransformer> chain && chain.Count() == 1 && chain.Single() is SharedAutoencoderTransformer only)
                return only;
            throw new FormatException($"The model in {source} is {ModelFileLoader.Describe(model)}, not a {nameof(SharedAutoencoderTransformer)}. "
                + "Load a pipeline with mlContext.Model.Load and take the transformer from the chain.");
        }
    }
}
