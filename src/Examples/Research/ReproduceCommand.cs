using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Research
{
    /// <summary>
    /// <c>reproduce</c>: the paper's Section 6 (Figures 2 and 3) under four readings of its ambiguous set-up; writes
    /// PNG figures, every curve as CSV and a Markdown summary.
    /// </summary>
    internal static class ReproduceCommand
    {
        public const string Usage =
@"usage: reproduce [--output DIR] [--seed S] [--trials K] [--rows N] [--features n] [--components m]
                 [--iterations T] [--sigmas 0.01,0.02,0.03] [--readings working,hard-threshold|all|R1,R2]
                 [--threads P] [--quick] [--quiet|--progress]
  The paper's Section 6: mixture of m Gaussians in n dimensions, N rows per trial, m units, ζ = m, T steps;
  initializations A+δE (δ = 0.5), PCA and random. Defaults are the paper's: n = 784, m = 10, N = 10000,
  T = 50, σ ∈ {0.01, 0.02, 0.03}; K = 5 trials at σ = 0.01 for Figure 3; seed 2019; output ./reproduction.
  --readings: how the paper's ambiguous set-up is read (faithful, unit-norm-paper-bias, working: ReLU with
  b ← b/2; hard-threshold: λ = ½, b = 0 fixed, the reading under which Figure 3's claim holds; default
  working,hard-threshold; all = the four). Figure 3 draws the floor σ√(nm²/N).
  --threads: fits run P at a time, one thread each (default: one per core).
  --quick: n = 100, N = 1000, T = 20, K = 2 (a smoke test).
" + Progress.OptionsHelp;

        /// <summary>Runs the command; exit code 0 on success.</summary>
        public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

        internal static int Run(string[] args, TextWriter output, TextWriter error) => CommandRunner.Run(error, Usage, () =>
        {
            var line = new Arguments(args,
                new[] { "output", "seed", "trials", "rows", "features", "components", "iterations", "sigmas", "readings", "threads" },
                Progress.Flags.Append("quick"));
            if (line.HelpRequested)
            {
                output.WriteLine(Usage);
                return ExitCodes.Success;
            }
            bool quick = line.Flag("quick");
            var settings = new ReproductionSettings
            {
                FeatureCount = line.Int("features", quick ? 100 : 784, min: 2),
                Rows = line.Int("rows", quick ? 1000 : 10_000, min: 1),
                Iterations = line.Int("iterations", quick ? 20 : 50, min: 1),
                Trials = line.Int("trials", quick ? 2 : 5, min: 1),
                Seed = line.Int("seed", 2019),
                Warnings = error,
                Threads = line.NullableInt("threads", min: 1),
                Sigmas = line.DoubleList("sigmas", new[] { 0.01, 0.02, 0.03 }, min: 0),
            };
            settings.Components = line.Int("components", 10, min: 1, max: settings.FeatureCount);
            settings.TrialSigma = settings.Sigmas[0];
            if (line.Has("readings"))
            {
                string value = line.Required("readings");
                var names = value == "all"
                    ? PaperReading.All.Select(r => r.Name).ToArray()
                    : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                settings.Readings = names.Select(name => PaperReading.All.FirstOrDefault(r => r.Name == name)
                    ?? throw new UsageException($"Option --readings: unknown reading '{name}'; known: {string.Join(", ", PaperReading.All.Select(r => r.Name))} (or all).")).Distinct().ToArray();
                if (settings.Readings.Count == 0)
                    throw new UsageException("Option --readings needs at least one reading.");
            }
            string outputDirectory = line.String("output", "reproduction");
            Directory.CreateDirectory(outputDirectory);

            output.WriteLine(FormattableString.Invariant(
                $"Reproducing Section 6: n = {settings.FeatureCount}, m = {settings.Components}, N = {settings.Rows}, T = {settings.Iterations}, σ ∈ {{{string.Join(", ", settings.Sigmas)}}}, {settings.Trials} trial(s) at σ = {settings.TrialSigma}, δ = {settings.Delta}, seed {settings.Seed}, readings {string.Join(", ", settings.Readings.Select(r => r.Name))}."));
            var progress = Progress.For("reproduce", line, error);
            var result = PaperReproduction.Run(settings, output.WriteLine, progress is null ? null : (done, total) => progress.Count(done, total, "fits"));
            progress?.Done();
            WriteOutputs(settings, result, outputDirectory);
            string summary = Summary(settings, result);
            Common.OutputFiles.WriteText(Path.Combine(outputDirectory, "summary.md"), summary);
            output.WriteLine();
            output.WriteLine(summary);
            output.WriteLine($"Figures, curves and summary written to {Path.GetFullPath(outputDirectory)}");
            return ExitCodes.Success;
        });

        /// <summary>The file names the command writes, for the README and the tests.</summary>
        internal static IEnumerable<string> OutputFiles(ReproductionSettings settings)
        {
            yield return "curves.csv";
            yield return "summary.md";
            foreach (var reading in settings.Readings)
            {
                yield return $"figure2-{reading.Name}.png";
                yield return $"figure3-{reading.Name}.png";
                yield return $"figure3-{reading.Name}.csv";
            }
        }

        private static void WriteOutputs(ReproductionSettings settings, ReproductionResult result, string directory)
        {
            Csv.Write(Path.Combine(directory, "curves.csv"),
                new[] { "reading", "initialization", "sigma", "trial", "iteration", "undone", "loss", "recovery_error", "max_column_error", "active_fraction", "dead_units", "learning_rate" },
                result.Runs.SelectMany(run => run.History.Iterations.Select(it => new[]
                {
                    run.Reading.Name, PaperReproduction.Label(run.Initialization), Csv.Format(run.Sigma), run.Trial.ToString(CultureInfo.InvariantCulture),
                    it.Iteration.ToString(CultureInfo.InvariantCulture), it.Undone ? "1" : "0", Csv.Format(it.Loss),
                    Csv.Format(it.RecoveryError ?? double.NaN), Csv.Format(it.MaxColumnError ?? double.NaN), Csv.Format(it.ActiveFraction),
                    it.DeadUnits.ToString(CultureInfo.InvariantCulture), Csv.Format(it.LearningRate),
                })));

            foreach (var reading in settings.Readings)
            {
                var panels = Enum.GetValues<PaperInitialization>().Select(init => (
                    Title: $"{PaperReproduction.Label(init)} initialization",
                    Curves: (IReadOnlyList<Curve>)result.Runs
                        .Where(r => r.Reading == reading && r.Initialization == init && r.Trial == 0)
                        .Select(r => new Curve(FormattableString.Invariant($"σ = {r.Sigma}"), r.Accepted.Select(i => i.Loss).ToArray()))
                        .ToList())).ToList();
                Figures.SaveLinePanels(Path.Combine(directory, $"figure2-{reading.Name}.png"),
                    $"Figure 2 ({reading.Name}): reconstruction loss", panels, "loss ½‖y − Wx‖² (log)", logY: true);

                WriteFigure3(settings, result, reading, directory);
            }
        }

        /// <summary>Figure 3 of one reading: the mean and min–max band of ‖π(W) − A‖_F per initialization, with the floor.</summary>
        private static void WriteFigure3(ReproductionSettings settings, ReproductionResult result, PaperReading reading, string directory)
        {
            var bands = new List<BandCurve>();
            var rows = new List<string[]>();
            foreach (PaperInitialization init in Enum.GetValues<PaperInitialization>())
            {
                var runs = result.Runs.Where(r => r.Reading == reading && r.Initialization == init && r.Sigma == settings.TrialSigma).ToList();
                int length = runs.Min(r => r.Accepted.Count);
                var curves = runs.Select(r => r.Accepted.Take(length).Select(i => i.RecoveryError ?? double.NaN).ToArray()).ToList();
                var mean = Enumerable.Range(0, length).Select(s => curves.Average(c => c[s])).ToArray();
                var low = Enumerable.Range(0, length).Select(s => curves.Min(c => c[s])).ToArray();
                var high = Enumerable.Range(0, length).Select(s => curves.Max(c => c[s])).ToArray();
                bands.Add(new BandCurve($"{PaperReproduction.Label(init)} (mean, min–max of {runs.Count})", mean, low, high));
                for (int s = 0; s < length; s++)
                {
                    rows.Add(new[] { PaperReproduction.Label(init), s.ToString(CultureInfo.InvariantCulture), Csv.Format(mean[s]), Csv.Format(low[s]), Csv.Format(high[s]),
                        runs.Count.ToString(CultureInfo.InvariantCulture), Csv.Format(settings.Floor(settings.TrialSigma)) });
                }
            }
            double floor = settings.Floor(settings.TrialSigma);
            Figures.SaveBands(Path.Combine(directory, $"figure3-{reading.Name}.png"),
                FormattableString.Invariant($"Figure 3 ({reading.Name}): ‖W − A‖_F after matching, σ = {settings.TrialSigma}"), bands, "‖π(W) − A‖_F (log)",
                new HorizontalMark(floor, FormattableString.Invariant($"floor σ√(nm²/N) = {floor:0.###}")));
            Csv.Write(Path.Combine(directory, $"figure3-{reading.Name}.csv"), new[] { "initialization", "iteration", "mean", "min", "max", "trials", "floor" }, rows);
        }

        internal static string Summary(ReproductionSettings settings, ReproductionResult result)
        {
            var s = new StringBuilder();
            var inv = CultureInfo.InvariantCulture;
            s.AppendLine(FormattableString.Invariant($"## Section 6 reproduction (seed {settings.Seed}, n = {settings.FeatureCount}, m = {settings.Components}, N = {settings.Rows}, T = {settings.Iterations})"));
            s.AppendLine();
            s.AppendLine("Readings:");
            foreach (var reading in settings.Readings)
                s.AppendLine($"- `{reading.Name}`: {reading.Description}");
            s.AppendLine();
            s.AppendLine("Trial 0, per σ. ‖W−A‖_F and the max column error are measured against A with unit-norm columns after Hungarian matching; \"active\" is the fraction of (row, unit) pairs that fire; \"fires from\" is the first step at which any unit fires.");
            s.AppendLine();
            s.AppendLine("| reading | init | σ | loss s=0 | final loss | ‖W⁰−A‖_F | final ‖W−A‖_F | final max col. err. | active s=0 | final active | fires from |");
            s.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var run in result.Runs.Where(r => r.Trial == 0))
            {
                s.AppendLine(string.Format(inv, "| {0} | {1} | {2} | {3:G4} | {4:G4} | {5:F3} | {6:F4} | {7:F4} | {8:P1} | {9:P1} | {10} |",
                    run.Reading.Name, PaperReproduction.Label(run.Initialization), run.Sigma, run.Initial.Loss, run.Final.Loss,
                    run.Initial.RecoveryError, run.Final.RecoveryError, run.Final.MaxColumnError, run.Initial.ActiveFraction, run.Final.ActiveFraction,
                    run.FirstActiveIteration?.ToString(inv) ?? "never"));
            }
            s.AppendLine();
            double floor = settings.Floor(settings.TrialSigma);
            s.AppendLine(FormattableString.Invariant($"Figure 3: final ‖W−A‖_F over {settings.Trials} trial(s) at σ = {settings.TrialSigma} (new A, E, rows and random W⁰ per trial); ")
                + FormattableString.Invariant($"floor σ√(nm²/N) = {floor:F4}. \"up to sign\": the mean with sign flips allowed in the matching."));
            s.AppendLine();
            s.AppendLine("| reading | init | mean | min | max | mean / floor | mean up to sign |");
            s.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var reading in settings.Readings)
            {
                foreach (PaperInitialization init in Enum.GetValues<PaperInitialization>())
                {
                    var runs = result.Runs.Where(r => r.Reading == reading && r.Initialization == init && r.Sigma == settings.TrialSigma).ToList();
                    var finals = runs.Select(r => r.Final.RecoveryError ?? double.NaN).ToList();
                    s.AppendLine(string.Format(inv, "| {0} | {1} | {2:F4} | {3:F4} | {4:F4} | {5:F1} | {6:F4} |", reading.Name, PaperReproduction.Label(init),
                        finals.Average(), finals.Min(), finals.Max(), finals.Average() / floor, runs.Average(r => r.SignInvariantError)));
                }
            }
            s.AppendLine();
            s.AppendLine(FormattableString.Invariant($"Ambiguity (3): distance of W⁰ = normalize(A + δE), δ = {settings.Delta}, from A (unit-norm columns), mean over {settings.Trials} trial(s)."));
            s.AppendLine();
            s.AppendLine("| A | E_ij | ‖W⁰−A‖_F | max column error |");
            s.AppendLine("|---|---|---|---|");
            foreach (var d in result.InitialDistances.OrderBy(d => d.UnitNormDictionary).ThenByDescending(d => d.PerturbationVarianceIsOneOverRootN))
            {
                s.AppendLine(string.Format(inv, "| {0} | {1} | {2:F3} | {3:F3} |",
                    d.UnitNormDictionary ? "unit-norm columns" : "N(0, I/√n)", d.PerturbationVarianceIsOneOverRootN ? "variance 1/√n" : "std. deviation 1/√n", d.MeanFrobenius, d.MeanMaxColumn));
            }
            s.AppendLine();
            s.AppendLine(FormattableString.Invariant($"{result.Runs.Count} fits in {result.TotalSeconds:F1} s ({result.ConcurrentFits} at a time, one thread each; {result.Runs.Sum(r => r.Seconds) / Math.Max(1, result.Runs.Count):F2} s per fit on average)."));
            return s.ToString();
        }
    }
}
