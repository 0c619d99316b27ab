using System;
using System.IO;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;

namespace Microsoft.ML
{
    /// <summary>Loads images and labels from IDX files (the MNIST and Fashion-MNIST format).</summary>
    public static class IdxCatalog
    {
        /// <summary>
        /// Reads an IDX images file (magic 0x00000803: unsigned bytes [count, rows, columns]) and optionally its IDX labels
        /// file (magic 0x00000801: unsigned bytes [count]) into memory, plain or gzip-compressed (recognised by the
        /// first bytes 1f 8b, whatever the name), and returns them as a data view with <c>Features</c>
        /// (Vector&lt;Single, rows·columns&gt;, each pixel byte b as b / 255) and, with labels, <c>Label</c>
        /// (Key&lt;UInt32&gt;: label v is key v + 1; the key count is <paramref name="labelCount"/>, by default the largest
        /// label in the whole labels file + 1, e.g. 10 for MNIST). The files are read once, here; rows decode when read.
        /// </summary>
        /// <param name="catalog">The data catalog of an <see cref="MLContext"/>.</param>
        /// <param name="imagesPath">The IDX images file, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
        /// <param name="labelsPath">The IDX labels file for the same images, e.g. <c>train-labels-idx1-ubyte.gz</c>, or null for no <c>Label</c> column.</param>
        /// <param name="rowLimit">Null to read every image; otherwise read only the first <paramref name="rowLimit"/> (≥ 1) images and labels, for quick runs.</param>
        /// <param name="labelCount">
        /// Null to take the key count from the labels file (largest label + 1); otherwise the key count to use, greater than
        /// every label in the file. Give it when a split may lack the largest class, so that training and test keys agree.
        /// </param>
        /// <exception cref="FileNotFoundException">A file does not exist (the message names its full path).</exception>
        /// <exception cref="FormatException">
        /// A file is not an IDX file of unsigned bytes of the right rank, is truncated, has bytes after its declared data,
        /// declares dimensions that cannot hold, or is damaged gzip.
        /// </exception>
        /// <exception cref="ArgumentException">
        /// A path is empty, <paramref name="rowLimit"/> &lt; 1, the images and labels counts differ, or <paramref name="labelCount"/>
        /// is not greater than every label.
        /// </exception>
        public static IdxDataView LoadFromIdx(this DataOperationsCatalog catalog, string imagesPath, string? labelsPath = null, int? rowLimit = null, int? labelCount = null)
        {
            ArgumentNullException.ThrowIfNull(catalog);
            ArgumentNullException.ThrowIfNull(imagesPath);
            if (rowLimit < 1)
                throw new ArgumentOutOfRangeException(nameof(rowLimit), rowLimit, $"{nameof(rowLimit)} must be at least 1 (or null to read every image), got {rowLimit}.");
            if (labelCount is int requested && (requested < 1 || labelCount > byte.MaxValue + 1))
                throw new ArgumentOutOfRangeException(nameof(labelCount), labelCount, $"{nameof(labelCount)} must be in [1, 256] (labels are bytes), or null to take it from the labels file; got {labelCount}.");
            IHost host = catalog.GetEnvironment().Register(nameof(LoadFromIdx));

            IdxArray images = IdxReader.Read(imagesPath, 3, "images", rowLimit);
            if (labelsPath is null)
                return new IdxDataView(host, images, null, 0);

            // The labels are read whole (one byte a row) so the key count does not depend on the row limit.
            IdxArray labels = IdxReader.Read(labelsPath, 1, "labels", null);
            if (labels.DeclaredCount != images.DeclaredCount)
                throw new ArgumentException(
                    $"The images file '{imagesPath}' holds {images.DeclaredCount} images but the labels file '{labelsPath}' holds {labels.DeclaredCount} labels: " +
                    "pass the labels file that belongs to these images (e.g. train-images with train-labels, t10k-images with t10k-labels).", nameof(labelsPath));
            int largest = -1;
            foreach (byte label in labels.Data)
                largest = Math.Max(largest, label);
            int keyCount = labelCount ?? Math.Max(largest + 1, 1);
            if (keyCount <= largest)
                throw new ArgumentOutOfRangeException(nameof(labelCount), labelCount, $"The labels file '{labelsPath}' has label {largest}; {nameof(labelCount)} must be greater than every label (at least {largest + 1}), or null to take it from the file.");
            var used = new IdxArray(labels.DeclaredCount, labels.ItemShape, images.Count, labels.Data.AsSpan(0, images.Count).ToArray());
            return new IdxDataView(host, images, used, keyCount);
        }
    }
}
