using System;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Research;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary><c>experiments --hard</c> at the --quick size: the table's rows, its columns and the errors of its options.</summary>
    [TestClass]
    public sealed class HardRegimeExperimentTests
    {
        private static (int Code, string Output, string Error) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = ExperimentsCommand.Run(args, output, error);
            return (code, output.ToString(), error.ToString());
        }

        [TestMethod]
        public void HardWritesOneRowPerSettingAndMethod()
        {
            string directory = Path.Combine(Path.GetTempPath(), "sae-hard-" + Guid.NewGuid().ToString("N"));
            var (code, output, error) = Run("--hard", "--quick", "--seeds", "1", "--k", "2", "--methods", "pairs300+am", "--output", directory);
            Assert.AreEqual(0, code, error);
            string[] lines = File.ReadAllLines(Path.Combine(directory, "hard.csv")).Where(l => l.Length > 0).ToArray();
            // ± and non-negative at k = 2, plus the square non-negative k = 3 setting (the cheapest method only).
            Assert.HasCount(1 + 3, lines);
            string[] header = lines[0].Split(',');
            Assert.AreEqual("method", header[6]);
            Assert.AreEqual("successes", header[8]);
            foreach (string line in lines.Skip(1))
            {
                string[] cells = line.Split(',');
                Assert.HasCount(header.Length, cells, line);
                Assert.AreEqual("pairs300+am", cells[6], line);
                Assert.IsTrue(int.Parse(cells[8]) is 0 or 1, line);
            }
            StringAssert.Contains(output, "pairs300+am");
            StringAssert.Contains(output, "fits in");
        }

        [TestMethod]
        public void UnknownMethodIsAUsageErrorThatListsTheMethods()
        {
            var (code, _, error) = Run("--hard", "--quick", "--seeds", "1", "--methods", "magic", "--output", Path.GetTempPath());
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "Unknown method 'magic'");
            StringAssert.Contains(error, "pairs300+am");
        }
    }
}
