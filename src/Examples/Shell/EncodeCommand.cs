using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Shell
{
    /// <summary><c>encode</c>: encodes a CSV or .idv file with a saved model into a CSV of codes.</summary>
    internal static class EncodeCommand
    {
        public const string Usage =
@"usage: encode --model model.zip --input FILE --output codes.csv [--features SPEC] [--label-column NAME]
              [--header yes|no|auto] [--separator C]
  Writes one line per input row: the label (when --label-column is given) then the m code values. A saved pipeline
  is applied up to its (last) shared autoencoder, with every transform before it.
" + TabularInput.OptionsHelp;

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args, new[] { "model", "input", "output", "features", "label-column", "header", "separator" });
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            string modelPath = line.ExistingFile("model");
            string input = line.ExistingFile("input");
            string outputPath = line.Required("output");
            using var outputs = new OutputFiles(modelPath, input);
            outputs.CheckDistinct(("--output", outputPath));

            var mlContext = Contexts.Create(null, error);
            ITransformer loaded;
            try
            {
                loaded = mlContext.Model.Load(modelPath, out _);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InputException($"--model: {modelPath} is not a saved ML.NET model ({e.Message}).");
            }
            var chain = loaded as TransformerChain<ITransformer>;
            var autoencoder = loaded as SharedAutoencoderTransformer
                ?? chain?.OfType<SharedAutoencoderTransformer>().LastOrDefault()
                ?? throw new InputException($"--model: {modelPath} holds no shared autoencoder.");

            var source = TabularInput.Load(mlContext, input, line);
            output.WriteLine(source.Description);
            IDataView codes = Apply(mlContext, chain, autoencoder, source, input);

            int m = autoencoder.Model.HiddenUnits;
            long rows = 0;
            outputs.StageText(outputPath, writer => rows = WriteCodes(writer, codes, autoencoder.OutputColumnName, source));
            outputs.Commit();
            output.WriteLine($"Encoded {rows} rows into {m} code values each: {Path.GetFullPath(outputPath)}");
            return ExitCodes.Success;
        });

        /// <summary>
        /// The codes: the autoencoder alone on the features, or a saved pipeline applied transform by transform up to the
        /// autoencoder (so a normalizer before it is not skipped; what follows it, e.g. a classifier, is not needed).
        /// </summary>
        private static IDataView Apply(MLContext mlContext, TransformerChain<ITransformer>? chain, SharedAutoencoderTransformer autoencoder, TabularSource source, string input)
        {
            IDataView data = source.Data;
            if (chain != null && !ReferenceEquals(chain.First(), autoencoder))
            {
                foreach (var transformer in chain)
                {
                    data = transformer.Transform(data);
                    if (ReferenceEquals(transformer, autoencoder))
                        return data;
                }
            }
            if (source.Dimension != autoencoder.Model.InputSize)
                throw new InputException($"{input} has {source.Dimension} feature columns, but the model encodes vectors of length {autoencoder.Model.InputSize}.");
            if (autoencoder.InputColumnName != TabularInput.FeaturesColumn)
                data = mlContext.Transforms.CopyColumns(autoencoder.InputColumnName, TabularInput.FeaturesColumn).Fit(data).Transform(data);
            return autoencoder.Transform(data);
        }

        /// <summary>Streams the codes (and the label, quoted when needed) to <paramref name="writer"/>; returns the row count.</summary>
        private static long WriteCodes(TextWriter writer, IDataView codes, string codeColumnName, TabularSource source)
        {
            var codeColumn = codes.Schema[codeColumnName];
            var labelColumn = source.LabelColumnName == null ? (DataViewSchema.Column?)null : codes.Schema[source.LabelColumnName];
            int m = ((VectorDataViewType)codeColumn.Type).Size;
            var header = Enumerable.Range(0, m).Select(i => $"code{i}");
            if (labelColumn != null)
                header = header.Prepend(Csv.Quote(source.LabelHeader ?? "label"));
            writer.WriteLine(string.Join(",", header));

            using var cursor = codes.GetRowCursor(labelColumn == null ? new[] { codeColumn } : new[] { codeColumn, labelColumn.Value });
            var codeGetter = cursor.GetGetter<VBuffer<float>>(codeColumn);
            Func<string>? label = labelColumn == null ? null : LabelText(cursor, labelColumn.Value);
            VBuffer<float> code = default;
            long rows = 0;
            while (cursor.MoveNext())
            {
                codeGetter(ref code);
                var values = code.DenseValues().Select(Csv.Format);
                writer.WriteLine(string.Join(",", label == null ? values : values.Prepend(Csv.Quote(label()))));
                rows++;
            }
            return rows;
        }

        /// <summary>The label of the current row as text: a CSV label is text; an .idv label may be text, a number or a key.</summary>
        private static Func<string> LabelText(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            Func<string> Reader<T>(Func<T, string> format)
            {
                var getter = cursor.GetGetter<T>(column);
                return () =>
                {
                    T value = default!;
                    getter(ref value);
                    return format(value);
                };
            }
            var type = column.Type;
            if (type is TextDataViewType)
                return Reader<ReadOnlyMemory<char>>(v => v.ToString());
            if (type is KeyDataViewType key && key.RawType == typeof(uint))
                return Reader<uint>(v => v.ToString(CultureInfo.InvariantCulture));
            if (type == NumberDataViewType.Single)
                return Reader<float>(Csv.Format);
            if (type == NumberDataViewType.Double)
                return Reader<double>(Csv.Format);
            if (type == NumberDataViewType.Int32)
                return Reader<int>(v => v.ToString(CultureInfo.InvariantCulture));
            if (type == NumberDataViewType.Int64)
                return Reader<long>(v => v.ToString(CultureInfo.InvariantCulture));
            if (type == BooleanDataViewType.Instance)
                return Reader<bool>(v => v ? "true" : "false");
            throw new InputException($"--label-column: column '{column.Name}' is {type}; encode copies text, number, boolean or key labels.");
        }
    }
}
