using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Visualization
{
    /// <summary>One panel of <see cref="TrainingHistoryPlot"/>: its series, its axis ranges and ticks, and the mapping to pixels.</summary>
    internal sealed class ChartPanel
    {
        private double _low, _high;
        private int _first, _last;

        private ChartPanel(string title, (int, double)[] primary, (int, double)[]? secondary)
        {
            Title = title;
            Primary = primary;
            Secondary = secondary;
        }

        public string Title { get; private set; }

        public (int Iteration, double Value)[] Primary { get; }

        public (int Iteration, double Value)[]? Secondary { get; }

        /// <summary>Whether the y axis is log10 (a loss that spans orders of magnitude).</summary>
        public bool Logarithmic { get; private set; }

        public double[] YTicks { get; private set; } = Array.Empty<double>();

        public int[] XTicks { get; private set; } = Array.Empty<int>();

        public static ChartPanel Create(string title, TrainingIteration[] kept, Func<TrainingIteration, double> primary,
            Func<TrainingIteration, double>? secondary, bool logIfWide)
        {
            var panel = new ChartPanel(title, kept.Select(i => (i.Iteration, primary(i))).ToArray(),
                secondary == null ? null : kept.Select(i => (i.Iteration, secondary(i))).ToArray());
            double[] values = panel.Primary.Concat(panel.Secondary ?? Array.Empty<(int, double)>())
                .Select(p => p.Item2).Where(double.IsFinite).ToArray();
            if (values.Length == 0)
                values = new[] { 0.0 };
            double low = values.Min(), high = values.Max();
            panel.Logarithmic = logIfWide && low > 0 && high / low > 50;
            if (panel.Logarithmic)
                panel.Title += " (LOG SCALE)";
            panel.SetRange(low, high);
            panel._first = kept.Min(i => i.Iteration);
            panel._last = Math.Max(kept.Max(i => i.Iteration), panel._first + 1);
            panel.XTicks = NiceTicks(panel._first, panel._last, 8).Select(t => (int)Math.Round(t)).Where(t => t >= panel._first && t <= panel._last).Distinct().ToArray();
            return panel;
        }

        public int XPixel(int iteration, int x0, int x1) => x0 + (int)Math.Round((double)(iteration - _first) / (_last - _first) * (x1 - x0));

        public int YPixel(double value, int y0, int y1)
        {
            double v = Logarithmic ? Math.Log10(value) : value;
            return y1 - (int)Math.Round((v - _low) / (_high - _low) * (y1 - y0));
        }

        /// <summary>A short label: three significant digits, invariant culture ("0.0125", "1.5E-05", "230").</summary>
        public static string Format(double value) => Math.Abs(value) < 1e-12 ? "0" : value.ToString("G3", CultureInfo.InvariantCulture);

        private void SetRange(double low, double high)
        {
            if (Logarithmic)
            {
                _low = Math.Floor(Math.Log10(low));
                _high = Math.Ceiling(Math.Log10(high));
                var ticks = new List<double>();
                int step = Math.Max(1, (int)Math.Ceiling((_high - _low) / 6));
                for (double e = _low; e <= _high; e += step)
                    ticks.Add(Math.Pow(10, e));
                YTicks = ticks.ToArray();
                return;
            }
            if (high - low <= Math.Abs(high) * 1e-9)
            {
                // A flat series: a band around it, so the line sits in the middle rather than on an axis.
                double pad = Math.Abs(high) > 0 ? Math.Abs(high) * 0.1 : 1;
                low -= pad;
                high += pad;
            }
            YTicks = NiceTicks(low, high, 5);
            _low = Math.Min(low, YTicks[0]);
            _high = Math.Max(high, YTicks[^1]);
        }

        /// <summary>Ticks at multiples of 1, 2 or 5 × 10^k covering [low, high] with about <paramref name="count"/> intervals.</summary>
        private static double[] NiceTicks(double low, double high, int count)
        {
            double raw = (high - low) / count;
            double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            double fraction = raw / magnitude;
            double step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
            double start = Math.Floor(low / step) * step, end = Math.Ceiling(high / step) * step;
            var ticks = new List<double>();
            for (int k = 0; start + k * step <= end + step * 1e-9; k++)
                ticks.Add(start + k * step);
            return ticks.ToArray();
        }
    }
}
