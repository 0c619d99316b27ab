using System;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;

namespace Microsoft.ML
{
    /// <summary>Loads synthetic data from the bilinear model y = A x* + η.</summary>
    public static class BilinearModelCatalog
    {
        /// <summary>
        /// A lazy data view of <paramref name="rowCount"/> rows of the bilinear model y = A x* + η, with columns
        /// <c>Features</c> (y), <c>LatentCode</c> (x*, sparse) and, for the mixture model, <c>Label</c> (the component as
        /// a key). The seed is <see cref="BilinearModelOptions.Seed"/> when set, else drawn from the context's random
        /// source; the returned view also gives the ground truth (dictionary, coherence, spectral norm, x* per row).
        /// </summary>
        /// <param name="catalog">The data catalog of an <see cref="MLContext"/>.</param>
        /// <param name="options">The model; copied and validated.</param>
        /// <param name="rowCount">The number of rows, ≥ 0; rows are generated when read, so it costs no memory.</param>
        public static BilinearModelDataView LoadFromBilinearModel(this DataOperationsCatalog catalog, BilinearModelOptions options, long rowCount)
        {
            ArgumentNullException.ThrowIfNull(catalog);
            ArgumentNullException.ThrowIfNull(options);
            if (rowCount < 0)
                throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, $"{nameof(rowCount)} must be non-negative, got {rowCount}.");
            IHost host = catalog.GetEnvironment().Register(nameof(LoadFromBilinearModel));
            BilinearModelOptions resolved = options.Clone();
            resolved.Seed ??= host.Rand.Next();
            var model = new BilinearModel(resolved);
            if (model.IsOvercompleteMixture)
            {
                using IChannel channel = host.Start(nameof(LoadFromBilinearModel));
                channel.Warning(
                    $"The mixture has more components ({nameof(BilinearModelOptions.AtomCount)} = {model.AtomCount}) than dimensions " +
                    $"({nameof(BilinearModelOptions.FeatureCount)} = {model.FeatureCount}): its component means are linearly dependent.");
            }
            return new BilinearModelDataView(host, model, rowCount);
        }
    }
}
