using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Visualization
{
    /// <summary>
    /// Draws a <see cref="TrainingHistory"/> as a grayscale PNG of stacked line charts against the iteration: the loss
    /// (on a log axis when it spans more than a factor 50), the active fraction (mean code density), and — when the
    /// history has it (<c>GroundTruthDictionary</c> was set) — the dictionary recovery error, black, with the largest
    /// column error in grey. Each panel has its title, y-axis ticks with values and light grid lines; the x axis is
    /// labelled with iteration numbers. Steps the divergence guard undid are left out (they are not states the
    /// weights passed through).
    /// </summary>
    /// <remarks>
    /// Drawn by the library itself (a 5×7 pixel font, <see cref="PngEncoder"/>), so the package needs no plotting or
    /// imaging dependency. For colour charts, put <see cref="TrainingHistory.Iterations"/> into any plotting library.
    /// </remarks>
    public static class TrainingHistoryPlot
    {
        /// <summary>The default image width in pixels.</summary>
        public const int DefaultWidth = 720;

        private const int PanelHeight = 220;
        private const int Left = 76, Right = 16, Top = 22, Bottom = 34;
        private const byte Black = 0, Grey = 140, GridLevel = 225;

        /// <summary>
        /// Writes the chart to <paramref name="path"/> atomically: to a temporary file in the same directory, then renamed
        /// over the target, so a failed save leaves any existing file as it was.
        /// </summary>
        /// <param name="history">The history, e.g. <c>transformer.TrainingHistory</c>; at least one step that was not undone.</param>
        /// <param name="path">The PNG file to write (replaced if it exists); its directory must exist.</param>
        /// <param name="width">The image width in pixels, 240 to 8,192.</param>
        public static void SavePng(TrainingHistory history, string path, int width = DefaultWidth)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(path);
            GrayCanvas canvas = Render(history, width);
            PngFile.SaveAtomically(path, canvas.Pixels, canvas.Width, canvas.Height, "training history chart");
        }

        /// <summary>Writes the chart to <paramref name="stream"/> (see <see cref="SavePng(TrainingHistory, string, int)"/>); the stream is left open.</summary>
        /// <param name="history">The history; at least one step that was not undone.</param>
        /// <param name="stream">A writable stream; the PNG is written from its current position.</param>
        /// <param name="width">The image width in pixels, 240 to 8,192.</param>
        public static void SavePng(TrainingHistory history, Stream stream, int width = DefaultWidth)
        {
            ArgumentNullException.ThrowIfNull(stream);
            if (!stream.CanWrite)
                throw new ArgumentException("The stream is not writable.", nameof(stream));
            GrayCanvas canvas = Render(history, width);
            PngEncoder.WriteGrayscale(stream, canvas.Pixels, canvas.Width, canvas.Height);
        }

        /// <summary>The panels drawn on one canvas; validates the arguments first.</summary>
        internal static GrayCanvas Render(TrainingHistory history, int width)
        {
            ArgumentNullException.ThrowIfNull(history);
            if (width < 240 || width > 8192)
                throw new ArgumentOutOfRangeException(nameof(width), width, $"{nameof(width)} must be in [240, 8192], got {width}.");
            TrainingIteration[] kept = history.Iterations.Where(i => !i.Undone && double.IsFinite(i.Loss)).ToArray();
            if (kept.Length == 0)
                throw new ArgumentException("The history has no step that was kept (every entry was undone or non-finite): there is nothing to draw.", nameof(history));

            var panels = new List<ChartPanel>
            {
                ChartPanel.Create("LOSS", kept, i => i.Loss, null, logIfWide: true),
                ChartPanel.Create("ACTIVE FRACTION", kept, i => i.ActiveFraction, null, logIfWide: false),
            };
            if (kept.Any(i => i.RecoveryError.HasValue))
            {
                panels.Add(ChartPanel.Create("RECOVERY ERROR (BLACK), MAX COLUMN ERROR (GREY)", kept,
                    i => i.RecoveryError ?? double.NaN, i => i.MaxColumnError ?? double.NaN, logIfWide: false));
            }

            var canvas = new GrayCanvas(width, panels.Count * PanelHeight);
            for (int p = 0; p < panels.Count; p++)
                Draw(canvas, panels[p], p * PanelHeight, width);
            return canvas;
        }

        private static void Draw(GrayCanvas canvas, ChartPanel panel, int top, int width)
        {
            int x0 = Left, x1 = width - Right, y0 = top + Top, y1 = top + PanelHeight - Bottom;
            canvas.Text(panel.Title, x0, top + 6);
            foreach (double tick in panel.YTicks)
            {
                int y = panel.YPixel(tick, y0, y1);
                canvas.HorizontalLine(x0 + 1, x1, y, GridLevel);
                canvas.HorizontalLine(x0 - 4, x0, y, Black);
                string label = ChartPanel.Format(tick);
                canvas.Text(label, x0 - 7 - PixelFont.Width(label), y - PixelFont.GlyphHeight / 2);
            }
            foreach (int tick in panel.XTicks)
            {
                int x = panel.XPixel(tick, x0, x1);
                canvas.VerticalLine(x, y1, y1 + 4, Black);
                string label = tick.ToString(System.Globalization.CultureInfo.InvariantCulture);
                canvas.Text(label, x - PixelFont.Width(label) / 2, y1 + 7);
            }
            canvas.Text("ITERATION", x1 - PixelFont.Width("ITERATION"), y1 + 7 + PixelFont.GlyphHeight + 3);
            if (panel.Secondary != null)
                DrawSeries(canvas, panel, panel.Secondary, Grey, x0, x1, y0, y1);
            DrawSeries(canvas, panel, panel.Primary, Black, x0, x1, y0, y1);
            canvas.VerticalLine(x0, y0, y1, Black);
            canvas.HorizontalLine(x0, x1, y1, Black);
        }

        private static void DrawSeries(GrayCanvas canvas, ChartPanel panel, (int Iteration, double Value)[] series, byte level, int x0, int x1, int y0, int y1)
        {
            (int X, int Y)? previous = null;
            foreach (var (iteration, value) in series)
            {
                if (!double.IsFinite(value))
                {
                    previous = null;
                    continue;
                }
                var point = (panel.XPixel(iteration, x0, x1), panel.YPixel(value, y0, y1));
                if (previous is (int px, int py))
                    canvas.Line(px, py, point.Item1, point.Item2, level);
                else
                    canvas.Line(point.Item1 - 1, point.Item2, point.Item1 + 1, point.Item2, level);
                previous = point;
            }
        }
    }
}
