using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ScottPlot;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Research
{
    /// <summary>A named curve: y over iterations 0, 1, 2, ….</summary>
    internal sealed record Curve(string Label, double[] Values);

    /// <summary>A curve with a spread: mean and a [low, high] band.</summary>
    internal sealed record BandCurve(string Label, double[] Mean, double[] Low, double[] High);

    /// <summary>The reproduction's figures, rendered headless with ScottPlot (SkiaSharp).</summary>
    internal static class Figures
    {
        public const int PanelWidth = 480;
        public const int Height = 400;

        /// <summary>One panel per entry, side by side; the y axis is logarithmic (the loss spans decades).</summary>
        public static void SaveLinePanels(string path, string title, IReadOnlyList<(string Title, IReadOnlyList<Curve> Curves)> panels, string yLabel, bool logY)
        {
            var multiplot = new Multiplot();
            multiplot.AddPlots(panels.Count);
            multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
            for (int p = 0; p < panels.Count; p++)
            {
                Plot plot = multiplot.GetPlot(p);
                plot.Title(p == panels.Count / 2 ? $"{title}\n{panels[p].Title}" : panels[p].Title);
                plot.XLabel("iteration");
                plot.YLabel(yLabel);
                foreach (var curve in panels[p].Curves)
                {
                    double[] xs = Enumerable.Range(0, curve.Values.Length).Select(i => (double)i).ToArray();
                    double[] ys = logY ? curve.Values.Select(v => Math.Log10(Math.Max(v, 1e-12))).ToArray() : curve.Values;
                    var line = plot.Add.ScatterLine(xs, ys);
                    line.LegendText = curve.Label;
                    line.LineWidth = 2;
                }
                if (logY)
                    UseLogTicks(plot);
                plot.ShowLegend(Alignment.UpperRight);
            }
            Save(multiplot, path, PanelWidth * panels.Count, Height);
        }

        /// <summary>
        /// A probability heat map: one row per <paramref name="rowLabels"/> entry (top to bottom), one column per
        /// <paramref name="columnLabels"/> entry, each cell annotated with its value ("n/a" for NaN).
        /// </summary>
        public static void SaveHeatmap(string path, string title, double[,] values, string[] rowLabels, string[] columnLabels, string xLabel)
        {
            var plot = new Plot();
            var heatmap = plot.Add.Heatmap(values);
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            heatmap.ManualRange = new ScottPlot.Range(0, 1);
            plot.Add.ColorBar(heatmap);
            int rows = rowLabels.Length;
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, columnLabels.Length).Select(i => (double)i).ToArray(), columnLabels);
            // ScottPlot draws heat-map row 0 at the top, so tick r sits at y = rows − 1 − r.
            plot.Axes.Left.SetTicks(Enumerable.Range(0, rows).Select(r => (double)(rows - 1 - r)).ToArray(), rowLabels);
            plot.Title(title);
            plot.XLabel(xLabel);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columnLabels.Length; c++)
                {
                    string text = double.IsNaN(values[r, c]) ? "n/a" : values[r, c].ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
                    var label = plot.Add.Text(text, c, rows - 1 - r);
                    label.LabelFontColor = Colors.White;
                    label.LabelAlignment = Alignment.MiddleCenter;
                }
            }
            Save(plot, path, 900, 450);
        }

        /// <summary>Mean curves with shaded min–max bands, all in one panel.</summary>
        public static void SaveBands(string path, string title, IReadOnlyList<BandCurve> curves, string yLabel)
        {
            var plot = new Plot();
            plot.Title(title);
            plot.XLabel("iteration");
            plot.YLabel(yLabel);
            var palette = new ScottPlot.Palettes.Category10();
            for (int c = 0; c < curves.Count; c++)
            {
                var curve = curves[c];
                Color color = palette.GetColor(c);
                double[] xs = Enumerable.Range(0, curve.Mean.Length).Select(i => (double)i).ToArray();
                var band = plot.Add.FillY(xs, curve.Low, curve.High);
                band.FillColor = color.WithAlpha(0.25);
                band.LineWidth = 0;
                var line = plot.Add.ScatterLine(xs, curve.Mean);
                line.Color = color;
                line.LineWidth = 2;
                line.LegendText = curve.Label;
            }
            plot.ShowLegend(Alignment.UpperRight);
            Save(plot, path, 720, Height);
        }

        private static void Save(Multiplot multiplot, string path, int width, int height)
        {
            CreateDirectoryOf(path);
            OutputFiles.WriteVia(path, temporary => multiplot.SavePng(temporary, width, height));
        }

        private static void Save(Plot plot, string path, int width, int height)
        {
            CreateDirectoryOf(path);
            OutputFiles.WriteVia(path, temporary => plot.SavePng(temporary, width, height));
        }

        private static void CreateDirectoryOf(string path)
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory != null)
                Directory.CreateDirectory(directory);
        }

        private static void UseLogTicks(Plot plot)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
            };
        }

        /// <summary>Width and height from a PNG's IHDR chunk.</summary>
        public static (int Width, int Height) ReadPngSize(string path)
        {
            Span<byte> header = stackalloc byte[24];
            using var stream = File.OpenRead(path);
            if (stream.Read(header) != 24 || header[0] != 0x89 || header[1] != (byte)'P' || header[2] != (byte)'N' || header[3] != (byte)'G')
                throw new InvalidDataException($"{path} is not a PNG file.");
            int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.Slice(16, 4));
            int height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.Slice(20, 4));
            return (width, height);
        }
    }
}
