using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Examples.Research
{
    /// <summary>
    /// One configuration of a sample-complexity sweep: its covariates (for example n, m, k; all positive) and, per seed, the
    /// smallest number of rows from which that seed recovers (<see cref="double.PositiveInfinity"/>: not within the grid).
    /// </summary>
    internal sealed record ThresholdSample(double[] Covariates, double[] SeedThresholds);

    /// <summary>
    /// A fitted power law N* = C · Π x_i^{a_i}: the exponents with their bootstrap 95 % intervals, the constant C, the fit's
    /// R² in log space, and the number of configurations it was fitted on.
    /// </summary>
    internal sealed record ScalingLawFit(string[] Names, double[] Exponents, double[] Lower, double[] Upper, double Constant,
        double RSquared, int Points, int Replicates)
    {
        /// <summary>The law's prediction at <paramref name="covariates"/> (same order as <see cref="Names"/>).</summary>
        public double Predict(double[] covariates) => Constant * Names.Select((_, i) => Math.Pow(covariates[i], Exponents[i])).Aggregate(1.0, (a, b) => a * b);
    }

    /// <summary>
    /// Fits N* ∝ Π x_i^{a_i} by least squares on log N* = log C + Σ a_i log x_i, where a configuration's N* is the median of
    /// its seeds' thresholds (the N at which the fraction of seeds that recover crosses ½), and bootstraps the seeds.
    /// </summary>
    internal static class ScalingLaw
    {
        /// <summary>
        /// The point where the success probability crosses ½: the median of the seeds' thresholds (the geometric mean of the
        /// two middle ones for an even count); infinite when at least half of the seeds never recover within the grid.
        /// </summary>
        public static double CrossingPoint(IReadOnlyList<double> thresholds)
        {
            if (thresholds.Count == 0)
                throw new ArgumentException("At least one seed is needed.", nameof(thresholds));
            var sorted = thresholds.OrderBy(t => t).ToArray();
            int half = sorted.Length / 2;
            // With half of the seeds never recovering the probability never exceeds ½ within the grid: no crossing (∞), also
            // when the other half recover below the grid (0 · ∞ has no geometric mean).
            if (double.IsPositiveInfinity(sorted[half]))
                return double.PositiveInfinity;
            return sorted.Length % 2 == 1 ? sorted[half] : Math.Sqrt(sorted[half - 1] * sorted[half]);
        }

        /// <summary>
        /// Least squares on the logarithms: returns [log C, a_1, …, a_p]. Throws when there are not more points than
        /// parameters or the design is singular (a covariate that does not vary).
        /// </summary>
        public static double[] FitLogLinear(IReadOnlyList<double[]> covariates, IReadOnlyList<double> values)
        {
            int points = values.Count, parameters = covariates[0].Length + 1;
            if (points <= parameters)
                throw new ArgumentException($"{points} configurations cannot determine {parameters} parameters: add grid points.", nameof(values));
            var normal = new double[parameters, parameters + 1];
            for (int r = 0; r < points; r++)
            {
                double[] row = Design(covariates[r]);
                double y = Math.Log(values[r]);
                for (int i = 0; i < parameters; i++)
                {
                    for (int j = 0; j < parameters; j++)
                        normal[i, j] += row[i] * row[j];
                    normal[i, parameters] += row[i] * y;
                }
            }
            return Solve(normal, parameters);
        }

        /// <summary>
        /// Fits the law on the configurations whose crossing point lies inside the grid (positive and finite) and bootstraps
        /// it: each replicate resamples every configuration's seeds with replacement (a configuration whose resampled crossing
        /// point falls outside the grid is left out of
        /// that replicate; a replicate that leaves too few configurations is skipped). Covariates that take one value only
        /// are dropped from the law.
        /// </summary>
        public static ScalingLawFit Fit(string[] names, IReadOnlyList<ThresholdSample> samples, int replicates, int seed)
        {
            var finite = samples.Where(s => Usable(CrossingPoint(s.SeedThresholds))).ToList();
            int[] varying = Enumerable.Range(0, names.Length).Where(i => finite.Select(s => s.Covariates[i]).Distinct().Count() > 1).ToArray();
            if (varying.Length == 0)
                throw new ArgumentException("No covariate varies over the configurations with a finite crossing point: add grid points.", nameof(samples));
            double[][] X = finite.Select(s => varying.Select(i => s.Covariates[i]).ToArray()).ToArray();
            double[] y = finite.Select(s => CrossingPoint(s.SeedThresholds)).ToArray();
            double[] estimate = FitLogLinear(X, y);

            var random = new Random(seed);
            var draws = new List<double[]>();
            for (int b = 0; b < replicates; b++)
            {
                var xs = new List<double[]>();
                var ys = new List<double>();
                for (int c = 0; c < finite.Count; c++)
                {
                    double[] seeds = finite[c].SeedThresholds;
                    double crossing = CrossingPoint(seeds.Select(_ => seeds[random.Next(seeds.Length)]).ToArray());
                    if (!Usable(crossing))
                        continue;
                    xs.Add(X[c]);
                    ys.Add(crossing);
                }
                if (ys.Count > varying.Length + 1 && TryFit(xs, ys, out double[] draw))
                    draws.Add(draw);
            }
            double[] lower = new double[varying.Length], upper = new double[varying.Length];
            for (int i = 0; i < varying.Length; i++)
            {
                var sorted = draws.Select(d => d[i + 1]).OrderBy(v => v).ToArray();
                lower[i] = sorted.Length == 0 ? double.NaN : Quantile(sorted, 0.025);
                upper[i] = sorted.Length == 0 ? double.NaN : Quantile(sorted, 0.975);
            }
            return new ScalingLawFit(varying.Select(i => names[i]).ToArray(), estimate.Skip(1).ToArray(), lower, upper, Math.Exp(estimate[0]),
                RSquared(X, y, estimate), finite.Count, draws.Count);
        }

        /// <summary>A crossing point inside the grid: positive (0 marks "below the grid") and finite.</summary>
        public static bool Usable(double crossing) => crossing > 0 && double.IsFinite(crossing);

        private static bool TryFit(List<double[]> xs, List<double> ys, out double[] coefficients)
        {
            try
            {
                coefficients = FitLogLinear(xs, ys);
                return true;
            }
            catch (ArgumentException)
            {
                // A resample can make a covariate constant among the finite configurations; that replicate carries no estimate.
                coefficients = Array.Empty<double>();
                return false;
            }
        }

        private static double[] Design(double[] covariates)
        {
            var row = new double[covariates.Length + 1];
            row[0] = 1;
            for (int i = 0; i < covariates.Length; i++)
                row[i + 1] = Math.Log(covariates[i]);
            return row;
        }

        /// <summary>Gaussian elimination with partial pivoting on the augmented normal equations.</summary>
        private static double[] Solve(double[,] a, int size)
        {
            for (int col = 0; col < size; col++)
            {
                int pivot = Enumerable.Range(col, size - col).OrderByDescending(r => Math.Abs(a[r, col])).First();
                if (Math.Abs(a[pivot, col]) < 1e-10 * Math.Max(1, Math.Abs(a[0, 0])))
                    throw new ArgumentException("The design is singular: a covariate does not vary (or two vary together) over the configurations.");
                for (int j = 0; j <= size; j++)
                    (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
                for (int r = 0; r < size; r++)
                {
                    if (r == col)
                        continue;
                    double factor = a[r, col] / a[col, col];
                    for (int j = col; j <= size; j++)
                        a[r, j] -= factor * a[col, j];
                }
            }
            return Enumerable.Range(0, size).Select(i => a[i, size] / a[i, i]).ToArray();
        }

        private static double RSquared(double[][] X, double[] y, double[] coefficients)
        {
            double[] logs = y.Select(v => Math.Log(v)).ToArray();
            double mean = logs.Average(), total = 0, residual = 0;
            for (int r = 0; r < logs.Length; r++)
            {
                double[] row = Design(X[r]);
                double fitted = row.Select((v, i) => v * coefficients[i]).Sum();
                residual += (logs[r] - fitted) * (logs[r] - fitted);
                total += (logs[r] - mean) * (logs[r] - mean);
            }
            return total == 0 ? double.NaN : 1 - residual / total;
        }

        /// <summary>Linear interpolation between order statistics (type 7, as numpy's default).</summary>
        private static double Quantile(double[] sorted, double q)
        {
            double position = q * (sorted.Length - 1);
            int low = (int)Math.Floor(position);
            int high = Math.Min(low + 1, sorted.Length - 1);
            return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
        }
    }
}
