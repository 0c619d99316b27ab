using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Tests.Estimator
{
    [TestClass]
    public sealed class PlatformTests
    {
        [TestMethod]
        public void TheLoadedMLNetIsTheSupportedOne()
        {
            MLNetVersionCheck.EnsureSupported();
            Assert.IsNull(MLNetVersionCheck.DescribeProblem("5.0.1+0123abcd"));
        }

        [TestMethod]
        [DataRow("4.0.2+abc")]
        [DataRow("5.1.0")]
        [DataRow(null)]
        public void AnotherMLNetIsNamedClearly(string? version)
        {
            string? problem = MLNetVersionCheck.DescribeProblem(version);
            Assert.IsNotNull(problem);
            StringAssert.Contains(problem, "Microsoft.ML 5.0.1");
            StringAssert.Contains(problem, version?.Split('+')[0] ?? "unknown");
        }

        [TestMethod]
        public void TrainingLogsOneLinePerIterationToTheContext()
        {
            var ml = new MLContext(seed: 1);
            var lines = new List<string>();
            ml.Log += (_, e) =>
            {
                lock (lines)
                    lines.Add(e.Message);
            };
            var random = new Random(3);
            var a = TestData.RandomDictionary(20, 3, random);
            var (values, components) = TestData.Mixture(a, 20, 3, 300, 0.05, random);
            ml.Transforms.SharedAutoencoder("Code", "Features", hiddenUnits: 3, maximumNumberOfIterations: 4, encoding: CodeEncoding.Activation, initialization: WeightInitialization.Random, normalization: InputNormalization.None, splitPolarity: false).Fit(TestData.MixtureView(ml, values, components, 20));

            var iterations = lines.Where(l => l.Contains("Iteration ") && l.Contains("loss") && l.Contains("learning rate") && l.Contains("active fraction")).ToList();
            Assert.HasCount(5, iterations, string.Join(Environment.NewLine, lines));
            StringAssert.Contains(iterations[^1], "Iteration 4/4");
        }
    }
}
