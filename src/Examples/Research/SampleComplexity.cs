using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Research
{
    /// <summary>
    /// <c>experiments --sample-complexity</c>: the number of rows N from which recovery from scratch succeeds, per
    /// configuration (model, n, m, k, σ) and seed, found by bisection over a geometric grid of N; the per-configuration
    /// N* where the success probability crosses ½; a power law fitted to N* with bootstrap intervals; PNG and CSV.
    /// </summary>
    internal static class SampleComplexity
    {
        /// <summary>A sparse model recovers when every column (after matching) is within this distance of its atom.</summary>
        public const double ColumnThreshold = 0.1;

        /// <summary>The mixture recovers when ‖π(W) − A‖_F ≤ this × the statistical floor σ√(nm²/N).</summary>
        public const double FloorFactor = 1.5;

        /// <summary>
        /// … and every column is within this of its atom: where N is so small that 1.5 × the floor exceeds the distance of a
        /// start that merged two components, the floor criterion alone would be vacuous.
        /// </summary>
        public const double MixtureColumnGuard = 0.5;

        /// <summary>
        /// The Spectral pair budget for sparse models. The default ⌈m²(ln m + 3)/k²⌉ is ≈ 17 000 pairs at m = 96, k = 2 (tens of
        /// seconds a fit); with 1 500 the residual search finds the rest, with the same 20/20 on both sparse targets
        /// (docs/recovery-from-scratch.md, "Where the from-scratch time goes").
        /// </summary>
        public const int SparsePairBudget = 1500;

        /// <summary>One generative configuration (N is swept).</summary>
        internal sealed record Configuration(LatentCodeModel Model, int Features, int Atoms, int Sparsity, float Noise)
        {
            public bool IsMixture => Model == LatentCodeModel.MixtureOfGaussians;

            public override string ToString() => IsMixture
                ? FormattableString.Invariant($"{Model} n={Features} m={Atoms} σ={Noise}")
                : FormattableString.Invariant($"{Model} n={Features} m={Atoms} k={Sparsity} σ={Noise}");
        }

        /// <summary>A sweep over one model: its configurations, the grid of N, the seeds, and the law's covariates.</summary>
        internal sealed record Sweep(string Name, Configuration[] Configurations, int[] Grid, int Seeds, string[] Covariates)
        {
            public double[] CovariatesOf(Configuration c) => Configurations[0].IsMixture
                ? new double[] { c.Features, c.Atoms, c.Noise }
                : new double[] { c.Features, c.Atoms, c.Sparsity };
        }

        /// <summary>One fit at one N.</summary>
        internal sealed record Run(Configuration Configuration, int Seed, int Rows, bool Success, double Frobenius, double Floor, double MaxColumn, int Found, double Seconds);

        /// <summary>A configuration's result: per seed the grid index from which it recovers (grid length: never).</summary>
        internal sealed record Result(Configuration Configuration, int[] Grid, int[] FirstSuccess)
        {
            /// <summary>
            /// Per seed, the threshold N: the geometric midpoint between the last failing and the first recovering grid point;
            /// 0 when the seed recovers already at the grid's first point (below the grid), ∞ when it never recovers.
            /// </summary>
            public double[] Thresholds => FirstSuccess.Select(j => j == 0 ? 0 : j == Grid.Length ? double.PositiveInfinity : Math.Sqrt((double)Grid[j - 1] * Grid[j])).ToArray();

            /// <summary>The fraction of seeds that recover at grid point j (monotone in N by the bisection's assumption).</summary>
            public double Probability(int j) => FirstSuccess.Count(f => f <= j) / (double)FirstSuccess.Length;

            /// <summary>N* where the success probability crosses ½ (0: below the grid, ∞: above it).</summary>
            public double Crossing => ScalingLaw.CrossingPoint(Thresholds);
        }

        /// <summary>The sweeps of the default run (sized for 2 shared cores) or of <c>--quick</c> (a smoke test).</summary>
        internal static Sweep[] Sweeps(bool quick, int? seeds)
        {
            string[] sparseCovariates = { "n", "m", "k" };
            if (quick)
            {
                return new[]
                {
                    new Sweep("mixture", new[] { 16, 24 }.SelectMany(n => new[] { 0.05f, 0.2f }.Select(s => new Configuration(LatentCodeModel.MixtureOfGaussians, n, 4, 1, s))).ToArray(),
                        Geometric(10, 640), seeds ?? 2, new[] { "n", "m", "σ" }),
                    new Sweep("sparse", new[] { new Configuration(LatentCodeModel.SparseCoding, 16, 16, 2, 0.01f) }, Geometric(100, 800), seeds ?? 2, sparseCovariates),
                    new Sweep("nonnegative", new[] { new Configuration(LatentCodeModel.NonNegativeSparseCoding, 16, 8, 1, 0.01f) }, Geometric(100, 400), seeds ?? 2, sparseCovariates),
                };
            }
            var mixtures = new List<Configuration>();
            foreach (int n in new[] { 32, 64, 128 })
                foreach (int m in new[] { 5, 10, 20 })
                    foreach (float sigma in new[] { 0.05f, 0.1f, 0.2f })
                        mixtures.Add(new Configuration(LatentCodeModel.MixtureOfGaussians, n, m, 1, sigma));
            var sparse = new List<Configuration>();
            foreach (int n in new[] { 48, 64, 96 })
                foreach (int k in new[] { 2, 3 })
                    sparse.Add(new Configuration(LatentCodeModel.SparseCoding, n, n, k, 0.01f));
            sparse.Add(new Configuration(LatentCodeModel.SparseCoding, 64, 32, 2, 0.01f));
            sparse.Add(new Configuration(LatentCodeModel.SparseCoding, 64, 96, 2, 0.01f));
            var nonNegative = new[] { (48, 24, 2), (64, 32, 2), (96, 48, 2), (64, 64, 2), (64, 32, 3) }
                .Select(c => new Configuration(LatentCodeModel.NonNegativeSparseCoding, c.Item1, c.Item2, c.Item3, 0.01f)).ToArray();
            return new[]
            {
                new Sweep("mixture", mixtures.ToArray(), Geometric(20, 5120), seeds ?? 6, new[] { "n", "m", "σ" }),
                new Sweep("sparse", sparse.ToArray(), Geometric(500, 8000), seeds ?? 5, sparseCovariates),
                new Sweep("nonnegative", nonNegative, Geometric(500, 8000), seeds ?? 5, sparseCovariates),
            };
        }

        /// <summary>The grid from <paramref name="low"/> to <paramref name="high"/> in steps of √2 (rounded).</summary>
        internal static int[] Geometric(int low, int high)
        {
            var grid = new List<int>();
            for (double value = low; value <= high * 1.0001; value *= Math.Sqrt(2))
                grid.Add((int)Math.Round(value));
            return grid.Distinct().ToArray();
        }

        /// <summary>Runs every sweep: each configuration's seeds in parallel (one thread per fit), each seed by bisection.</summary>
        internal static (List<Result> Results, List<Run> Runs) Measure(Sweep sweep, int threads, TextWriter output, Progress? progress)
        {
            var results = new List<Result>();
            var runs = new ConcurrentBag<Run>();
            progress?.Phase($"sample complexity, {sweep.Name}");
            int done = 0, total = sweep.Configurations.Length * sweep.Seeds;
            foreach (var configuration in sweep.Configurations)
            {
                var first = new int[sweep.Seeds];
                Parallel.For(0, sweep.Seeds, new ParallelOptions { MaxDegreeOfParallelism = threads }, seed =>
                {
                    first[seed] = Bisect(sweep.Grid.Length, j =>
                    {
                        var run = Train(configuration, sweep.Grid[j], seed);
                        runs.Add(run);
                        return run.Success;
                    });
                    progress?.Count(System.Threading.Interlocked.Increment(ref done), total, "seeds");
                });
                var result = new Result(configuration, sweep.Grid, first);
                results.Add(result);
                output.WriteLine($"{configuration}: N* = {Describe(result.Crossing, sweep.Grid)} (first recovering grid N per seed: {string.Join(" ", first.Select(j => j == sweep.Grid.Length ? "none" : sweep.Grid[j].ToString(CultureInfo.InvariantCulture)))})");
            }
            progress?.Done();
            var ordered = runs.OrderBy(r => Array.IndexOf(sweep.Configurations, r.Configuration)).ThenBy(r => r.Seed).ThenBy(r => r.Rows).ToList();
            return (results, ordered);
        }

        /// <summary>
        /// The smallest index in [0, <paramref name="count"/>) at which <paramref name="succeeds"/> holds, assuming it holds
        /// from some index on (more rows do not hurt; the rows at N are a prefix of those at 2N); <paramref name="count"/>
        /// when it holds nowhere. ⌈log₂(count + 1)⌉ evaluations.
        /// </summary>
        internal static int Bisect(int count, Func<int, bool> succeeds)
        {
            int low = 0, high = count;
            while (low < high)
            {
                int middle = (low + high) / 2;
                if (succeeds(middle))
                    high = middle;
                else
                    low = middle + 1;
            }
            return low;
        }

        internal static string Describe(double crossing, int[] grid) =>
            crossing == 0 ? $"≤ {grid[0]}" : double.IsPositiveInfinity(crossing) ? $"> {grid[^1]}" : crossing.ToString("F0", CultureInfo.InvariantCulture);

        /// <summary>
        /// From scratch with the recipe of <c>experiments --targets</c> (docs/recovery-from-scratch.md): Spectral start,
        /// hard threshold λ = ½, b = 0, 50 steps; ζ = m for the mixture, 0.5·m/k for ± sparse codes, 1 for non-negative
        /// codes; sparse models add 3 least-squares refit rounds and use <see cref="SparsePairBudget"/>. One thread per fit
        /// (fits run side by side).
        /// </summary>
        private static Run Train(Configuration c, int rows, int seed)
        {
            var ml = new MLContext(seed: seed);
            var data = RecoveryRecipe.Data(ml, c.Model, c.Features, c.Atoms, c.Sparsity, c.Noise, rows, seed);
            var options = RecoveryRecipe.Options(c.Model, c.Atoms, c.Sparsity, WeightInitialization.Spectral, seed);
            options.NumberOfThreads = 1;
            options.SpectralMaximumPairs = c.IsMixture ? null : SparsePairBudget;
            var watch = Stopwatch.StartNew();
            var model = ml.Transforms.SharedAutoencoder(options).Fit(data);
            var metrics = DictionaryRecovery.Evaluate(model.Model.GetWeights(), data.Dictionary, allowSignFlips: c.Model == LatentCodeModel.SparseCoding);
            double floor = c.Noise * Math.Sqrt((double)c.Features * c.Atoms * c.Atoms / rows);
            bool success = c.IsMixture
                ? metrics.FrobeniusError <= FloorFactor * floor && metrics.MaxColumnError <= MixtureColumnGuard
                : metrics.MaxColumnError <= ColumnThreshold;
            return new Run(c, seed, rows, success, metrics.FrobeniusError, floor, metrics.MaxColumnError,
                model.History.Initialization?.FoundColumns ?? c.Atoms, watch.Elapsed.TotalSeconds);
        }
    }
}
