using System;
using System.IO;
using System.IO.Compression;
using System.IO.Hashing;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Persistence
{
    /// <summary>
    /// Checks an ML.NET model file as a zip archive before ML.NET reads it. ML.NET 5.0.1 extracts the entries without
    /// comparing them with the CRC-32 the zip stores, and .NET's deflate decoder turns many damaged bytes into different
    /// data without an error; so every entry is read in full here and its length and CRC-32 compared with the zip's
    /// directory.
    /// </summary>
    internal static class ModelArchive
    {
        /// <summary>The entry ML.NET writes a saved transformer (or chain) to.</summary>
        public const string ModelEntry = "TransformerChain/Model.key";

        /// <summary>
        /// Why the archive at the stream's position is not an intact ML.NET model, or null when every entry is intact. The
        /// stream is left where it was.
        /// </summary>
        public static string? FindDamage(Stream stream)
        {
            long start = stream.Position;
            try
            {
                return FindDamageCore(stream);
            }
            finally
            {
                stream.Position = start;
            }
        }

        private static string? FindDamageCore(Stream stream)
        {
            ZipArchive archive;
            try
            {
                archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
                // The central directory is read on first use; a damaged one fails here.
                _ = archive.Entries;
            }
            catch (InvalidDataException error)
            {
                return $"it is not a readable zip archive, as ML.NET models are ({error.Message})";
            }
            using (archive)
            {
                var buffer = new byte[1 << 16];
                foreach (ZipArchiveEntry entry in archive.Entries)
                {
                    if (EntryDamage(entry, buffer) is string damage)
                        return damage;
                }
                // ML.NET also accepts the entry written with a backslash by old versions.
                if (!archive.Entries.Any(e => e.FullName.Replace('\\', '/') == ModelEntry))
                    return $"it is a zip archive but not an ML.NET model: it has no '{ModelEntry}' entry";
            }
            return null;
        }

        private static string? EntryDamage(ZipArchiveEntry entry, byte[] buffer)
        {
            var crc = new Crc32();
            long length = 0;
            try
            {
                using Stream content = entry.Open();
                int read;
                while ((read = content.Read(buffer, 0, buffer.Length)) > 0)
                {
                    crc.Append(buffer.AsSpan(0, read));
                    length += read;
                }
            }
            catch (Exception error) when (error is InvalidDataException or NotSupportedException)
            {
                return $"the zip entry '{entry.FullName}' cannot be read ({error.Message}); the file is damaged";
            }
            uint actual = crc.GetCurrentHashAsUInt32();
            if (length != entry.Length || actual != entry.Crc32)
            {
                return $"the zip entry '{entry.FullName}' is damaged: it holds {length} bytes with CRC-32 0x{actual:X8}, "
                    + $"the zip directory says {entry.Length} bytes with CRC-32 0x{entry.Crc32:X8}";
            }
            return null;
        }
    }
}
