using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Microsoft.ML.SharedAutoencoder.Tests.Mpi
{
    /// <summary>
    /// Runs test/Microsoft.ML.SharedAutoencoder.MpiProbe under <c>mpiexec.mpich -n P</c> (or alone, as an MPI singleton)
    /// and reads what its ranks wrote. A run that does not end within the time limit is killed and fails the test: a
    /// distributed run must never hang.
    /// </summary>
    internal static class MpiProbe
    {
        public const string Launcher = "mpiexec.mpich";
        private const int TimeLimitMilliseconds = 180_000;

        public sealed record Result(int ExitCode, string Output, string Error);

        /// <summary>What one rank wrote: W (unit-major), b and the history, or the failure it reported.</summary>
        public sealed record RankOutput(byte[] Bytes, float[] Weights, float[] Bias, double[] Losses, float[] Rates);

        /// <summary>The launcher's full path; the test is inconclusive (not failed) when MPICH is not installed.</summary>
        public static string RequireLauncher()
        {
            string? path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Select(directory => Path.Combine(directory, Launcher)).FirstOrDefault(File.Exists);
            if (path == null)
                Assert.Inconclusive($"{Launcher} is not installed: apt-get install -y --no-install-recommends mpich (.ci/run installs it).");
            return path!;
        }

        /// <summary>Runs the probe on <paramref name="ranks"/> ranks; 0 runs it without a launcher (a singleton of size 1).</summary>
        public static Result Run(int ranks, params string[] arguments) => Run(ranks, null, arguments);

        public static Result Run(int ranks, (string Name, string Value)[]? environment, params string[] arguments)
        {
            string probe = typeof(MpiProbe).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MpiProbePath").Value!;
            Assert.IsTrue(File.Exists(probe), $"the MPI probe must be built: {probe}");
            return RunProgram(probe, ranks, environment, arguments);
        }

        /// <summary>Runs the .NET program <paramref name="program"/> (a dll) on <paramref name="ranks"/> ranks (0: no launcher).</summary>
        public static Result RunProgram(string program, int ranks, (string Name, string Value)[]? environment, params string[] arguments)
        {
            string launcher = RequireLauncher();
            string probe = program;
            var start = new ProcessStartInfo(ranks > 0 ? launcher : "dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
            if (ranks > 0)
            {
                start.ArgumentList.Add("-n");
                start.ArgumentList.Add(ranks.ToString(System.Globalization.CultureInfo.InvariantCulture));
                start.ArgumentList.Add("dotnet");
            }
            start.ArgumentList.Add(probe);
            foreach (string argument in arguments)
                start.ArgumentList.Add(argument);
            foreach (var (name, value) in environment ?? Array.Empty<(string, string)>())
                start.Environment[name] = value;
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeLimitMilliseconds))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the MPI run did not end within {TimeLimitMilliseconds / 1000} s (a hang): {string.Join(' ', arguments)}");
            }
            process.WaitForExit();
            return new Result(process.ExitCode, output.Result, error.Result);
        }

        public static RankOutput ReadRank(string directory, int rank)
        {
            string path = Path.Combine(directory, $"rank{rank}.bin");
            Assert.IsTrue(File.Exists(path), $"rank {rank} wrote no model ({path})");
            byte[] bytes = File.ReadAllBytes(path);
            using var reader = new BinaryReader(new MemoryStream(bytes));
            int m = reader.ReadInt32();
            int n = reader.ReadInt32();
            float[] w = Enumerable.Range(0, m * n).Select(_ => reader.ReadSingle()).ToArray();
            float[] b = Enumerable.Range(0, m).Select(_ => reader.ReadSingle()).ToArray();
            int h = reader.ReadInt32();
            var history = Enumerable.Range(0, h).Select(_ => (Loss: reader.ReadDouble(), Rate: reader.ReadSingle())).ToArray();
            return new RankOutput(bytes, w, b, history.Select(e => e.Loss).ToArray(), history.Select(e => e.Rate).ToArray());
        }

        /// <summary>The failure a rank reported: (failed rank, message), or null if it wrote none.</summary>
        public static (int FailedRank, string Message)? ReadError(string directory, int rank)
        {
            string path = Path.Combine(directory, $"rank{rank}.error");
            if (!File.Exists(path))
                return null;
            string[] lines = File.ReadAllText(path).Split('\n', 2);
            return (int.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture), lines[1]);
        }

        public static string TempDirectory()
        {
            string path = Path.Combine(Path.GetTempPath(), "sae-mpi-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(path);
            return path;
        }
    }
}
