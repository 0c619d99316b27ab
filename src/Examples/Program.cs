using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Common;
using Microsoft.ML.SharedAutoencoder.Examples.Featurization;
using Microsoft.ML.SharedAutoencoder.Examples.Research;
using Microsoft.ML.SharedAutoencoder.Examples.Samples;
using Microsoft.ML.SharedAutoencoder.Examples.Shell;

namespace Microsoft.ML.SharedAutoencoder.Examples
{
    /// <summary>The examples program: one command per way the library is used; <c>reproduce</c> by default.</summary>
    internal static class Program
    {
        /// <summary>Every command: name, one-line description, entry point (a static <c>int Run(string[] args)</c>), role (its folder).</summary>
        internal static readonly IReadOnlyList<(string Name, string Description, Func<string[], int> Run, string Role)> Commands =
            new (string, string, Func<string[], int>, string)[]
        {
            ("pipeline", "SharedAutoencoder inside a pipeline feeding SdcaMaximumEntropy: codes vs raw features", PipelineCommand.Run, Samples),
            ("digits", "UCI handwritten digits: overcomplete codes vs raw pixels for a linear classifier", DigitsCommand.Run, Samples),
            ("save-load", "fit, save to a zip, load in a new MLContext, predict with a PredictionEngine", SaveLoadCommand.Run, Samples),
            ("train", "train on a CSV or .idv file; save the model and the weights", TrainCommand.Run, Shell),
            ("train-distributed", "train over MPI (mpiexec.mpich -n P): each rank its rows, the model of one process", TrainDistributedCommand.Run, Shell),
            ("encode", "encode a CSV or .idv file with a saved model (or pipeline) into codes (CSV)", EncodeCommand.Run, Shell),
            ("fashion", "Fashion-MNIST: raw pixels, PCA and each encoding as features of a linear classifier", FashionCommand.Run, Featurization),
            ("digits-features", "UCI digits over 5 seeded 1/3 held-out splits: pixels, PCA and each encoding as features", DigitsFeaturesCommand.Run, Featurization),
            ("reproduce", "the paper's Section 6 (Figures 2 and 3, three readings of its set-up); the default", ReproduceCommand.Run, Research),
            ("anomaly", "one-class anomaly detection (digits or Fashion-MNIST): RandomizedPca vs this trainer, per class; ROC PNG", AnomalyCommand.Run, Research),
            ("experiments", "recovery from scratch: phase-transition heat maps over noise and sparsity × initialization", ExperimentsCommand.Run, Research),
        };

        private const string Samples = "API samples (src/Examples/Samples: short, one concept each; copy them)";
        private const string Shell = "your own data (src/Examples/Shell)";
        private const string Featurization = "featurization on real data (src/Examples/Featurization: the measurements of docs/featurization.md)";
        private const string Research = "research (src/Examples/Research: the paper reproduction and experiments)";

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
            };
            int width = Commands.Max(c => c.Name.Length) + 2;
            foreach (var role in Commands.Select(c => c.Role).Distinct())
            {
                lines.Add(role + ":");
                lines.AddRange(Commands.Where(c => c.Role == role).Select(c => $"  {c.Name.PadRight(width)}{c.Description}"));
            }
            lines.Add("");
            lines.Add("help, or <command> --help: a command's options");
            lines.Add("exit codes: 0 success, 1 bad input (missing file, bad column, bad data), 2 bad command line");
            return string.Join(Environment.NewLine, lines);
        }
    }
}
