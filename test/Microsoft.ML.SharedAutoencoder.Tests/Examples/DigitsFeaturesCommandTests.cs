using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Examples.Common;
using Microsoft.ML.SharedAutoencoder.Examples.Featurization;
using Microsoft.ML.SharedAutoencoder.Examples.Research;
using Microsoft.ML.SharedAutoencoder.Examples.Samples;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary>The <c>digits-features</c> comparison at a reduced size, on the shipped digits.</summary>
    [TestClass]
    public sealed class DigitsFeaturesCommandTests
    {
        [TestMethod]
        public void DigitsFeatures_TwoSplits_PrintsOneAccuracyPerSplitAndTheVerdict()
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = DigitsFeaturesCommand.Run(new[] { "--splits", "2", "--methods", "pixels,activation", "--hidden", "128" }, output, error);
            Assert.AreEqual(0, code, error.ToString());
            string[] rows = output.ToString().Split('\n').Where(l => l.StartsWith("| raw input", System.StringComparison.Ordinal)
                || l.StartsWith("| activation", System.StringComparison.Ordinal)).ToArray();
            Assert.HasCount(2, rows, output.ToString());
            // features, m, two splits, mean, verdict: six cells between the outer bars.
            foreach (string row in rows)
                Assert.HasCount(6, row.Trim().Trim('|').Split('|'), row);
            StringAssert.EndsWith(rows[0].Trim(), "| – |");
            Assert.IsTrue(rows[1].Trim().EndsWith("| yes |") || rows[1].Trim().EndsWith("| no |"), rows[1]);
        }

        [TestMethod]
        public void DigitsFeatures_Progress_APhasePerSplitAndFeaturizerOnlyWhenForced()
        {
            string[] args = { "--splits", "1", "--methods", "pixels,activation", "--hidden", "32", "--classifier-iterations", "20" };
            var error = new StringWriter();
            Assert.AreEqual(0, DigitsFeaturesCommand.Run(args.Append("--progress").ToArray(), new StringWriter(), error), error.ToString());
            StringAssert.Contains(error.ToString(), "digits-features: split 1/1, activation");
            StringAssert.Contains(error.ToString(), "digits-features: 2/2 fits, ");

            error = new StringWriter();
            Assert.AreEqual(0, DigitsFeaturesCommand.Run(args, new StringWriter(), error), error.ToString());
            Assert.DoesNotContain("digits-features:", error.ToString());
        }

        [TestMethod]
        public void DigitsFeatures_SplitSeeds_HoldOutAThirdAndCoverEveryRow()
        {
            var (images, digits) = DigitsCommand.Load(DigitsCommand.DefaultDataPath);
            var (train, test) = DigitsFeaturesCommand.Split(new MLContext(0), images, digits, seed: 3);
            Assert.AreEqual(images.Count / 3, (int)test.GetRowCount()!);
            Assert.AreEqual(images.Count - images.Count / 3, (int)train.GetRowCount()!);
            Assert.IsTrue(DenseData.ReadVectors(train, "Features").All(r => r.All(p => p is >= 0 and <= 1)));
        }

        [TestMethod]
        public void DenseData_ClassesBecomeKeysOneToCount_NoRowLosesItsLabel()
        {
            // A regression: classes went in as class + 1, which LoadFromEnumerable turns into key class + 2, and the last class
            // into the missing key, so the classifiers silently trained and scored without digit 9.
            int[] classes = Enumerable.Range(0, 10).ToArray();
            IDataView view = DenseData.ToDataView(new MLContext(0), classes.Select(_ => new float[2]).ToList(), classes, 2, 10);
            CollectionAssert.AreEqual(classes.Select(c => (uint)(c + 1)).ToArray(), view.GetColumn<uint>("Label").ToArray());
            CollectionAssert.AreEqual(classes, DenseData.ReadKeys(view, "Label"));
        }
    }
}
