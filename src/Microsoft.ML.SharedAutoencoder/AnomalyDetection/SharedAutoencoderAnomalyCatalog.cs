using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;
using Microsoft.ML.SharedAutoencoder.Persistence;
using Defaults = Microsoft.ML.SharedAutoencoder.SharedAutoencoderAnomalyTrainer.Defaults;

namespace Microsoft.ML
{
    /// <summary>Adds the shared autoencoder to <c>mlContext.AnomalyDetection.Trainers</c>.</summary>
    public static class SharedAutoencoderAnomalyCatalog
    {
        /// <summary>
        /// Creates a <see cref="SharedAutoencoderAnomalyTrainer"/>: trained on normal rows, it scores a row by the
        /// reconstruction error of a tied autoencoder and flags rows scoring above the <paramref name="thresholdQuantile"/>-quantile
        /// of the training scores.
        /// </summary>
        /// <param name="catalog">The anomaly detection trainers catalog.</param>
        /// <param name="featureColumnName">The known-size float vector column to score.</param>
        /// <param name="hiddenUnits">m, the number of hidden units.</param>
        /// <param name="maximumNumberOfIterations">The number of gradient steps.</param>
        /// <param name="thresholdQuantile">q in (0, 1]: the threshold is the q-quantile of the training scores (0.99 flags 1% of the training rows).</param>
        /// <param name="seed">The seed of the random initialization; null draws it from the <see cref="MLContext"/>.</param>
        /// <returns>The trainer.</returns>
        public static SharedAutoencoderAnomalyTrainer SharedAutoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog,
            string featureColumnName = Defaults.FeatureColumnName, int hiddenUnits = Defaults.HiddenUnits,
            int maximumNumberOfIterations = Defaults.MaximumNumberOfIterations, double thresholdQuantile = Defaults.ThresholdQuantile,
            int? seed = null)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            MLNetVersionCheck.EnsureSupported();
            return new SharedAutoencoderAnomalyTrainer(CatalogUtils.GetEnvironment(catalog), new SharedAutoencoderAnomalyTrainer.Options
            {
                FeatureColumnName = featureColumnName,
                HiddenUnits = hiddenUnits,
                MaximumNumberOfIterations = maximumNumberOfIterations,
                ThresholdQuantile = thresholdQuantile,
                Seed = seed,
            });
        }

        /// <summary>Creates a <see cref="SharedAutoencoderAnomalyTrainer"/> with every setting given by <paramref name="options"/>.</summary>
        /// <param name="catalog">The anomaly detection trainers catalog.</param>
        /// <param name="options">The settings; validated now, before any data is read.</param>
        /// <returns>The trainer.</returns>
        public static SharedAutoencoderAnomalyTrainer SharedAutoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog,
            SharedAutoencoderAnomalyTrainer.Options options)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            MLNetVersionCheck.EnsureSupported();
            return new SharedAutoencoderAnomalyTrainer(CatalogUtils.GetEnvironment(catalog), options);
        }
    
        /// <summary>
        /// Loads a model file written by <c>mlContext.Model.Save</c> whose model is (or whose chain ends with) a shared
        /// autoencoder anomaly detector, typed so that <c>mlContext.AnomalyDetection.ChangeModelThreshold</c> and
        /// the typed <c>Model</c> can be used on it (<c>mlContext.Model.Load</c> returns
        /// ML.NET's untyped form). The threshold saved with the model is kept. The file is checked as by
        /// <c>LoadSharedAutoencoder</c>: every zip entry's CRC-32 first, then the model's lengths, values and checksum.
        /// </summary>
        /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
        /// <param name="filePath">The model file.</param>
        /// <param name="inputSchema">The schema the model was trained on.</param>
        /// <returns>The anomaly detector.</returns>
        /// <exception cref="FormatException">The file is damaged, not an ML.NET model, too new, or holds another kind of model; the message says which.</exception>
        public static AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters> LoadSharedAutoencoderAnomalyDetector(this ModelOperationsCatalog catalog,
            string filePath, out DataViewSchema inputSchema)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckNonEmpty(filePath, nameof(filePath));
            using var stream = File.OpenRead(filePath);
            return LoadSharedAutoencoderAnomalyDetector(catalog, stream, $"'{filePath}'", out inputSchema);
        }

        /// <summary>
        /// Loads a model stream whose model is (or whose chain ends with) a shared autoencoder anomaly detector; see
        /// <see cref="LoadSharedAutoencoderAnomalyDetector(ModelOperationsCatalog, string, out DataViewSchema)"/>.
        /// </summary>
        /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
        /// <param name="stream">A readable stream positioned at the model.</param>
        /// <param name="inputSchema">The schema the model was trained on.</param>
        /// <returns>The anomaly detector.</returns>
        /// <exception cref="FormatException">The stream does not hold a valid anomaly detector; the message says why.</exception>
        public static AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters> LoadSharedAutoencoderAnomalyDetector(this ModelOperationsCatalog catalog,
            Stream stream, out DataViewSchema inputSchema)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckValue(stream, nameof(stream));
            return LoadSharedAutoencoderAnomalyDetector(catalog, stream, "the stream", out inputSchema);
        }

        private static AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters> LoadSharedAutoencoderAnomalyDetector(ModelOperationsCatalog catalog,
            Stream stream, string source, out DataViewSchema inputSchema)
        {
            MLNetVersionCheck.EnsureSupported();
            ITransformer model = ModelFileLoader.Load(catalog, stream, source, "a shared autoencoder anomaly detector", out inputSchema);
            ITransformer last = model;
            if (model is TransformerChain<ITransformer> chain && chain.Any())
                last = chain.Last();
            if (last is AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters> typed)
                return typed;
            // mlContext.Model.Load builds ML.NET's generic form, AnomalyPredictionTransformer<IPredictorProducing<float>>.
            if (last is AnomalyPredictionTransformer<IPredictorProducing<float>> { Model: SharedAutoencoderAnomalyModelParameters parameters } untyped)
            {
                return new AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters>(CatalogUtils.GetEnvironment(catalog), parameters,
                    untyped.TrainSchema, untyped.FeatureColumnName, untyped.Threshold, untyped.ThresholdColumn);
            }
            throw new FormatException($"The model in {source} is {ModelFileLoader.Describe(model)}, not a shared autoencoder anomaly detector.");
        }
    }
}
