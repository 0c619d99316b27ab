using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Shell
{
    /// <summary>
    /// The shell commands' input, as a lazy <see cref="IDataView"/> with a known-size float vector column
    /// <c>Features</c> and, when a label column is named, that column (text for CSV) under <see cref="LabelColumnName"/>.
    /// Nothing is held in memory: the library streams it when it is larger than memory.
    /// </summary>
    internal sealed record TabularSource(IDataView Data, int Dimension, long Rows, string? LabelColumnName, string? LabelHeader, string Description);

    /// <summary>
    /// Reads CSV with ML.NET's <see cref="TextLoader"/> (RFC 4180 quoting, quoted separators and line breaks, any file
    /// size) or ML.NET's binary IDataView (.idv). One streaming pass checks every feature value and counts the rows, so bad
    /// data is refused with its row and column before any training, and the row count read is reported.
    /// </summary>
    internal static class TabularInput
    {
        public const string OptionsHelp =
@"  --features SPEC       feature columns: names or 0-based indices, ranges allowed (""0-63"", ""a,b,c""); default: all
                        columns except the label. For .idv: column names (float scalars or known-size vectors).
  --label-column NAME   a column to leave out of the features (and, for encode, to copy to the output); name or index
  --header yes|no|auto  whether the CSV's first line names the columns; auto: yes when a column holds text in the first
                        line and a number in the second (a text label column alone never makes a header)
  --separator C         CSV field separator; default ','";

        /// <summary>The name of the feature vector column in every loaded view.</summary>
        public const string FeaturesColumn = "Features";

        private const string FieldsColumn = "Fields";
        private const string LabelColumn = "Label";

        public static bool IsBinary(string path) => string.Equals(Path.GetExtension(path), ".idv", StringComparison.OrdinalIgnoreCase);

        /// <summary>Loads <paramref name="path"/> as the options of <paramref name="line"/> say, and checks every row.</summary>
        public static TabularSource Load(MLContext mlContext, string path, Arguments line)
        {
            if (IsBinary(path))
                return LoadBinary(mlContext, path, line.String("features"), line.String("label-column"));
            return LoadCsv(mlContext, path, line.String("features"), line.String("label-column"),
                line.Choice<bool?>("header", null, ("auto", null), ("yes", true), ("no", false)), Separator(line));
        }

        private static char Separator(Arguments line)
        {
            string text = line.String("separator", ",");
            if (text == "\\t" || text == "tab")
                return '\t';
            if (text.Length != 1 || text[0] == '"')
                throw new UsageException($"Option --separator needs one character other than '\"', got '{text}'.");
            return text[0];
        }

        public static TabularSource LoadCsv(MLContext mlContext, string path, string? featureSpec, string? labelColumn, bool? header, char separator)
        {
            var first = PeekRecords(mlContext, path, separator, 2);
            if (first.Count == 0)
                throw new InputException($"{path} is empty.");
            bool hasHeader = header ?? LooksLikeHeader(first);
            string[] names = hasHeader ? first[0] : Enumerable.Range(0, first[0].Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

            int? labelIndex = labelColumn == null ? null : ResolveColumn(labelColumn, names, path, "--label-column");
            int[] featureIndices = featureSpec == null
                ? Enumerable.Range(0, names.Length).Where(i => i != labelIndex).ToArray()
                : ParseSpec(featureSpec, names, path);
            if (featureIndices.Length == 0)
                throw new InputException($"{path}: no feature columns are left (columns: {string.Join(", ", names)}).");
            if (labelIndex is int li && featureIndices.Contains(li))
                throw new InputException($"{path}: column '{names[li]}' is both the label and a feature.");

            var columns = new List<TextLoader.Column>
            {
                new(FieldsColumn, DataKind.String, new[] { new TextLoader.Range(0, null) { AutoEnd = false, VariableEnd = true } }),
                new(FeaturesColumn, DataKind.Single, Runs(featureIndices).Select(r => new TextLoader.Range(r.From, r.To)).ToArray()),
            };
            if (labelIndex is int l)
                columns.Add(new TextLoader.Column(LabelColumn, DataKind.String, l));
            IDataView data = mlContext.Data.CreateTextLoader(CsvOptions(separator, hasHeader, columns.ToArray())).Load(path);

            long rows = CheckRows(data, path, names, featureIndices, hasHeader);
            string description = FormattableString.Invariant(
                $"Read {rows} rows × {featureIndices.Length} features from {path} (header: {(hasHeader ? "yes" : "no")}{(header == null ? ", detected" : "")}).");
            return new TabularSource(data, featureIndices.Length, rows, labelIndex == null ? null : LabelColumn,
                labelIndex is int lh ? names[lh] : null, description);
        }

        private static TextLoader.Options CsvOptions(char separator, bool hasHeader, TextLoader.Column[] columns) => new()
        {
            Separators = new[] { separator },
            AllowQuoting = true,
            ReadMultilines = true,
            HasHeader = hasHeader,
            TrimWhitespace = true,
            // An empty feature field is NaN (refused by the check below), never a silent 0.
            MissingRealsAsNaNs = true,
            Columns = columns,
        };

        /// <summary>The first <paramref name="count"/> records as fields, parsed exactly as the data will be.</summary>
        private static List<string[]> PeekRecords(MLContext mlContext, string path, char separator, int count)
        {
            var column = new TextLoader.Column(FieldsColumn, DataKind.String, new[] { new TextLoader.Range(0, null) { AutoEnd = false, VariableEnd = true } });
            IDataView view = mlContext.Data.CreateTextLoader(CsvOptions(separator, hasHeader: false, new[] { column })).Load(path);
            var result = new List<string[]>();
            using var cursor = view.GetRowCursor(view.Schema);
            var getter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(view.Schema[FieldsColumn]);
            VBuffer<ReadOnlyMemory<char>> fields = default;
            while (result.Count < count && cursor.MoveNext())
            {
                getter(ref fields);
                result.Add(fields.DenseValues().Select(f => f.ToString().Trim()).ToArray());
            }
            return result;
        }

        /// <summary>
        /// A header when some column holds text in the first record and a number in the second: a column of text labels,
        /// or an empty cell, never makes the first data row a header (that would drop it silently).
        /// </summary>
        private static bool LooksLikeHeader(IReadOnlyList<string[]> first)
        {
            static bool IsNumber(string s) => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            if (first.Count < 2)
                return first[0].All(f => f.Length > 0 && !IsNumber(f));
            int shared = Math.Min(first[0].Length, first[1].Length);
            return Enumerable.Range(0, shared).Any(j => first[0][j].Length > 0 && !IsNumber(first[0][j]) && IsNumber(first[1][j]));
        }

        /// <summary>One pass over the file: every record has every column, every feature is a finite number.</summary>
        private static long CheckRows(IDataView data, string path, string[] names, int[] featureIndices, bool hasHeader)
        {
            var fieldsColumn = data.Schema[FieldsColumn];
            var featuresColumn = data.Schema[FeaturesColumn];
            using var cursor = data.GetRowCursor(new[] { fieldsColumn, featuresColumn });
            var fieldsGetter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(fieldsColumn);
            var featuresGetter = cursor.GetGetter<VBuffer<float>>(featuresColumn);
            VBuffer<ReadOnlyMemory<char>> fields = default;
            VBuffer<float> features = default;
            long rows = 0;
            while (cursor.MoveNext())
            {
                rows++;
                string where = $"{path}, data row {rows}{(hasHeader ? " (after the header)" : "")}";
                fieldsGetter(ref fields);
                if (fields.Length != names.Length)
                    throw new InputException($"{where}: {fields.Length} fields, expected {names.Length}.");
                featuresGetter(ref features);
                var values = features.GetValues();
                for (int j = 0; j < values.Length; j++)
                {
                    if (!float.IsFinite(values[j]))
                    {
                        string text = fields.GetItemOrDefault(featureIndices[j]).ToString().Trim();
                        throw new InputException($"{where}, column '{names[featureIndices[j]]}': '{text}' is not a finite number.");
                    }
                }
            }
            if (rows == 0)
                throw new InputException(hasHeader ? $"{path} has a header but no rows." : $"{path} has no rows.");
            return rows;
        }

        private static IEnumerable<(int From, int To)> Runs(int[] indices)
        {
            int start = 0;
            for (int i = 1; i <= indices.Length; i++)
            {
                if (i == indices.Length || indices[i] != indices[i - 1] + 1)
                {
                    yield return (indices[start], indices[i - 1]);
                    start = i;
                }
            }
        }

        private static int[] ParseSpec(string spec, string[] names, string path)
        {
            var result = new List<int>();
            foreach (string part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int dash = part.IndexOf('-', 1);
                if (dash > 0 && int.TryParse(part.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int from)
                    && int.TryParse(part.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int to))
                {
                    if (from > to || to >= names.Length)
                        throw new InputException($"{path}: column range '{part}' is outside 0-{names.Length - 1}.");
                    result.AddRange(Enumerable.Range(from, to - from + 1));
                }
                else
                {
                    result.Add(ResolveColumn(part, names, path, "--features"));
                }
            }
            return result.Distinct().ToArray();
        }

        private static int ResolveColumn(string nameOrIndex, string[] names, string path, string option)
        {
            int byName = Array.IndexOf(names, nameOrIndex);
            if (byName >= 0)
                return byName;
            if (int.TryParse(nameOrIndex, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < names.Length)
                return index;
            throw new InputException($"{option}: {path} has no column '{nameOrIndex}'. Columns: {string.Join(", ", names)}.");
        }

        private static TabularSource LoadBinary(MLContext mlContext, string path, string? featureSpec, string? labelColumn)
        {
            IDataView data = mlContext.Data.LoadFromBinary(path);
            var schema = data.Schema;
            string Columns() => string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"));
            if (labelColumn != null && schema.GetColumnOrNull(labelColumn) == null)
                throw new InputException($"--label-column: {path} has no column '{labelColumn}'. Columns: {Columns()}.");
            string[] requested = featureSpec?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                ?? (schema.GetColumnOrNull(FeaturesColumn) != null ? new[] { FeaturesColumn }
                    : schema.Where(c => !c.IsHidden && c.Name != labelColumn && IsFloatColumn(c.Type)).Select(c => c.Name).ToArray());
            int dimension = 0;
            foreach (string name in requested)
            {
                var column = schema.GetColumnOrNull(name)
                    ?? throw new InputException($"--features: {path} has no column '{name}'. Columns: {Columns()}.");
                if (!IsFloatColumn(column.Type))
                    throw new InputException($"--features: column '{name}' of {path} is {column.Type}; a float scalar or known-size float vector is needed.");
                dimension += column.Type is VectorDataViewType v ? v.Size : 1;
            }
            if (dimension == 0)
                throw new InputException($"{path}: no float feature columns.");
            if (!(requested.Length == 1 && requested[0] == FeaturesColumn && schema[FeaturesColumn].Type is VectorDataViewType))
                data = mlContext.Transforms.Concatenate(FeaturesColumn, requested).Fit(data).Transform(data);
            long rows = data.GetRowCount() ?? CountRows(data);
            return new TabularSource(data, dimension, rows, labelColumn, labelColumn,
                FormattableString.Invariant($"Read {rows} rows × {dimension} features from {path}."));
        }

        private static long CountRows(IDataView data)
        {
            long rows = 0;
            using var cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>());
            while (cursor.MoveNext())
                rows++;
            return rows;
        }

        private static bool IsFloatColumn(DataViewType type)
            => type == NumberDataViewType.Single || (type is VectorDataViewType v && v.ItemType == NumberDataViewType.Single && v.IsKnownSize);
    }
}
