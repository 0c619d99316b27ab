using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Hashing;

namespace Microsoft.ML.SharedAutoencoder.Persistence
{
    /// <summary>Writes the transformer's payload little-endian and keeps its CRC-32 (<see cref="PayloadChecksum"/>).</summary>
    internal sealed class PayloadWriter
    {
        private readonly BinaryWriter _writer;
        private readonly Crc32 _crc;

        public PayloadWriter(BinaryWriter writer, IEnumerable<(string Output, string Input)> columns)
        {
            _writer = writer;
            _crc = PayloadChecksum.Start(columns);
        }

        private void Write(ReadOnlySpan<byte> bytes)
        {
            _writer.Write(bytes);
            _crc.Append(bytes);
        }

        public void Write(int value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
            Write(bytes);
        }

        public void Write(long value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            Write(bytes);
        }

        public void Write(float value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            Write(bytes);
        }

        public void Write(double value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
            Write(bytes);
        }

        public void Write(byte value) => Write([value]);

        /// <summary>Writes the values without a count.</summary>
        public void Write(ReadOnlySpan<float> values) => Write(PayloadChecksum.LittleEndianBytes(values));

        /// <summary>Writes the CRC-32 of everything written so far (the checksum itself is not covered).</summary>
        public void WriteChecksum() => _writer.Write(_crc.GetCurrentHashAsUInt32());
    }
}
