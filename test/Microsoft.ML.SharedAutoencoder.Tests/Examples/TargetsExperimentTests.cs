using System;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Research;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary><c>experiments --targets</c> at the --quick size: the recipe option, its column and its errors.</summary>
    [TestClass]
    public sealed class TargetsExperimentTests
    {
        private static (int Code, string Output, string Error) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = ExperimentsCommand.Run(args, output, error);
            return (code, output.ToString(), error.ToString());
        }

        [TestMethod]
        [DataRow("am")]
        [DataRow("descent")]
        public void QuickTargetsWriteTheSparseRowsWithTheirRecipe(string recipe)
        {
            string directory = Path.Combine(Path.GetTempPath(), "sae-targets-" + Guid.NewGuid().ToString("N"));
            var (code, _, error) = Run("--targets", "--quick", "--seeds", "1", "--recipe", recipe, "--output", directory);
            Assert.AreEqual(0, code, error);
            string[] lines = File.ReadAllLines(Path.Combine(directory, "targets.csv")).Where(l => l.Length > 0).ToArray();
            Assert.HasCount(1 + 2, lines);
            string[] header = lines[0].Split(',');
            Assert.AreEqual("recipe", header[2]);
            foreach (string line in lines.Skip(1))
            {
                string[] cells = line.Split(',');
                Assert.HasCount(header.Length, cells, line);
                Assert.AreEqual(recipe, cells[2], line);
                Assert.AreEqual("1", cells[5], line);
                Assert.IsTrue(int.Parse(cells[4]) is 0 or 1, line);
            }
        }

        [TestMethod]
        public void UnknownRecipeAndRecipeWithoutTargetsAreUsageErrors()
        {
            var (code, _, error) = Run("--targets", "--quick", "--seeds", "1", "--recipe", "magic", "--output", Path.GetTempPath());
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "descent, am");
            (code, _, error) = Run("--hard", "--quick", "--recipe", "am", "--output", Path.GetTempPath());
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "--recipe applies to --targets only");
        }
    }
}
