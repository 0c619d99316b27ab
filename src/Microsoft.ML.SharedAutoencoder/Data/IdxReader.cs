using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// The items of one IDX file of unsigned bytes: <see cref="Count"/> items of <see cref="ItemShape"/>, stored one after
    /// the other in <see cref="Data"/> (row-major, as in the file).
    /// </summary>
    internal sealed class IdxArray
    {
        internal IdxArray(int declaredCount, int[] itemShape, int count, byte[] data)
        {
            DeclaredCount = declaredCount;
            ItemShape = itemShape;
            Count = count;
            Data = data;
        }

        /// <summary>The item count the header declares (may exceed <see cref="Count"/> when a limit was given).</summary>
        internal int DeclaredCount { get; }

        /// <summary>The dimensions after the first: [rows, columns] for images, empty for labels.</summary>
        internal int[] ItemShape { get; }

        /// <summary>The number of items read.</summary>
        internal int Count { get; }

        /// <summary>The bytes of the items read, item after item.</summary>
        internal byte[] Data { get; }
    }

    /// <summary>
    /// Reads IDX files of unsigned bytes (the MNIST format: a big-endian magic 0x0000 08 r, then r big-endian int32
    /// dimensions, then the bytes), plain or gzip-compressed (recognised by the first bytes 1f 8b, whatever the name).
    /// Every length in the header is checked against the bytes actually there before anything is allocated in
    /// proportion to it, so a damaged file gives a <see cref="FormatException"/>, never a hang or an out-of-memory.
    /// </summary>
    internal static class IdxReader
    {
        internal const byte UnsignedByteType = 0x08;

        // A gzip file's decompressed length is unknown until read: the buffer grows from here up to the declared length,
        // so a damaged header declaring gigabytes costs no more than the data really present.
        private const int InitialGzipBuffer = 1 << 22;

        /// <summary>Reads the first <paramref name="maxItems"/> items (all when null) of an IDX file of the given rank.</summary>
        /// <param name="path">The file.</param>
        /// <param name="rank">The number of dimensions expected: 3 for images, 1 for labels.</param>
        /// <param name="what">What the file holds, for messages ("images", "labels").</param>
        /// <param name="maxItems">Null, or the most items to read (≥ 0).</param>
        internal static IdxArray Read(string path, int rank, string what, int? maxItems)
        {
            if (string.IsNullOrWhiteSpace(path))
                throw new ArgumentException($"The path of the IDX {what} file is empty.", nameof(path));
            string fullPath = Path.GetFullPath(path);
            if (!File.Exists(fullPath))
                throw new FileNotFoundException($"The IDX {what} file '{fullPath}' does not exist.", fullPath);
            using var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            Span<byte> signature = stackalloc byte[2];
            int signatureLength = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
            file.Position = 0;
            bool gzip = signatureLength == 2 && signature[0] == 0x1f && signature[1] == 0x8b;
            if (!gzip)
                return ReadFrom(file, file.Length, fullPath, rank, what, maxItems);
            try
            {
                using var decompressed = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
                return ReadFrom(decompressed, null, fullPath, rank, what, maxItems);
            }
            catch (InvalidDataException e)
            {
                throw new FormatException($"The IDX {what} file '{fullPath}' starts like gzip (1f 8b) but is not valid gzip data ({e.Message}); the file is damaged: download it again.", e);
            }
        }

        // source: the IDX bytes from the magic number on; length: their number when known (a plain file), else null.
        private static IdxArray ReadFrom(Stream source, long? length, string path, int rank, string what, int? maxItems)
        {
            int headerLength = 4 + 4 * rank;
            byte[] header = new byte[headerLength];
            ReadHeaderPart(source, header.AsSpan(0, 4), path, what);
            CheckMagic(header, path, rank, what);
            ReadHeaderPart(source, header.AsSpan(4), path, what);

            int[] dims = new int[rank];
            for (int d = 0; d < rank; d++)
            {
                uint dim = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4 + 4 * d));
                if (dim > int.MaxValue || (d > 0 && dim == 0))
                    throw new FormatException($"The IDX {what} file '{path}' declares dimension {d} as {dim}; it must be in [{(d > 0 ? 1 : 0)}, {int.MaxValue}]: the header is damaged.");
                dims[d] = (int)dim;
            }
            long itemSize = 1;
            for (int d = 1; d < rank; d++)
            {
                itemSize *= dims[d];
                if (itemSize > Array.MaxLength)
                    throw new FormatException($"The IDX {what} file '{path}' declares items of {FormatShape(dims)} bytes, more than {Array.MaxLength} bytes each: the header is damaged.");
            }
            int count = maxItems is int limit ? Math.Min(limit, dims[0]) : dims[0];
            long declaredBytes = dims[0] * itemSize;
            long wantedBytes = count * itemSize;

            if (length is long available)
            {
                long present = available - headerLength;
                if (present < declaredBytes)
                    throw new FormatException($"The IDX {what} file '{path}' is truncated: its header declares {dims[0]} items of {FormatShape(dims)} = {declaredBytes} bytes, but only {present} bytes follow the header. Download the file again.");
                if (present > declaredBytes)
                    throw new FormatException($"The IDX {what} file '{path}' has {present - declaredBytes} bytes after the {declaredBytes} bytes its header declares ({dims[0]} items of {FormatShape(dims)}): the header is damaged or the file is not an IDX file.");
            }
            if (wantedBytes > Array.MaxLength)
                throw new FormatException($"The IDX {what} file '{path}' declares {dims[0]} items of {FormatShape(dims)} = {declaredBytes} bytes, more than one array holds ({Array.MaxLength}); pass a row limit to read fewer, or the header is damaged.");

            byte[] data = ReadBody(source, (int)wantedBytes, length is null ? InitialGzipBuffer : (int)wantedBytes, path, what, dims, declaredBytes);
            // A compressed file's length is known only once read; when all of it was asked for, nothing may follow.
            if (length is null && count == dims[0] && source.ReadByte() >= 0)
                throw new FormatException($"The IDX {what} file '{path}' decompresses to more data after the {declaredBytes} bytes its header declares ({dims[0]} items of {FormatShape(dims)}): the header is damaged or the file is not an IDX file.");
            return new IdxArray(dims[0], dims[1..], count, data);
        }

        private static void CheckMagic(byte[] header, string path, int rank, string what)
        {
            string expected = $"00 00 08 {rank:x2}";
            if (header[0] != 0 || header[1] != 0)
                throw new FormatException($"The file '{path}' is not an IDX {what} file: it starts with {Convert.ToHexString(header, 0, 4)}, not the IDX magic number {expected} (nor gzip's 1f 8b).");
            if (header[2] != UnsignedByteType)
                throw new FormatException($"The IDX {what} file '{path}' stores {TypeName(header[2])} values (type 0x{header[2]:x2}); only unsigned bytes (type 0x08, as in MNIST) are supported.");
            if (header[3] != rank)
                throw new FormatException($"The IDX file '{path}' has {header[3]} dimension(s), but an IDX {what} file has {rank} (magic number {expected}). Are the images and labels paths swapped?");
        }

        private static void ReadHeaderPart(Stream source, Span<byte> part, string path, string what)
        {
            int read = source.ReadAtLeast(part, part.Length, throwOnEndOfStream: false);
            if (read < part.Length)
                throw new FormatException($"The IDX {what} file '{path}' is truncated inside its header. Download the file again.");
        }

        private static byte[] ReadBody(Stream source, int wanted, int initialCapacity, string path, string what, int[] dims, long declaredBytes)
        {
            var data = new byte[Math.Min(wanted, initialCapacity)];
            int filled = 0;
            while (filled < wanted)
            {
                if (filled == data.Length)
                    Array.Resize(ref data, (int)Math.Min(wanted, 2L * data.Length));
                int read = source.Read(data, filled, data.Length - filled);
                if (read == 0)
                    throw new FormatException($"The IDX {what} file '{path}' is truncated: its data ends after {filled} of the {declaredBytes} bytes its header declares ({dims[0]} items of {FormatShape(dims)}). Download the file again.");
                filled += read;
            }
            return data;
        }

        private static string FormatShape(int[] dims) => dims.Length == 1 ? "1" : string.Join("×", dims[1..]);

        private static string TypeName(byte type) => type switch
        {
            0x09 => "signed byte",
            0x0B => "16-bit integer",
            0x0C => "32-bit integer",
            0x0D => "32-bit float",
            0x0E => "64-bit float",
            _ => "unknown-type",
        };
    }
}
