using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// A lazy <see cref="IDataView"/> over rows of a <see cref="BilinearModel"/>: each row is generated when read, from
    /// (seed, row index) alone, so serial, shuffled and parallel cursors see the same rows. Columns: <c>Features</c>
    /// (y, dense, n floats), <c>LatentCode</c> (x*, sparse, m floats) and, for the mixture model, <c>Label</c> (the
    /// component as a 1-based key of cardinality m). Row ids are the model's row indices.
    /// Created by <c>mlContext.Data.LoadFromBilinearModel(options, rowCount)</c>; also gives the ground truth. A view may
    /// start at a later row of the model (<see cref="FirstRow"/>): then its rows are the model's rows
    /// [<see cref="FirstRow"/>, <see cref="FirstRow"/> + <see cref="RowCount"/>), so one N-row dataset can be split
    /// between processes, each generating only its own rows.
    /// </summary>
    public sealed class BilinearModelDataView : IDataView
    {
        /// <summary>The name of the observation column y.</summary>
        public const string FeaturesColumnName = "Features";

        /// <summary>The name of the latent code column x*.</summary>
        public const string LatentCodeColumnName = "LatentCode";

        /// <summary>The name of the mixture component column (mixture model only).</summary>
        public const string LabelColumnName = "Label";

        // Rows are dealt to the cursors of a set in blocks; the block number is the cursor's Batch, which lets a
        // consolidator restore the serial order.
        internal const int BlockLength = 64;

        private readonly IHost _host;
        private readonly long _rowCount;
        private readonly long _firstRow;

        internal BilinearModelDataView(IHostEnvironment environment, BilinearModel model, long rowCount, long firstRow = 0)
        {
            Contracts.CheckValue(environment, nameof(environment));
            _host = environment.Register(nameof(BilinearModelDataView));
            _host.CheckValue(model, nameof(model));
            if (rowCount < 0)
                throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, $"{nameof(rowCount)} must be non-negative, got {rowCount}.");
            if (firstRow < 0 || firstRow > long.MaxValue - rowCount)
                throw new ArgumentOutOfRangeException(nameof(firstRow), firstRow, $"{nameof(firstRow)} must be non-negative and {nameof(firstRow)} + {nameof(rowCount)} must fit in a long, got {firstRow}.");
            Model = model;
            _rowCount = rowCount;
            _firstRow = firstRow;

            var builder = new DataViewSchema.Builder();
            builder.AddColumn(FeaturesColumnName, new VectorDataViewType(NumberDataViewType.Single, model.FeatureCount));
            builder.AddColumn(LatentCodeColumnName, new VectorDataViewType(NumberDataViewType.Single, model.AtomCount));
            if (model.LatentCodeModel == LatentCodeModel.MixtureOfGaussians)
                builder.AddColumn(LabelColumnName, new KeyDataViewType(typeof(uint), model.AtomCount));
            Schema = builder.ToSchema();
        }

        /// <summary>The model generating the rows.</summary>
        public BilinearModel Model { get; }

        /// <summary>The options of the model, including the seed actually used.</summary>
        public BilinearModelOptions Options => Model.Options;

        /// <summary>The number of rows.</summary>
        public long RowCount => _rowCount;

        /// <summary>The model row index of this view's row 0 (0 unless the view is a range of a larger dataset).</summary>
        public long FirstRow => _firstRow;

        /// <summary>A copy of the dictionary A as its columns: m arrays of length n, array i = atom A_i.</summary>
        public float[][] Dictionary => Model.GetDictionaryColumns();

        /// <summary>The mutual coherence μ = √n·max_{i≠j}|⟨A_i, A_j⟩| of the dictionary.</summary>
        public double MutualCoherence => Model.MutualCoherence;

        /// <summary>The spectral norm ‖A‖₂ of the dictionary.</summary>
        public double SpectralNorm => Model.SpectralNorm;

        /// <summary>The schema: <c>Features</c>, <c>LatentCode</c> and, for the mixture model, <c>Label</c>.</summary>
        public DataViewSchema Schema { get; }

        /// <summary>True: a cursor given a <see cref="Random"/> returns the rows in a random order.</summary>
        public bool CanShuffle => true;

        /// <summary>The number of rows.</summary>
        public long? GetRowCount() => _rowCount;

        /// <summary>The latent code x* of row <paramref name="row"/> of this view (model row <see cref="FirstRow"/> + <paramref name="row"/>), dense (m floats).</summary>
        /// <param name="row">The row index in this view, in [0, <see cref="RowCount"/>).</param>
        public float[] GetLatentCode(long row)
        {
            CheckRow(row);
            int count = Model.NonzeroCount;
            var indices = new int[count];
            var values = new float[count];
            Model.GetLatentCode(_firstRow + row, indices, values);
            var dense = new float[Model.AtomCount];
            for (int j = 0; j < count; j++)
                dense[indices[j]] = values[j];
            return dense;
        }

        /// <summary>The observation y of row <paramref name="row"/> of this view (model row <see cref="FirstRow"/> + <paramref name="row"/>), n floats.</summary>
        /// <param name="row">The row index in this view, in [0, <see cref="RowCount"/>).</param>
        public float[] GetFeatures(long row)
        {
            CheckRow(row);
            var features = new float[Model.FeatureCount];
            Model.GenerateRow(_firstRow + row, features, new int[Model.NonzeroCount], new float[Model.NonzeroCount]);
            return features;
        }

        private void CheckRow(long row)
        {
            if (row < 0 || row >= _rowCount)
                throw new ArgumentOutOfRangeException(nameof(row), row, $"{nameof(row)} must be in [0, {_rowCount}), got {row}.");
        }

        /// <summary>A cursor over all rows, in order, or in a random order when <paramref name="rand"/> is given.</summary>
        /// <param name="columnsNeeded">The columns to make active.</param>
        /// <param name="rand">Null for the row order; otherwise the source of the random order.</param>
        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            bool[] active = ActiveColumns(columnsNeeded);
            return new Cursor(this, active, Permutation(rand), 0, 1);
        }

        /// <summary>
        /// Up to <paramref name="n"/> cursors splitting the rows between them, in blocks of 64 consecutive positions of
        /// the (possibly shuffled) order; their <see cref="DataViewRow.Batch"/> is the block number.
        /// </summary>
        /// <param name="columnsNeeded">The columns to make active.</param>
        /// <param name="n">The number of cursors wanted; fewer are returned when there are fewer blocks.</param>
        /// <param name="rand">Null for the row order; otherwise the source of the random order shared by the cursors.</param>
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        {
            bool[] active = ActiveColumns(columnsNeeded);
            RowPermutation? permutation = Permutation(rand);
            long blocks = (_rowCount + BlockLength - 1) / BlockLength;
            int count = (int)Math.Clamp(Math.Min(n, blocks), 1, int.MaxValue);
            var cursors = new DataViewRowCursor[count];
            for (int i = 0; i < count; i++)
                cursors[i] = new Cursor(this, active, permutation, i, count);
            return cursors;
        }

        private RowPermutation? Permutation(Random? rand) => rand is null ? null : new RowPermutation(_rowCount, rand);

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

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly BilinearModelDataView _view;
            private readonly BilinearModel _model;
            private readonly bool[] _active;
            private readonly RowPermutation? _permutation;
            private readonly int _cursorIndex;
            private readonly int _cursorCount;

            private readonly float[] _features;
            private readonly int[] _indices;
            private readonly float[] _values;
            private long _orderPosition = -1;
            private long _position = -1;
            private long _row = -1;
            private long _latentRow = -1;
            private long _featuresRow = -1;
            private bool _done;

            public Cursor(BilinearModelDataView view, bool[] active, RowPermutation? permutation, int cursorIndex, int cursorCount)
            {
                _view = view;
                _model = view.Model;
                _active = active;
                _permutation = permutation;
                _cursorIndex = cursorIndex;
                _cursorCount = cursorCount;
                _features = new float[_model.FeatureCount];
                _indices = new int[_model.NonzeroCount];
                _values = new float[_model.NonzeroCount];
            }

            public override DataViewSchema Schema => _view.Schema;

            public override long Position => _position;

            public override long Batch => _orderPosition < 0 ? 0 : _orderPosition / BlockLength;

            private bool IsGood => _position >= 0;

            public override bool MoveNext()
            {
                if (_done)
                    return false;
                long next;
                if (_orderPosition < 0)
                    next = (long)_cursorIndex * BlockLength;
                else
                {
                    next = _orderPosition + 1;
                    // Leaving our block: skip the blocks of the other cursors of the set.
                    if (next % BlockLength == 0 && next < _view._rowCount)
                        next += (long)(_cursorCount - 1) * BlockLength;
                }
                if (next >= _view._rowCount)
                {
                    Dispose();
                    return false;
                }
                _orderPosition = next;
                _row = _view._firstRow + (_permutation is null ? next : _permutation[next]);
                _position++;
                return true;
            }

            protected override void Dispose(bool disposing)
            {
                if (_done)
                    return;
                _done = true;
                _position = -1;
                _orderPosition = -1;
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
                    _view._host.Check(IsGood, RowCursorUtils.FetchValueStateError);
                    value = new DataViewRowId((ulong)_row, 0);
                };

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                _view._host.CheckParam(column.Index < _active.Length && _active[column.Index], nameof(column), "The requested column is not active.");
                Delegate getter = column.Name switch
                {
                    FeaturesColumnName => (ValueGetter<VBuffer<float>>)GetFeatures,
                    LatentCodeColumnName => (ValueGetter<VBuffer<float>>)GetLatentCode,
                    _ => (ValueGetter<uint>)GetLabel,
                };
                if (getter is not ValueGetter<TValue> typed)
                    throw _view._host.ExceptParam(nameof(column), $"Column '{column.Name}' has type {column.Type}, not {typeof(TValue)}.");
                return typed;
            }

            private void GetFeatures(ref VBuffer<float> value)
            {
                EnsureFeatures();
                var editor = VBufferEditor.Create(ref value, _features.Length);
                _features.CopyTo(editor.Values);
                value = editor.Commit();
            }

            private void GetLatentCode(ref VBuffer<float> value)
            {
                EnsureLatentCode();
                var editor = VBufferEditor.Create(ref value, _model.AtomCount, _indices.Length);
                _values.CopyTo(editor.Values);
                _indices.CopyTo(editor.Indices);
                value = editor.Commit();
            }

            private void GetLabel(ref uint value)
            {
                EnsureLatentCode();
                value = (uint)_indices[0] + 1;
            }

            private void EnsureLatentCode()
            {
                _view._host.Check(IsGood, RowCursorUtils.FetchValueStateError);
                if (_latentRow != _row)
                {
                    _model.GetLatentCode(_row, _indices, _values);
                    _latentRow = _row;
                }
            }

            private void EnsureFeatures()
            {
                _view._host.Check(IsGood, RowCursorUtils.FetchValueStateError);
                if (_featuresRow != _row)
                {
                    _model.GenerateRow(_row, _features, _indices, _values);
                    _featuresRow = _latentRow = _row;
                }
            }
        }
    }
}
