using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Examples
{
    /// <summary>The examples program: one command per way the library is used; <c>reproduce</c> by default.</summary>
    internal static class Program
    {
        /// <summary>Every command: name, one-line description, entry point (a static <c>int Run(string[] args)</c>).</summary>
        internal static readonly IReadOnlyList<(string Name, string Description, Func<string[], int> Run)> Commands = new (string, string, Func<string[], int>)[]
        {
            ("reproduce", "the paper's Section 6 (Figures 2 and 3, three readings of its set-up); the default", ReproduceCommand.Run),
            ("pipeline", "SharedAutoencoder inside a pipeline feeding SdcaMaximumEntropy: codes vs raw features", PipelineCommand.Run),
            ("digits", "UCI handwritten digits: overcomplete codes vs raw pixels for a linear classifier", DigitsCommand.Run),
            ("fashion", "Fashion-MNIST: raw pixels, PCA and each encoding as features of a linear classifier", FashionCommand.Run),
            ("digits-features", "UCI digits, 5 seeded 1/3 held-out splits: pixels, PCA and each encoding as features of a linear classifier", DigitsFeaturesCommand.Run),
            ("save-load", "fit, save to a zip, load in a new MLContext, predict with a PredictionEngine", SaveLoadCommand.Run),
            ("train", "train on a CSV or .idv file; save the model and the weights", TrainCommand.Run),
            ("encode", "encode a CSV file with a saved model into codes (CSV)", EncodeCommand.Run),
            ("experiments", "recovery from scratch: phase-transition heat maps over noise and sparsity × initialization", ExperimentsCommand.Run),
        };

        private static int Main(string[] args) => Dispatch(args, Console.Out, Console.Error);

        internal static int Dispatch(string[] args, TextWriter output, TextWriter error)
        {
            // No command, or options only: the main job.
            if (args.Length == 0 || (args[0].StartsWith("--", StringComparison.Ordinal) && args[0] != "--help"))
                return ReproduceCommand.Run(args);
            string name = args[0];
            if (name is "help" or "--help" or "-h")
            {
                output.WriteLine(Help());
                return ExitCodes.Success;
            }
            var command = Commands.FirstOrDefault(c => c.Name == name);
            if (command.Run == null)
            {
                error.WriteLine($"error: unknown command '{name}'.");
                error.WriteLine();
                error.WriteLine(Help());
                return ExitCodes.UsageError;
            }
            return command.Run(args.Skip(1).ToArray());
        }

        internal static string Help()
        {
            var lines = new List<string>
            {
                "Microsoft.ML.SharedAutoencoder examples",
                "usage: dotnet run --project src/Examples -c Release -- <command> [options]   (no command: reproduce)",
                "",
                "commands:",
            };
            int width = Commands.Max(c => c.Name.Length) + 2;
            lines.AddRange(Commands.Select(c => $"  {c.Name.PadRight(width)}{c.Description}"));
            lines.Add($"  {"help".PadRight(width)}this list; <command> --help shows a command's options");
            lines.Add("");
            lines.Add("exit codes: 0 success, 1 bad input (missing file, bad column, bad data), 2 bad command line");
            return string.Join(Environment.NewLine, lines);
        }
    }
}
