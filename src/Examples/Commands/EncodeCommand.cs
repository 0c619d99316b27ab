using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Examples
{
    /// <summary><c>encode</c>: encodes a CSV or .idv file with a saved model into a CSV of codes.</summary>
    internal static class EncodeCommand
    {
        public const string Usage =
@"usage: encode --model model.zip --input FILE --output codes.csv [--features SPEC] [--label-column NAME]
              [--header yes|no|auto] [--separator C]
  Writes one line per input row: the label (when --label-column is given) then the m code values.
" + TabularInput.OptionsHelp;

        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new CommandLine(args, new[] { "model", "input", "output", "features", "label-column", "header", "separator" });
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            string modelPath = line.ExistingFile("model");
            string input = line.ExistingFile("input");
            string outputPath = line.Required("output");

            var mlContext = new MLContext();
            ITransformer loaded;
            try
            {
                loaded = mlContext.Model.Load(modelPath, out _);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InputException($"--model: {modelPath} is not a saved ML.NET model ({e.Message}).");
            }
            var autoencoder = loaded as SharedAutoencoderTransformer
                ?? (loaded as TransformerChain<ITransformer>)?.OfType<SharedAutoencoderTransformer>().LastOrDefault()
                ?? throw new InputException($"--model: {modelPath} holds no shared autoencoder.");

            var (data, dimension, table) = TabularInput.Load(mlContext, input, line);
            if (dimension != autoencoder.Model.InputSize)
                throw new InputException($"{input} has {dimension} feature columns, but the model encodes vectors of length {autoencoder.Model.InputSize}.");
            if (autoencoder.InputColumnName != "Features")
                data = mlContext.Transforms.CopyColumns(autoencoder.InputColumnName, "Features").Fit(data).Transform(data);
            var codes = DenseData.ReadVectors(autoencoder.Transform(data), autoencoder.OutputColumnName);

            int m = autoencoder.Model.HiddenUnits;
            var header = Enumerable.Range(0, m).Select(i => $"code{i}");
            var labels = table?.Labels;
            if (labels != null)
                header = new[] { table!.LabelName ?? "label" }.Concat(header);
            TrainCommand.CreateDirectoryFor(outputPath);
            Csv.Write(outputPath, header, codes.Select((code, r) =>
            {
                var values = code.Select(Csv.Format);
                return labels == null ? values : new[] { labels[r] }.Concat(values);
            }));
            output.WriteLine($"Encoded {codes.Count} rows into {m} code values each: {Path.GetFullPath(outputPath)}");
            return ExitCodes.Success;
        });
    }
}
