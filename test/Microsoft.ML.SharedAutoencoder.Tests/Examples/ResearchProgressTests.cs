using System;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Research;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary>reproduce's and experiments' "k/N fits" progress on stderr: forced by --progress, absent when stderr is redirected.</summary>
    [TestClass]
    public sealed class ResearchProgressTests
    {
        private string _directory = null!;

        [TestInitialize]
        public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("sae-research-progress-").FullName;

        [TestCleanup]
        public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

        private static (int Code, string Output, string Error) Run(Func<string[], TextWriter, TextWriter, int> command, params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = command(args, output, error);
            return (code, output.ToString(), error.ToString());
        }

        private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        [TestMethod]
        public void Reproduce_ProgressCountsFitsOnlyWhenForced()
        {
            string[] args = { "--quick", "--rows", "60", "--iterations", "3", "--trials", "1", "--sigmas", "0.01", "--readings", "working", "--output", _directory };
            var (code, output, error) = Run(ReproduceCommand.Run, args.Append("--progress").ToArray());
            Assert.AreEqual(0, code, error);
            var lines = Lines(error);
            // 1 reading × 3 initializations × 1 σ, plus the Figure 3 trial fits: every count names the same total.
            Assert.IsTrue(lines.Any(l => l.StartsWith("reproduce: 0/", StringComparison.Ordinal)), error);
            string last = lines.Last(l => l.StartsWith("reproduce: ", StringComparison.Ordinal));
            string[] fraction = last["reproduce: ".Length..].Split(' ')[0].Split('/');
            Assert.AreEqual(fraction[1], fraction[0], last);
            StringAssert.Contains(last, "fits/s, ETA 0:00:00");
            Assert.DoesNotContain("reproduce:", output, "progress stays off stdout");

            (code, _, error) = Run(ReproduceCommand.Run, args);
            Assert.AreEqual(0, code, error);
            Assert.DoesNotContain("reproduce:", error, "a redirected stderr gets no progress unless --progress is given");
        }

        [TestMethod]
        public void Experiments_ProgressCountsFitsPerHeatMapOnlyWhenForced()
        {
            var (code, output, error) = Run(ExperimentsCommand.Run, "--quick", "--seeds", "1", "--output", _directory, "--progress");
            Assert.AreEqual(0, code, error);
            foreach (string name in new[] { "mixture-noise", "sparse-k", "nonnegative-k" })
                StringAssert.Contains(error, $"experiments: {name} heat map...");
            // --quick: 2 cells × 4 initializations × 1 seed a heat map.
            Assert.AreEqual(3, Lines(error).Count(l => l.StartsWith("experiments: 8/8 fits, ", StringComparison.Ordinal)), error);
            Assert.DoesNotContain("experiments:", output);

            (code, _, error) = Run(ExperimentsCommand.Run, "--quick", "--seeds", "1", "--output", _directory);
            Assert.AreEqual(0, code, error);
            Assert.DoesNotContain("experiments:", error);
        }
    }
}
