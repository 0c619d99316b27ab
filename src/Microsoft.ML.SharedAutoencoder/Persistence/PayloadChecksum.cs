using System;
using System.Collections.Generic;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SharedAutoencoder.Persistence
{
    /// <summary>
    /// The CRC-32 (IEEE 802.3, as in zip) that a model file stores after the transformer's payload. It covers the column
    /// names (which ML.NET keeps in the model's string table, outside the payload) and every payload byte, so a damaged
    /// name, size, weight, bias or history entry is found even by plain <c>mlContext.Model.Load</c>. CRC-32 detects every
    /// error burst up to 32 bits long, so every single changed byte.
    /// </summary>
    internal static class PayloadChecksum
    {
        /// <summary>A CRC-32 already holding the column names: for each pair, the output then the input name.</summary>
        public static Crc32 Start(IEnumerable<(string Output, string Input)> columns)
        {
            var crc = new Crc32();
            foreach (var (output, input) in columns)
            {
                AppendString(crc, output);
                AppendString(crc, input);
            }
            return crc;
        }

        // Length-prefixed so that ("ab", "c") and ("a", "bc") differ.
        private static void AppendString(Crc32 crc, string value)
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, value.Length);
            crc.Append(length);
            Span<byte> unit = stackalloc byte[2];
            foreach (char c in value)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(unit, c);
                crc.Append(unit);
            }
        }

        /// <summary>The bytes of <paramref name="values"/> as written to the file (little-endian, as BinaryWriter).</summary>
        public static ReadOnlySpan<byte> LittleEndianBytes(ReadOnlySpan<float> values)
        {
            if (!BitConverter.IsLittleEndian)
                throw new PlatformNotSupportedException("Model files are little-endian; this platform is big-endian.");
            return MemoryMarshal.AsBytes(values);
        }
    }
}
