using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace Microsoft.ML.SharedAutoencoder.Tests
{
    /// <summary>An independent decoder for the library's PNG files (8-bit grayscale), asserting their structure and CRCs.</summary>
    internal static class PngDecoder
    {
        public sealed record Png(int Width, int Height, byte[] Pixels);

        // An independent bitwise CRC-32 (no table), so the encoder's table is checked, not reused.
        private static uint Crc(byte[] bytes)
        {
            uint crc = 0xFFFFFFFF;
            foreach (byte b in bytes)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++)
                    crc = (crc >> 1) ^ (0xEDB88320 & (uint)-(int)(crc & 1));
            }
            return ~crc;
        }

        /// <summary>Decodes an 8-bit grayscale, non-interlaced PNG with filter type 0 on every row, checking every CRC.</summary>
        public static Png Decode(byte[] file)
        {
            CollectionAssert.AreEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, file[..8], "PNG signature");
            int offset = 8, width = 0, height = 0;
            var idat = new MemoryStream();
            string[] order = Array.Empty<string>();
            while (offset < file.Length)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(offset));
                string type = Encoding.ASCII.GetString(file, offset + 4, 4);
                byte[] typeAndData = file[(offset + 4)..(offset + 8 + length)];
                uint crc = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset + 8 + length));
                Assert.AreEqual(Crc(typeAndData), crc, $"CRC of chunk {type}");
                byte[] data = typeAndData[4..];
                if (type == "IHDR")
                {
                    Assert.HasCount(13, data);
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
                    CollectionAssert.AreEqual(new byte[] { 8, 0, 0, 0, 0 }, data[8..], "8-bit gray, deflate, no interlace");
                }
                else if (type == "IDAT")
                    idat.Write(data);
                order = order.Append(type).ToArray();
                offset += 12 + length;
            }
            Assert.AreEqual(file.Length, offset, "chunks end at the end of the file");
            CollectionAssert.AreEqual(new[] { "IHDR", "IDAT", "IEND" }, order);

            idat.Position = 0;
            using var inflated = new MemoryStream();
            using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
                zlib.CopyTo(inflated);
            byte[] raw = inflated.ToArray();
            Assert.HasCount(height * (width + 1), raw);
            var pixels = new byte[width * height];
            for (int y = 0; y < height; y++)
            {
                Assert.AreEqual(0, raw[y * (width + 1)], $"filter byte of row {y}");
                Array.Copy(raw, y * (width + 1) + 1, pixels, y * width, width);
            }
            return new Png(width, height, pixels);
        }
    }
}
