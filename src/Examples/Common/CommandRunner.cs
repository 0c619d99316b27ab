using System;
using System.IO;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Examples.Common
{
    /// <summary>A command-line mistake: unknown option, bad value, missing argument. Exit code 2.</summary>
    internal sealed class UsageException : Exception
    {
        public UsageException(string message) : base(message) { }
    }

    /// <summary>A problem with the user's input files or data (missing file, bad column). Exit code 1.</summary>
    internal sealed class InputException : Exception
    {
        public InputException(string message) : base(message) { }
    }

    /// <summary>Exit codes shared by every command.</summary>
    internal static class ExitCodes
    {
        public const int Success = 0;
        public const int InputError = 1;
        public const int UsageError = 2;
    }

    /// <summary>Runs a command body and turns the known failures into a message on stderr and an exit code.</summary>
    internal static class CommandRunner
    {
        public static int Run(TextWriter error, string usage, Func<int> body)
        {
            try
            {
                return body();
            }
            catch (UsageException e)
            {
                error.WriteLine($"error: {e.Message}");
                error.WriteLine();
                error.WriteLine(usage);
                return ExitCodes.UsageError;
            }
            catch (InputException e)
            {
                error.WriteLine($"error: {e.Message}");
                return ExitCodes.InputError;
            }
            catch (Exception e) when (IsInputProblem(e))
            {
                // ML.NET reports schema and data problems (a missing column, a non-finite value) with these types.
                error.WriteLine($"error: {e.Message}");
                return ExitCodes.InputError;
            }
            catch (AggregateException e) when (e.Flatten().InnerExceptions.All(IsInputProblem))
            {
                // Fits run in parallel (reproduce): report each distinct failure once, not a stack trace.
                foreach (string message in e.Flatten().InnerExceptions.Select(i => i.Message).Distinct())
                    error.WriteLine($"error: {message}");
                return ExitCodes.InputError;
            }
        }

        private static bool IsInputProblem(Exception e)
            => e is InvalidOperationException || e is ArgumentException || e is FormatException || e is IOException || e is UnauthorizedAccessException
                || e is InputException;
    }
}
