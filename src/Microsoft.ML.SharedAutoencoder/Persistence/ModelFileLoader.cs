using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Persistence
{
    /// <summary>
    /// The checked load behind <c>LoadSharedAutoencoder</c>, <c>LoadWhitening</c> and
    /// <c>LoadSharedAutoencoderAnomalyDetector</c>: the zip is checked entry by entry (<see cref="ModelArchive"/>) before
    /// ML.NET reads it, and every failure the file causes becomes one <see cref="FormatException"/> saying why.
    /// </summary>
    internal static class ModelFileLoader
    {
        /// <summary>Loads the model in <paramref name="stream"/> (copied first when it cannot seek: it is read twice).</summary>
        /// <param name="catalog">The model operations catalog.</param>
        /// <param name="stream">The model file's content.</param>
        /// <param name="source">The file for messages: <c>'path'</c> or <c>the stream</c>.</param>
        /// <param name="what">What is loaded, for messages: "a shared autoencoder model".</param>
        /// <param name="inputSchema">The schema the model was trained on.</param>
        /// <exception cref="FormatException">The file is damaged, truncated, not an ML.NET model or too new.</exception>
        public static ITransformer Load(ModelOperationsCatalog catalog, Stream stream, string source, string what, out DataViewSchema inputSchema)
        {
            if (!stream.CanSeek)
            {
                var copy = new MemoryStream();
                stream.CopyTo(copy);
                copy.Position = 0;
                stream = copy;
            }
            if (ModelArchive.FindDamage(stream) is string damage)
                throw new FormatException($"Cannot load {what} from {source}: {damage}.");
            try
            {
                return catalog.Load(stream, out inputSchema);
            }
            catch (Exception error) when (FailureReason(error) is string reason)
            {
                // ML.NET wraps a loader's error in "Error during class instantiation"; report the cause itself.
                throw new FormatException($"Cannot load {what} from {source}: {reason}", error);
            }
        }

        /// <summary>"a NormalizingTransformer" or "a chain of A, B": what a model is, for messages.</summary>
        public static string Describe(ITransformer model) => model is TransformerChain<ITransformer> parts
            ? $"a chain of {string.Join(", ", parts.Select(p => p.GetType().Name))}"
            : $"a {model.GetType().Name}";

        /// <summary>
        /// Why ML.NET could not load the (zip-intact) model, or null for a failure that is not the file's: out of memory,
        /// cancellation, an I/O error while ML.NET extracts the entries to temporary files.
        /// </summary>
        private static string? FailureReason(Exception error)
        {
            Exception? decoding = null;
            Exception innermost = error;
            for (Exception? e = error; e != null; e = e.InnerException)
            {
                if (e is FormatException or InvalidDataException or EndOfStreamException)
                    decoding = e;
                innermost = e;
            }
            return (decoding ?? innermost) switch
            {
                InvalidDataException cause => $"it is not a readable zip archive, as ML.NET models are ({cause.Message}).",
                EndOfStreamException => "the file is truncated.",
                FormatException cause when cause.Message == new FormatException().Message => "the file is damaged or truncated.",
                // This package's loaders say what is damaged; ML.NET's header checks are terse ("Wrong file type").
                FormatException cause when IsOwnMessage(cause.Message) => cause.Message,
                FormatException cause => $"ML.NET's check of the model file failed ({cause.Message}); the file is damaged or not an ML.NET model.",
                // A damaged loader name or assembly name in ML.NET's model header ends here.
                FileNotFoundException or FileLoadException or System.Globalization.CultureNotFoundException
                    => $"the file names a component assembly that cannot be loaded ({innermost.Message.Trim()}); the file is damaged, or it was saved with a component whose package is not referenced.",
                OutOfMemoryException or OperationCanceledException or IOException => null,
                _ => $"ML.NET cannot read it ({innermost.GetType().Name}: {innermost.Message.Trim()}); the file is damaged or not an ML.NET model.",
            };
        }

        private static bool IsOwnMessage(string message)
            => message.StartsWith("The model", StringComparison.Ordinal) || message.StartsWith("The whitening model", StringComparison.Ordinal)
                || message.StartsWith("The anomaly detection model", StringComparison.Ordinal);
    }
}
