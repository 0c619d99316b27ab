using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ScottPlot;
using Microsoft.ML.SharedAutoencoder.Examples.Common;
using static Microsoft.ML.SharedAutoencoder.Examples.Research.SampleComplexity;

namespace Microsoft.ML.SharedAutoencoder.Examples.Research
{
    /// <summary>
    /// Runs the sample-complexity sweeps and writes their files: every fit, the per-configuration N*, the success
    /// probability over N, the fitted law (CSV), a phase-transition figure per sweep and a measured-vs-law figure (PNG).
    /// </summary>
    internal static class SampleComplexityOutput
    {
        /// <summary>Bootstrap replicates for the law's intervals.</summary>
        public const int Replicates = 2000;

        /// <summary>The files a run writes into its output folder.</summary>
        internal static IEnumerable<string> Files(bool quick) =>
            new[] { "sample-complexity-fits.csv", "sample-complexity.csv", "sample-complexity-curves.csv", "sample-complexity-law.csv", "sample-complexity-law.png" }
                .Concat(Sweeps(quick, null).Select(s => $"sample-complexity-{s.Name}.png"));

        /// <summary>The mode's entry point (see <see cref="ExperimentsCommand"/>).</summary>
        internal static int Run(int? seeds, bool quick, int threads, string directory, TextWriter output, Progress? progress)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var fits = new List<string>();
            var table = new List<string>();
            var curves = new List<string>();
            var law = new List<string>();
            var lawPoints = new List<(string Sweep, double Predicted, double Measured)>();
            foreach (var sweep in Sweeps(quick, seeds))
            {
                var (results, runs) = Measure(sweep, threads, output, progress);
                fits.AddRange(runs.Select(r => Row(r.Configuration, r.Seed, r.Rows, r.Success ? 1 : 0, F(r.Frobenius), F(r.Floor), F(r.MaxColumn), r.Found, r.Seconds.ToString("F2", CultureInfo.InvariantCulture))));
                foreach (var result in results)
                    for (int j = 0; j < sweep.Grid.Length; j++)
                        curves.Add(Row(result.Configuration, sweep.Grid[j], result.Probability(j).ToString("F2", CultureInfo.InvariantCulture)));

                ScalingLawFit? fit = TryFit(sweep, results, output);
                foreach (var result in results)
                {
                    double[] thresholds = result.Thresholds;
                    string predicted = fit == null ? "" : fit.Predict(fit.Names.Select(n => sweep.CovariatesOf(result.Configuration)[Array.IndexOf(sweep.Covariates, n)]).ToArray()).ToString("F0", CultureInfo.InvariantCulture);
                    table.Add(Row(result.Configuration, sweep.Seeds, Describe(result.Crossing, sweep.Grid), thresholds.Count(double.IsPositiveInfinity), thresholds.Count(t => t == 0),
                        string.Join(" ", thresholds.Select(t => double.IsPositiveInfinity(t) ? "inf" : t.ToString("F0", CultureInfo.InvariantCulture))), predicted));
                    if (fit != null && ScalingLaw.Usable(result.Crossing))
                        lawPoints.Add((sweep.Name, double.Parse(predicted, CultureInfo.InvariantCulture), result.Crossing));
                }
                if (fit != null)
                    for (int i = 0; i < fit.Names.Length; i++)
                        law.Add(string.Join(",", sweep.Name, fit.Names[i], F(fit.Exponents[i]), F(fit.Lower[i]), F(fit.Upper[i]), F(fit.Constant), F(fit.RSquared), fit.Points, fit.Replicates));
                SavePhaseTransitions(Path.Combine(directory, $"sample-complexity-{sweep.Name}.png"), sweep, results);
            }
            const string configurationHeader = "model,n,m,k,sigma";
            Csv(directory, "sample-complexity-fits.csv", configurationHeader + ",seed,N,success,frobenius,floor,max_column_error,found,seconds", fits);
            Csv(directory, "sample-complexity.csv", configurationHeader + ",seeds,N_star,seeds_above_grid,seeds_below_grid,seed_thresholds,law_prediction", table);
            Csv(directory, "sample-complexity-curves.csv", configurationHeader + ",N,probability", curves);
            Csv(directory, "sample-complexity-law.csv", "sweep,covariate,exponent,lower95,upper95,constant,r_squared,configurations,replicates", law);
            SaveLawFigure(Path.Combine(directory, "sample-complexity-law.png"), lawPoints);
            output.WriteLine(FormattableString.Invariant($"sample complexity: {fits.Count} fits in {watch.Elapsed.TotalSeconds:F0} s"));
            return ExitCodes.Success;
        }

        private static ScalingLawFit? TryFit(Sweep sweep, List<Result> results, TextWriter output)
        {
            var samples = results.Select(r => new ThresholdSample(sweep.CovariatesOf(r.Configuration), r.Thresholds)).ToList();
            try
            {
                var fit = ScalingLaw.Fit(sweep.Covariates, samples, Replicates, seed: 17);
                string terms = string.Join(" · ", fit.Names.Select((n, i) => FormattableString.Invariant($"{n}^{fit.Exponents[i]:F2} [{fit.Lower[i]:F2}, {fit.Upper[i]:F2}]")));
                output.WriteLine(FormattableString.Invariant($"{sweep.Name}: N* ≈ {fit.Constant:G3} · {terms} (95 % bootstrap intervals; R² = {fit.RSquared:F2}, {fit.Points} configurations)"));
                return fit;
            }
            catch (ArgumentException e)
            {
                // Too few configurations with N* inside the grid (for example at --quick size): no law, the tables still stand.
                output.WriteLine($"{sweep.Name}: no law fitted ({e.Message})");
                return null;
            }
        }

        private static string F(double value) => double.IsNaN(value) ? "" : value.ToString("G4", CultureInfo.InvariantCulture);

        private static string Row(Configuration c, params object[] rest) =>
            string.Join(",", new object[] { c.Model, c.Features, c.Atoms, c.Sparsity, c.Noise.ToString(CultureInfo.InvariantCulture) }.Concat(rest)
                .Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

        private static void Csv(string directory, string name, string header, List<string> rows) =>
            OutputFiles.WriteText(Path.Combine(directory, name), header + "\n" + string.Join("", rows.Select(r => r + "\n")));

        /// <summary>
        /// One panel per value of the law's last covariate (σ for the mixture, k for sparse models), one line per (n, m):
        /// the fraction of seeds that recover over log₁₀ N, with the ½ level dashed.
        /// </summary>
        private static void SavePhaseTransitions(string path, Sweep sweep, List<Result> results)
        {
            var groups = results.GroupBy(r => sweep.CovariatesOf(r.Configuration)[2]).OrderBy(g => g.Key).ToList();
            var multiplot = new Multiplot();
            multiplot.AddPlots(groups.Count);
            multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
            double[] xs = sweep.Grid.Select(n => Math.Log10(n)).ToArray();
            for (int p = 0; p < groups.Count; p++)
            {
                Plot plot = multiplot.GetPlot(p);
                string panel = FormattableString.Invariant($"{sweep.Covariates[2]} = {groups[p].Key:G3}");
                plot.Title(p == groups.Count / 2 ? $"P(recovery) over N, {sweep.Name}, {sweep.Seeds} seeds\n{panel}" : panel);
                plot.XLabel("rows N");
                plot.YLabel("fraction of seeds recovered");
                foreach (var result in groups[p])
                {
                    var line = plot.Add.ScatterLine(xs, Enumerable.Range(0, xs.Length).Select(result.Probability).ToArray());
                    line.LegendText = $"n={result.Configuration.Features}, m={result.Configuration.Atoms}";
                    line.LineWidth = 2;
                }
                var half = plot.Add.HorizontalLine(0.5);
                half.LinePattern = LinePattern.Dashed;
                half.Color = Colors.Gray;
                plot.Axes.SetLimitsY(-0.05, 1.05);
                UseLogTicks(plot.Axes.Bottom);
                plot.ShowLegend(Alignment.UpperLeft);
            }
            OutputFiles.WriteVia(path, temporary => multiplot.SavePng(temporary, Figures.PanelWidth * groups.Count, Figures.Height));
        }

        /// <summary>Measured N* against the law's prediction, log–log, with the identity line.</summary>
        private static void SaveLawFigure(string path, List<(string Sweep, double Predicted, double Measured)> points)
        {
            var plot = new Plot();
            plot.Title("sample complexity: measured N* against the fitted law");
            plot.XLabel("law's N*");
            plot.YLabel("measured N* (P(recovery) = ½)");
            var palette = new ScottPlot.Palettes.Category10();
            int color = 0;
            foreach (var group in points.GroupBy(p => p.Sweep))
            {
                var scatter = plot.Add.ScatterPoints(group.Select(p => Math.Log10(p.Predicted)).ToArray(), group.Select(p => Math.Log10(p.Measured)).ToArray());
                scatter.LegendText = group.Key;
                scatter.Color = palette.GetColor(color++);
                scatter.MarkerSize = 8;
            }
            if (points.Count > 0)
            {
                double low = points.Min(p => Math.Log10(Math.Min(p.Predicted, p.Measured))) - 0.2, high = points.Max(p => Math.Log10(Math.Max(p.Predicted, p.Measured))) + 0.2;
                var identity = plot.Add.Line(low, low, high, high);
                identity.LinePattern = LinePattern.Dashed;
                identity.Color = Colors.Gray;
                identity.LegendText = "measured = law";
            }
            UseLogTicks(plot.Axes.Bottom);
            UseLogTicks(plot.Axes.Left);
            plot.ShowLegend(Alignment.UpperLeft);
            OutputFiles.WriteVia(path, temporary => plot.SavePng(temporary, 640, 480));
        }

        private static void UseLogTicks(ScottPlot.IAxis axis) =>
            axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = v => Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture),
            };
    }
}
