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
            => LoadFromBilinearModel(catalog, options, rowCount, firstRow: 0);

        /// <summary>
        /// A lazy data view of the rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>)
        /// of the bilinear model y = A x* + η: the same rows, with the same row ids, as those positions of a view loaded
        /// from row 0, since a row is a function of (seed, row index) alone. Processes sharing one dataset each load their
        /// own range with the same options and seed. Otherwise as
        /// <see cref="LoadFromBilinearModel(DataOperationsCatalog, BilinearModelOptions, long)"/>.
        /// </summary>
        /// <param name="catalog">The data catalog of an <see cref="MLContext"/>.</param>
        /// <param name="options">The model; copied and validated. Set <see cref="BilinearModelOptions.Seed"/> so that every range comes from one model.</param>
        /// <param name="rowCount">The number of rows in the range, ≥ 0.</param>
        /// <param name="firstRow">The model row index of the range's first row, ≥ 0.</param>
        public static BilinearModelDataView LoadFromBilinearModel(this DataOperationsCatalog catalog, BilinearModelOptions options, long rowCount, long firstRow)
        {
            ArgumentNullException.ThrowIfNull(catalog);
            ArgumentNullException.ThrowIfNull(options);
            if (rowCount < 0)
                throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, $"{nameof(rowCount)} must be non-negative, got {rowCount}.");
            if (firstRow < 0 || firstRow > long.MaxValue - rowCount)
                throw new ArgumentOutOfRangeException(nameof(firstRow), firstRow, $"{nameof(firstRow)} must be non-negative and {nameof(firstRow)} + {nameof(rowCount)} must fit in a long, got {firstRow}.");
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
            return new BilinearModelDataView(host, model, rowCount, firstRow);
        }
    }
}
