using System.IO;
using System.IO.Compression;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>Reads and replaces entries of a saved model's zip archive.</summary>
    internal static class ZipEntries
    {
        public const string ModelEntry = "TransformerChain/Model.key";

        public static byte[] Read(byte[] file, string name = ModelEntry)
        {
            using var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read);
            using var entry = zip.GetEntry(name)!.Open();
            using var copy = new MemoryStream();
            entry.CopyTo(copy);
            return copy.ToArray();
        }

        /// <summary>The archive with the entry's content replaced (and its CRC-32 recomputed by the zip writer).</summary>
        public static byte[] Replace(byte[] file, byte[] content, string name = ModelEntry)
        {
            var stream = new MemoryStream();
            stream.Write(file);
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
            {
                zip.GetEntry(name)!.Delete();
                using var entry = zip.CreateEntry(name).Open();
                entry.Write(content);
            }
            return stream.ToArray();
        }
    }
}
