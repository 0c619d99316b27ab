using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Microsoft.ML.SharedAutoencoder.Visualization
{
    /// <summary>
    /// Writes 8-bit grayscale PNG images (PNG specification, ISO/IEC 15948): the signature, IHDR (colour type 0, no
    /// interlace), one IDAT holding the zlib stream of the rows (each with filter byte 0, "None"), and IEND; each chunk
    /// ends with the CRC-32 of its type and data. Dependency-free so the library needs no imaging package.
    /// </summary>
    internal static class PngEncoder
    {
        internal static ReadOnlySpan<byte> Signature => new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };

        private static readonly uint[] CrcTable = CreateCrcTable();

        /// <summary>Writes <paramref name="pixels"/> (row-major, <paramref name="width"/> × <paramref name="height"/>, 0 = black) as a PNG.</summary>
        internal static void WriteGrayscale(Stream stream, byte[] pixels, int width, int height)
        {
            if (width < 1 || height < 1 || (long)width * height != pixels.Length)
                throw new ArgumentException($"A {width}×{height} image needs {(long)width * height} pixels, got {pixels.Length}.", nameof(pixels));
            stream.Write(Signature);

            var header = new byte[13];
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), width);
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
            header[8] = 8; // bit depth; bytes 9..12 (colour type gray, deflate, adaptive filtering, no interlace) are 0
            WriteChunk(stream, "IHDR", header);

            using var compressed = new MemoryStream();
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (int y = 0; y < height; y++)
                {
                    zlib.WriteByte(0);
                    zlib.Write(pixels, y * width, width);
                }
            }
            WriteChunk(stream, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
            WriteChunk(stream, "IEND", ReadOnlySpan<byte>.Empty);
        }

        private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> data)
        {
            Span<byte> word = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
            stream.Write(word);
            byte[] typeBytes = Encoding.ASCII.GetBytes(type);
            stream.Write(typeBytes);
            stream.Write(data);
            BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(Crc32(0, typeBytes), data));
            stream.Write(word);
        }

        /// <summary>Continues the CRC-32 (polynomial 0xEDB88320, as in PNG and zlib) of earlier bytes, <paramref name="crc"/>, over <paramref name="data"/>.</summary>
        internal static uint Crc32(uint crc, ReadOnlySpan<byte> data)
        {
            crc = ~crc;
            foreach (byte b in data)
                crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return ~crc;
        }

        private static uint[] CreateCrcTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < table.Length; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++)
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                table[n] = c;
            }
            return table;
        }
    }
}
