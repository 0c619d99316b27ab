using System;
using System.Collections.Generic;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// An in-memory <see cref="IDataView"/> over the images (and optionally labels) of IDX files such as MNIST and
    /// Fashion-MNIST. The raw bytes are held once; each row's <c>Features</c> are decoded when read: the pixels in
    /// row-major order, each byte b as b / 255 in [0, 1]. <c>Label</c>, when a labels file was given, is a key: label
    /// byte v is key value v + 1 (0 is ML.NET's missing key) and its key values are the texts "0", "1", …, so
    /// <c>MapKeyToValue</c> gives back the label as written. Row ids are the image indices in the file.
    /// Created by <c>mlContext.Data.LoadFromIdx(imagesPath, labelsPath)</c>.
    /// </summary>
    public sealed class IdxDataView : IDataView
    {
        /// <summary>The name of the pixel column.</summary>
        public const string FeaturesColumnName = "Features";

        /// <summary>The name of the label column (present when a labels file was given).</summary>
        public const string LabelColumnName = "Label";

        private static readonly float[] ByteScale = CreateByteScale();

        private readonly IHost _host;
        private readonly byte[] _pixels;
        private readonly byte[]? _labels;
        private readonly int _rowCount;
        private readonly int _pixelCount;

        internal IdxDataView(IHostEnvironment environment, IdxArray images, IdxArray? labels, int labelCount)
        {
            Contracts.CheckValue(environment, nameof(environment));
            _host = environment.Register(nameof(IdxDataView));
            _host.CheckValue(images, nameof(images));
            _host.Check(images.ItemShape.Length == 2, "Images must be three-dimensional.");
            _host.Check(labels is null || labels.Count == images.Count, "One label per image.");
            _pixels = images.Data;
            _labels = labels?.Data;
            _rowCount = images.Count;
            ImageHeight = images.ItemShape[0];
            ImageWidth = images.ItemShape[1];
            _pixelCount = ImageHeight * ImageWidth;

            var builder = new DataViewSchema.Builder();
            builder.AddColumn(FeaturesColumnName, new VectorDataViewType(NumberDataViewType.Single, _pixelCount));
            if (labels is not null)
            {
                LabelCount = labelCount;
                builder.AddColumn(LabelColumnName, new KeyDataViewType(typeof(uint), labelCount), KeyValueAnnotations(labelCount));
            }
            Schema = builder.ToSchema();
        }

        /// <summary>The number of rows (images) read.</summary>
        public long RowCount => _rowCount;

        /// <summary>The height of each image in pixels (the IDX file's second dimension).</summary>
        public int ImageHeight { get; }

        /// <summary>The width of each image in pixels (the IDX file's third dimension).</summary>
        public int ImageWidth { get; }

        /// <summary>The key count of <c>Label</c> (labels 0 … count − 1), or null without a labels file.</summary>
        public int? LabelCount { get; }

        /// <summary>The schema: <c>Features</c> (Vector&lt;Single, height·width&gt;) and, with labels, <c>Label</c> (Key&lt;UInt32&gt;).</summary>
        public DataViewSchema Schema { get; }

        /// <summary>True: a cursor given a <see cref="Random"/> returns the rows in a random order.</summary>
        public bool CanShuffle => true;

        /// <summary>The number of rows.</summary>
        public long? GetRowCount() => _rowCount;

        /// <summary>A cursor over all rows, in file order, or in a random order when <paramref name="rand"/> is given.</summary>
        /// <param name="columnsNeeded">The columns to make active.</param>
        /// <param name="rand">Null for the file order; otherwise the source of the random order.</param>
        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
            => new Cursor(this, ActiveColumns(columnsNeeded), rand is null ? null : new RowPermutation(_rowCount, rand));

        /// <summary>
        /// One cursor, as <see cref="GetRowCursor"/>: decoding a row costs little next to what consumes it, so splitting
        /// the rows between cursors would gain nothing (ML.NET accepts fewer cursors than asked for).
        /// </summary>
        /// <param name="columnsNeeded">The columns to make active.</param>
        /// <param name="n">The number of cursors wanted (one is returned).</param>
        /// <param name="rand">Null for the file order; otherwise the source of the random order.</param>
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => new[] { GetRowCursor(columnsNeeded, rand) };

        private bool[] ActiveColumns(IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _host.CheckValue(columnsNeeded, nameof(columnsNeeded));
            var active = new bool[Schema.Count];
            foreach (DataViewSchema.Column column in columnsNeeded)
            {
                _host.CheckParam(column.Index < Schema.Count && Schema[column.Index].Name == column.Name, nameof(columnsNeeded), $"Column '{column.Name}' is not in this data view's schema.");
                active[column.Index] = true;
            }
            return active;
        }

        private static DataViewSchema.Annotations KeyValueAnnotations(int labelCount)
        {
            var names = new ReadOnlyMemory<char>[labelCount];
            for (int i = 0; i < labelCount; i++)
                names[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture).AsMemory();
            var annotations = new DataViewSchema.Annotations.Builder();
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> value) =>
                value = new VBuffer<ReadOnlyMemory<char>>(labelCount, (ReadOnlyMemory<char>[])names.Clone());
            annotations.Add(AnnotationUtils.Kinds.KeyValues, new VectorDataViewType(TextDataViewType.Instance, labelCount), getter);
            return annotations.ToAnnotations();
        }

        // b / 255 for every byte value, computed once: the same float as the division, at the cost of a load.
        private static float[] CreateByteScale()
        {
            var scale = new float[256];
            for (int b = 0; b < scale.Length; b++)
                scale[b] = b / 255f;
            return scale;
        }

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly IdxDataView _view;
            private readonly bool[] _active;
            private readonly RowPermutation? _permutation;
            private long _position = -1;
            private int _row = -1;
            private bool _done;

            public Cursor(IdxDataView view, bool[] active, RowPermutation? permutation)
            {
                _view = view;
                _active = active;
                _permutation = permutation;
            }

            public override DataViewSchema Schema => _view.Schema;

            public override long Position => _position;

            public override long Batch => 0;

            public override bool MoveNext()
            {
                if (_done)
                    return false;
                long next = _position + 1;
                if (next >= _view._rowCount)
                {
                    Dispose();
                    return false;
                }
                _position = next;
                _row = (int)(_permutation is null ? next : _permutation[next]);
                return true;
            }

            protected override void Dispose(bool disposing)
            {
                if (_done)
                    return;
                _done = true;
                _position = -1;
                _row = -1;
                base.Dispose(disposing);
            }

            public override bool IsColumnActive(DataViewSchema.Column column)
            {
                _view._host.CheckParam(column.Index < _active.Length, nameof(column));
                return _active[column.Index];
            }

            public override ValueGetter<DataViewRowId> GetIdGetter()
                => (ref DataViewRowId value) =>
                {
                    CheckGood();
                    value = new DataViewRowId((ulong)_row, 0);
                };

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                _view._host.CheckParam(column.Index < _active.Length && _active[column.Index], nameof(column), "The requested column is not active.");
                Delegate getter = column.Name == FeaturesColumnName ? (ValueGetter<VBuffer<float>>)GetFeatures : (ValueGetter<uint>)GetLabel;
                if (getter is not ValueGetter<TValue> typed)
                    throw _view._host.ExceptParam(nameof(column), $"Column '{column.Name}' has type {column.Type}, not {typeof(TValue)}.");
                return typed;
            }

            private void CheckGood() => _view._host.Check(_position >= 0, RowCursorUtils.FetchValueStateError);

            private void GetFeatures(ref VBuffer<float> value)
            {
                CheckGood();
                int length = _view._pixelCount;
                var editor = VBufferEditor.Create(ref value, length);
                // The reader keeps count·length ≤ Array.MaxLength, so the offset fits an int.
                ReadOnlySpan<byte> pixels = _view._pixels.AsSpan(_row * length, length);
                Span<float> values = editor.Values;
                float[] scale = ByteScale;
                for (int i = 0; i < pixels.Length; i++)
                    values[i] = scale[pixels[i]];
                value = editor.Commit();
            }

            private void GetLabel(ref uint value)
            {
                CheckGood();
                value = _view._labels![_row] + 1u;
            }
        }
    }
}
