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

        /// <summary>The files a run of <paramref name="sweeps"/> writes into its output folder.</summary>
        internal static IEnumerable<string> Files(IEnumerable<string> sweeps) =>
            sweeps.SelectMany(name => new[] { "-fits.csv", ".csv", "-curves.csv", "-law.csv", ".png", "-law.png" }.Select(suffix => $"sample-complexity-{name}{suffix}"));

        /// <summary>The mode's entry point (see <see cref="ExperimentsCommand"/>): runs the named sweeps (all when null).</summary>
        internal static int Run(int? seeds, bool quick, int threads, string[]? names, string directory, TextWriter output, Progress? progress)
        {
            var sweeps = Sweeps(quick, seeds);
            if (names != null && names.FirstOrDefault(n => sweeps.All(s => s.Name != n)) is string unknown)
                throw new UsageException($"--sweeps: unknown sweep '{unknown}'; choose from {string.Join(", ", sweeps.Select(s => s.Name))}.");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int count = 0;
            foreach (var sweep in sweeps.Where(s => names == null || names.Contains(s.Name)))
                count += RunSweep(sweep, threads, directory, output, progress);
            output.WriteLine(FormattableString.Invariant($"sample complexity: {count} fits in {watch.Elapsed.TotalSeconds:F0} s"));
            return ExitCodes.Success;
        }

        private static int RunSweep(Sweep sweep, int threads, string directory, TextWriter output, Progress? progress)
        {
            var (results, runs) = Measure(sweep, threads, output, progress);
            var fits = runs.Select(r => Row(r.Configuration, r.Seed, r.Rows, r.Success ? 1 : 0, F(r.Frobenius), F(r.Floor), F(r.MaxColumn), r.Found, r.Seconds.ToString("F2", CultureInfo.InvariantCulture))).ToList();
            var curves = results.SelectMany(result => sweep.Grid.Select((n, j) => Row(result.Configuration, n, result.Probability(j).ToString("F2", CultureInfo.InvariantCulture)))).ToList();
            var table = new List<string>();
            var law = new List<string>();
            var lawPoints = new List<(string Label, double Predicted, double Measured)>();
            ScalingLawFit? fit = TryFit(sweep, results, output);
            foreach (var result in results)
            {
                double[] thresholds = result.Thresholds;
                double? predicted = fit?.Predict(fit.Names.Select(n => sweep.CovariatesOf(result.Configuration)[Array.IndexOf(sweep.Covariates, n)]).ToArray());
                table.Add(Row(result.Configuration, sweep.Seeds, Describe(result.Crossing, sweep.Grid), thresholds.Count(double.IsPositiveInfinity), thresholds.Count(t => t == 0),
                    string.Join(" ", thresholds.Select(t => double.IsPositiveInfinity(t) ? "inf" : t.ToString("F0", CultureInfo.InvariantCulture))),
                    predicted?.ToString("F0", CultureInfo.InvariantCulture) ?? ""));
                if (predicted is double value && ScalingLaw.Usable(result.Crossing))
                    lawPoints.Add((sweep.Name, value, result.Crossing));
            }
            if (fit != null)
                for (int i = 0; i < fit.Names.Length; i++)
                    law.Add(string.Join(",", sweep.Name, fit.Names[i], F(fit.Exponents[i]), F(fit.Lower[i]), F(fit.Upper[i]), F(fit.Constant), F(fit.RSquared), fit.Points, fit.Replicates));
            const string configurationHeader = "model,n,m,k,sigma";
            string prefix = Path.Combine(directory, "sample-complexity-" + sweep.Name);
            Csv(prefix + "-fits.csv", configurationHeader + ",seed,N,success,frobenius,floor,max_column_error,found,seconds", fits);
            Csv(prefix + ".csv", configurationHeader + ",seeds,N_star,seeds_above_grid,seeds_below_grid,seed_thresholds,law_prediction", table);
            Csv(prefix + "-curves.csv", configurationHeader + ",N,probability", curves);
            Csv(prefix + "-law.csv", "sweep,covariate,exponent,lower95,upper95,constant,r_squared,configurations,replicates", law);
            SavePhaseTransitions(prefix + ".png", sweep, results);
            SaveLawFigure(prefix + "-law.png", sweep.Name, lawPoints);
            return fits.Count;
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

        private static void Csv(string path, string header, List<string> rows) =>
            OutputFiles.WriteText(path, header + "\n" + string.Join("", rows.Select(r => r + "\n")));

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
                UseLogTicks(plot.Axes.Bottom, xs[0], xs[^1]);
                plot.ShowLegend(Alignment.UpperLeft);
            }
            OutputFiles.WriteVia(path, temporary => multiplot.SavePng(temporary, Figures.PanelWidth * groups.Count, Figures.Height));
        }

        /// <summary>Measured N* against the law's prediction, log–log, with the identity line.</summary>
        private static void SaveLawFigure(string path, string name, List<(string Sweep, double Predicted, double Measured)> points)
        {
            var plot = new Plot();
            plot.Title($"sample complexity, {name}: measured N* against the fitted law");
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
                UseLogTicks(plot.Axes.Bottom, low, high);
                UseLogTicks(plot.Axes.Left, low, high);
            }
            plot.ShowLegend(Alignment.UpperLeft);
            OutputFiles.WriteVia(path, temporary => plot.SavePng(temporary, 640, 480));
        }

        /// <summary>Ticks at 1, 2, 5 × 10^j within [low, high] (log₁₀ coordinates), labelled with the plain number.</summary>
        private static void UseLogTicks(ScottPlot.IAxis axis, double low, double high)
        {
            var values = new List<double>();
            for (int decade = (int)Math.Floor(low) - 1; decade <= (int)Math.Ceiling(high); decade++)
                foreach (double mantissa in new[] { 1.0, 2, 5 })
                {
                    double value = mantissa * Math.Pow(10, decade);
                    if (Math.Log10(value) >= low - 1e-9 && Math.Log10(value) <= high + 1e-9)
                        values.Add(value);
                }
            axis.SetTicks(values.Select(Math.Log10).ToArray(), values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)).ToArray());
        }
    }
}
