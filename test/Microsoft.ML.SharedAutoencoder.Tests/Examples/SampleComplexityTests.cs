using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Examples.Research;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary>
    /// <c>experiments --sample-complexity</c>: the power-law fit recovers known exponents, the bisection finds a monotone
    /// threshold, the crossing point handles censored seeds, and the mode writes well-formed files at <c>--quick</c> size.
    /// </summary>
    [TestClass]
    public sealed class SampleComplexityTests
    {
        private static readonly string[] Names = { "n", "m", "k" };

        /// <summary>N* = 7 · n^1.5 · m^1 · k^2, each seed's threshold off by a log-normal factor (spread 0.15 in ln).</summary>
        private static List<ThresholdSample> Synthetic(int seeds, double noise, int randomSeed)
        {
            var random = new Random(randomSeed);
            var samples = new List<ThresholdSample>();
            foreach (int n in new[] { 32, 64, 128 })
                foreach (int m in new[] { 16, 48, 96 })
                    foreach (int k in new[] { 2, 3, 4 })
                    {
                        double law = 7 * Math.Pow(n, 1.5) * m * k * k;
                        double[] thresholds = Enumerable.Range(0, seeds).Select(_ => law * Math.Exp(noise * Gaussian(random))).ToArray();
                        samples.Add(new ThresholdSample(new double[] { n, m, k }, thresholds));
                    }
            return samples;
        }

        private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

        [TestMethod]
        public void Fit_RecoversExactExponentsWithoutNoise()
        {
            var fit = ScalingLaw.Fit(Names, Synthetic(seeds: 3, noise: 0, randomSeed: 1), replicates: 50, seed: 1);
            CollectionAssert.AreEqual(Names, fit.Names);
            Assert.AreEqual(1.5, fit.Exponents[0], 1e-9);
            Assert.AreEqual(1.0, fit.Exponents[1], 1e-9);
            Assert.AreEqual(2.0, fit.Exponents[2], 1e-9);
            Assert.AreEqual(7, fit.Constant, 1e-6);
            Assert.AreEqual(1, fit.RSquared, 1e-12);
            Assert.AreEqual(27, fit.Points);
            Assert.AreEqual(7 * Math.Pow(50, 1.5) * 20 * 9, fit.Predict(new double[] { 50, 20, 3 }), 1e-6 * fit.Predict(new double[] { 50, 20, 3 }));
        }

        [TestMethod]
        public void Fit_RecoversNoisyExponentsWithIntervalsThatCoverThem()
        {
            var fit = ScalingLaw.Fit(Names, Synthetic(seeds: 7, noise: 0.15, randomSeed: 2), replicates: 400, seed: 3);
            double[] truth = { 1.5, 1.0, 2.0 };
            Assert.AreEqual(400, fit.Replicates);
            for (int i = 0; i < 3; i++)
            {
                Assert.AreEqual(truth[i], fit.Exponents[i], 0.1, Names[i]);
                Assert.IsTrue(fit.Lower[i] < fit.Exponents[i] && fit.Exponents[i] < fit.Upper[i], $"{Names[i]}: {fit.Lower[i]} < {fit.Exponents[i]} < {fit.Upper[i]}");
                Assert.IsTrue(fit.Lower[i] <= truth[i] && truth[i] <= fit.Upper[i], $"{Names[i]}: [{fit.Lower[i]}, {fit.Upper[i]}] misses {truth[i]}");
                Assert.IsTrue(fit.Upper[i] - fit.Lower[i] < 0.5, $"{Names[i]}: interval too wide");
            }
            Assert.IsTrue(fit.RSquared > 0.95, fit.RSquared.ToString(CultureInfo.InvariantCulture));
        }

        [TestMethod]
        public void Fit_LeavesOutCensoredConfigurationsAndConstantCovariates()
        {
            // k = 2 only: the law has no k term; configurations whose median is above (∞) or below (0) the grid are not fitted.
            var samples = Synthetic(seeds: 3, noise: 0, randomSeed: 4).Where(s => s.Covariates[2] == 2).ToList();
            samples.Add(new ThresholdSample(new double[] { 256, 16, 2 }, new[] { 10.0, double.PositiveInfinity, double.PositiveInfinity }));
            samples.Add(new ThresholdSample(new double[] { 256, 48, 2 }, new[] { 0.0, 0.0, 1e9 }));
            var fit = ScalingLaw.Fit(Names, samples, replicates: 20, seed: 1);
            CollectionAssert.AreEqual(new[] { "n", "m" }, fit.Names);
            Assert.AreEqual(9, fit.Points);
            Assert.AreEqual(1.5, fit.Exponents[0], 1e-9);
            Assert.AreEqual(1.0, fit.Exponents[1], 1e-9);

            // n and m moving together cannot be separated: a clear error, not a number.
            var collinear = new[] { 32, 64, 128, 256 }.Select(n => new ThresholdSample(new double[] { n, n, 2 }, new[] { 10.0 * n })).ToList();
            Assert.ThrowsExactly<ArgumentException>(() => ScalingLaw.Fit(Names, collinear, replicates: 10, seed: 1));
        }

        [TestMethod]
        public void CrossingPoint_IsTheMedianWithCensoredSeeds()
        {
            Assert.AreEqual(200, ScalingLaw.CrossingPoint(new[] { 400.0, 100 }), 1e-9);
            Assert.AreEqual(300, ScalingLaw.CrossingPoint(new[] { 300.0, double.PositiveInfinity, 100 }));
            Assert.AreEqual(double.PositiveInfinity, ScalingLaw.CrossingPoint(new[] { 300.0, double.PositiveInfinity, double.PositiveInfinity }));
            Assert.AreEqual(0, ScalingLaw.CrossingPoint(new[] { 0.0, 0, 500 }));
            Assert.AreEqual(double.PositiveInfinity, ScalingLaw.CrossingPoint(new[] { 0.0, 0, double.PositiveInfinity, double.PositiveInfinity }));
            Assert.IsFalse(ScalingLaw.Usable(0));
            Assert.IsFalse(ScalingLaw.Usable(double.PositiveInfinity));
            Assert.IsTrue(ScalingLaw.Usable(200));
        }

        [TestMethod]
        public void Bisect_FindsTheFirstSuccessWithLogarithmicEvaluations()
        {
            for (int count = 1; count <= 20; count++)
            {
                for (int first = 0; first <= count; first++)
                {
                    var evaluated = new List<int>();
                    int found = SampleComplexity.Bisect(count, j => { evaluated.Add(j); return j >= first; });
                    Assert.AreEqual(first, found, $"count {count}");
                    Assert.IsTrue(evaluated.Count <= (int)Math.Ceiling(Math.Log2(count + 1)), $"count {count}: {evaluated.Count} evaluations");
                    Assert.AreEqual(evaluated.Count, evaluated.Distinct().Count(), "no grid point is fitted twice");
                }
            }
            int[] grid = SampleComplexity.Geometric(250, 16000);
            Assert.AreEqual(250, grid[0]);
            Assert.AreEqual(16000, grid[^1]);
            Assert.AreEqual(13, grid.Length);
        }

        [TestMethod]
        public void Mode_WritesWellFormedCsvAndPngAtQuickSize()
        {
            string directory = Path.Combine(Path.GetTempPath(), "sae-sample-complexity-" + Guid.NewGuid().ToString("N"));
            var output = new StringWriter();
            var error = new StringWriter();
            int code = ExperimentsCommand.Run(new[] { "--sample-complexity", "--quick", "--seeds", "1", "--sweeps", "mixture,sparse", "--output", directory }, output, error);
            Assert.AreEqual(0, code, error.ToString());
            foreach (string file in SampleComplexityOutput.Files(new[] { "mixture", "sparse" }))
                Assert.IsTrue(File.Exists(Path.Combine(directory, file)), file);
            Assert.IsFalse(File.Exists(Path.Combine(directory, "sample-complexity-nonnegative.csv")), "only the chosen sweeps run");
            Assert.AreEqual((2 * Figures.PanelWidth, Figures.Height), Figures.ReadPngSize(Path.Combine(directory, "sample-complexity-mixture.png")));
            Assert.AreEqual((640, 480), Figures.ReadPngSize(Path.Combine(directory, "sample-complexity-sparse-law.png")));

            var sweeps = SampleComplexity.Sweeps(quick: true, seeds: 1);
            var mixture = sweeps.Single(s => s.Name == "mixture");
            string[] table = Lines(directory, "sample-complexity-mixture.csv");
            Assert.HasCount(1 + mixture.Configurations.Length, table);
            string[] curves = Lines(directory, "sample-complexity-mixture-curves.csv");
            Assert.HasCount(1 + mixture.Configurations.Length * mixture.Grid.Length, curves);
            Assert.IsTrue(curves.Skip(1).All(l => double.Parse(l.Split(',')[6], CultureInfo.InvariantCulture) is 0 or 1), "one seed: probabilities are 0 or 1");

            // Every fit: success is 0/1 and agrees with the criterion; each seed's fits follow the bisection (≤ ⌈log₂(grid + 1)⌉).
            string[] fits = Lines(directory, "sample-complexity-mixture-fits.csv");
            Assert.AreEqual("model,n,m,k,sigma,seed,N,success,frobenius,floor,max_column_error,found,seconds", fits[0]);
            foreach (string line in fits.Skip(1))
            {
                string[] f = line.Split(',');
                Assert.HasCount(13, f, line);
                double frobenius = Parse(f[8]), floor = Parse(f[9]), maxColumn = Parse(f[10]);
                bool success = frobenius <= SampleComplexity.FloorFactor * floor && maxColumn <= SampleComplexity.MixtureColumnGuard;
                Assert.AreEqual(success ? "1" : "0", f[7], line);
                Assert.AreEqual(Parse(f[4]) * Math.Sqrt(Parse(f[1]) * Parse(f[2]) * Parse(f[2]) / Parse(f[6])), floor, 1e-3 * floor, line);
            }
            int perConfiguration = (int)Math.Ceiling(Math.Log2(mixture.Grid.Length + 1));
            Assert.IsTrue(fits.Length - 1 <= mixture.Configurations.Length * perConfiguration, $"{fits.Length - 1} fits");
            StringAssert.Contains(output.ToString(), "N* =");

            code = ExperimentsCommand.Run(new[] { "--sample-complexity", "--quick", "--sweeps", "nosuch", "--output", directory }, output, error);
            Assert.AreEqual(2, code);
            StringAssert.Contains(error.ToString(), "nosuch");
        }

        private static string[] Lines(string directory, string name) => File.ReadAllLines(Path.Combine(directory, name)).Where(l => l.Length > 0).ToArray();

        private static double Parse(string value) => double.Parse(value, CultureInfo.InvariantCulture);
    }
}
