using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Examples
{
    /// <summary>Numeric rows read from a CSV file: the chosen feature columns and an optional label column (as text).</summary>
    internal sealed record FeatureTable(List<float[]> Rows, string[] FeatureNames, List<string>? Labels, string? LabelName);

    /// <summary>Reads the shell commands' input: CSV (numeric columns) or ML.NET's binary IDataView (.idv).</summary>
    internal static class TabularInput
    {
        public const string OptionsHelp =
@"  --features SPEC       feature columns: names or 0-based indices, ranges allowed (""0-63"", ""a,b,c""); default: all
                        columns except the label. For .idv: column names (float scalars or known-size vectors).
  --label-column NAME   a column to leave out of the features (and, for encode, to copy to the output); name or index
  --header yes|no|auto  whether the CSV's first line names the columns; auto: yes when a field is not a number
  --separator C         CSV field separator; default ','";

        public static bool IsBinary(string path) => string.Equals(Path.GetExtension(path), ".idv", StringComparison.OrdinalIgnoreCase);

        /// <summary>Loads <paramref name="path"/> into a view with a known-size <c>Features</c> vector column.</summary>
        public static (IDataView Data, int Dimension, FeatureTable? Table) Load(MLContext mlContext, string path, CommandLine line)
        {
            if (IsBinary(path))
            {
                var (data, dimension) = LoadBinary(mlContext, path, line.String("features"), line.String("label-column"));
                return (data, dimension, null);
            }
            var table = ReadCsv(path, line.String("features"), line.String("label-column"),
                line.Choice<bool?>("header", null, ("auto", null), ("yes", true), ("no", false)), Separator(line));
            return (DenseData.ToDataView(mlContext, table.Rows, null, table.FeatureNames.Length, 1), table.FeatureNames.Length, table);
        }

        private static char Separator(CommandLine line)
        {
            string text = line.String("separator", ",");
            if (text == "\\t" || text == "tab")
                return '\t';
            if (text.Length != 1)
                throw new UsageException($"Option --separator needs one character, got '{text}'.");
            return text[0];
        }

        public static FeatureTable ReadCsv(string path, string? featureSpec, string? labelColumn, bool? header, char separator)
        {
            var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToList();
            if (lines.Count == 0)
                throw new InputException($"{path} is empty.");
            var first = lines[0].Split(separator).Select(f => f.Trim()).ToArray();
            bool hasHeader = header ?? first.Any(f => !float.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            string[] names = hasHeader ? first : Enumerable.Range(0, first.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

            int? labelIndex = labelColumn == null ? null : ResolveColumn(labelColumn, names, path, "--label-column");
            int[] featureIndices = featureSpec == null
                ? Enumerable.Range(0, names.Length).Where(i => i != labelIndex).ToArray()
                : ParseSpec(featureSpec, names, path);
            if (featureIndices.Length == 0)
                throw new InputException($"{path}: no feature columns are left (columns: {string.Join(", ", names)}).");
            if (labelIndex is int li && featureIndices.Contains(li))
                throw new InputException($"{path}: column '{names[li]}' is both the label and a feature.");

            var rows = new List<float[]>();
            var labels = labelIndex == null ? null : new List<string>();
            for (int r = hasHeader ? 1 : 0; r < lines.Count; r++)
            {
                var fields = lines[r].Split(separator);
                if (fields.Length != names.Length)
                    throw new InputException($"{path}, line {r + 1}: {fields.Length} fields, expected {names.Length}.");
                var row = new float[featureIndices.Length];
                for (int j = 0; j < featureIndices.Length; j++)
                {
                    string field = fields[featureIndices[j]].Trim();
                    if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out row[j]) || !float.IsFinite(row[j]))
                        throw new InputException($"{path}, line {r + 1}, column '{names[featureIndices[j]]}': '{field}' is not a finite number.");
                }
                rows.Add(row);
                labels?.Add(fields[labelIndex!.Value].Trim());
            }
            if (rows.Count == 0)
                throw new InputException($"{path} has a header but no rows.");
            return new FeatureTable(rows, featureIndices.Select(i => names[i]).ToArray(), labels, labelIndex is int l ? names[l] : null);
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

        private static (IDataView Data, int Dimension) LoadBinary(MLContext mlContext, string path, string? featureSpec, string? labelColumn)
        {
            IDataView data = mlContext.Data.LoadFromBinary(path);
            var schema = data.Schema;
            string[] requested = featureSpec?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                ?? (schema.GetColumnOrNull("Features") != null ? new[] { "Features" }
                    : schema.Where(c => !c.IsHidden && c.Name != labelColumn && IsFloatColumn(c.Type)).Select(c => c.Name).ToArray());
            int dimension = 0;
            foreach (string name in requested)
            {
                var column = schema.GetColumnOrNull(name)
                    ?? throw new InputException($"--features: {path} has no column '{name}'. Columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"))}.");
                if (!IsFloatColumn(column.Type))
                    throw new InputException($"--features: column '{name}' of {path} is {column.Type}; a float scalar or known-size float vector is needed.");
                dimension += column.Type is VectorDataViewType v ? v.Size : 1;
            }
            if (dimension == 0)
                throw new InputException($"{path}: no float feature columns.");
            if (requested.Length == 1 && requested[0] == "Features" && schema["Features"].Type is VectorDataViewType)
                return (data, dimension);
            return (mlContext.Transforms.Concatenate("Features", requested).Fit(data).Transform(data), dimension);
        }

        private static bool IsFloatColumn(DataViewType type)
            => type == NumberDataViewType.Single || (type is VectorDataViewType v && v.ItemType == NumberDataViewType.Single && v.IsKnownSize);
    }
}
