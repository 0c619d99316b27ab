using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SharedAutoencoder.Persistence
{
    /// <summary>
    /// Reads the transformer's payload and keeps its CRC-32 (<see cref="PayloadChecksum"/>). Every read is checked against
    /// the bytes left in the model block before anything is allocated or read: ML.NET 5.0.1's array reader loops forever
    /// when the data run out, so a damaged length must be refused here, not discovered there.
    /// </summary>
    internal sealed class PayloadReader
    {
        private readonly IExceptionContext _ectx;
        private readonly Stream _stream;
        private readonly long _end;
        private readonly Crc32 _crc;

        public PayloadReader(IExceptionContext ectx, ModelLoadContext ctx, IEnumerable<(string Output, string Input)> columns)
        {
            _ectx = ectx;
            _stream = ctx.Reader.BaseStream;
            // ML.NET's header gives the model block's place; BeginRead has checked it lies inside the stream.
            _end = ctx.FpMin + ctx.Header.FpModel + ctx.Header.CbModel;
            _crc = PayloadChecksum.Start(columns);
        }

        /// <summary>The bytes left in the model block.</summary>
        public long Remaining => _end - _stream.Position;

        /// <summary>Refuses a read of <paramref name="bytes"/> bytes that the model block cannot hold.</summary>
        public void Require(long bytes, string what)
        {
            if (bytes < 0 || bytes > Remaining)
                throw _ectx.ExceptDecode($"The model file is damaged or truncated: {what} needs {bytes} bytes, but {Math.Max(Remaining, 0)} remain.");
        }

        private void Read(Span<byte> bytes, string what, bool hashed = true)
        {
            Require(bytes.Length, what);
            _stream.ReadExactly(bytes);
            if (hashed)
                _crc.Append(bytes);
        }

        public int ReadInt32(string what)
        {
            Span<byte> bytes = stackalloc byte[4];
            Read(bytes, what);
            return BinaryPrimitives.ReadInt32LittleEndian(bytes);
        }

        public long ReadInt64(string what)
        {
            Span<byte> bytes = stackalloc byte[8];
            Read(bytes, what);
            return BinaryPrimitives.ReadInt64LittleEndian(bytes);
        }

        public float ReadSingle(string what)
        {
            Span<byte> bytes = stackalloc byte[4];
            Read(bytes, what);
            return BinaryPrimitives.ReadSingleLittleEndian(bytes);
        }

        public double ReadDouble(string what)
        {
            Span<byte> bytes = stackalloc byte[8];
            Read(bytes, what);
            return BinaryPrimitives.ReadDoubleLittleEndian(bytes);
        }

        public byte ReadByte(string what)
        {
            Span<byte> bytes = stackalloc byte[1];
            Read(bytes, what);
            return bytes[0];
        }

        /// <summary>Reads <paramref name="count"/> floats (no count stored), after checking that they are there.</summary>
        public float[] ReadSingles(long count, string what)
        {
            Require(count * sizeof(float), what);
            var values = new float[count];
            PayloadChecksum.LittleEndianBytes(values); // refuses a big-endian platform before reading
            Read(MemoryMarshal.AsBytes(values.AsSpan()), what);
            return values;
        }

        /// <summary>Refuses the file when bytes follow the payload (and its checksum, once read).</summary>
        public void RequireEnd()
        {
            if (Remaining != 0)
                throw _ectx.ExceptDecode($"The model file is damaged: {Remaining} bytes follow the transformer's data.");
        }

        /// <summary>Reads the stored CRC-32 and refuses the file when it differs from the CRC-32 of what was read.</summary>
        public void VerifyChecksum()
        {
            Span<byte> bytes = stackalloc byte[4];
            Read(bytes, "the checksum", hashed: false);
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
            uint actual = _crc.GetCurrentHashAsUInt32();
            if (stored != actual)
            {
                throw _ectx.ExceptDecode($"The model file is damaged: the transformer's checksum is 0x{actual:X8}, the file says 0x{stored:X8} "
                    + "(a value, a size or a column name changed after saving).");
            }
        }
    }
}
