using System;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;
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
        /// ML.NET's untyped form). The threshold saved with the model is kept.
        /// </summary>
        /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
        /// <param name="filePath">The model file.</param>
        /// <param name="inputSchema">The schema the model was trained on.</param>
        /// <returns>The anomaly detector.</returns>
        /// <exception cref="FormatException">The file holds another kind of model.</exception>
        public static AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters> LoadSharedAutoencoderAnomalyDetector(this ModelOperationsCatalog catalog,
            string filePath, out DataViewSchema inputSchema)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckNonEmpty(filePath, nameof(filePath));
            MLNetVersionCheck.EnsureSupported();
            ITransformer model = catalog.Load(filePath, out inputSchema);
            if (model is TransformerChain<ITransformer> chain && chain.Any())
                model = chain.Last();
            if (model is AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters> typed)
                return typed;
            // mlContext.Model.Load builds ML.NET's generic form, AnomalyPredictionTransformer<IPredictorProducing<float>>.
            if (model is AnomalyPredictionTransformer<IPredictorProducing<float>> { Model: SharedAutoencoderAnomalyModelParameters parameters } untyped)
            {
                return new AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters>(CatalogUtils.GetEnvironment(catalog), parameters,
                    untyped.TrainSchema, untyped.FeatureColumnName, untyped.Threshold, untyped.ThresholdColumn);
            }
            throw new FormatException($"The model in '{filePath}' is a {model.GetType().Name}, not a shared autoencoder anomaly detector.");
        }
    }
}
