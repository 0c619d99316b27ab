using System;
using System.IO;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Visualization;
using Png = Microsoft.ML.SharedAutoencoder.Tests.PngDecoder.Png;

namespace Microsoft.ML.SharedAutoencoder.Tests.Visualization
{
    [TestClass]
    public sealed class TrainingHistoryPlotTests
    {
        // The layout constants of TrainingHistoryPlot: panel height and the plot area's margins.
        private const int PanelHeight = 220, Left = 76, Right = 16, Top = 22, Bottom = 34;

        private string _directory = null!;

        [TestInitialize]
        public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("history-plot-tests-").FullName;

        [TestCleanup]
        public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

        /// <summary>Loss falling from 10 to 0.01 over 40 steps, active fraction rising from 0.1 to 0.3; optional recovery error.</summary>
        private static TrainingHistory History(bool recovery, int undoneAt = -1)
        {
            var entries = Enumerable.Range(0, 41).Select(s => new TrainingIteration(s, 10 * Math.Pow(1e-3, s / 40.0), s == 0 ? 0 : 5f,
                0.1 + 0.2 * s / 40, 0, undone: false, recovery ? 1.0 - s / 50.0 : null, recovery ? 1.2 - s / 50.0 : null)).ToList();
            if (undoneAt >= 0)
                entries.Insert(undoneAt, new TrainingIteration(undoneAt, 1e6, 5f, 0.9, 3, undone: true, recovery ? 5.0 : null, recovery ? 6.0 : null));
            return new TrainingHistory(entries, TrainingStopReason.IterationLimit);
        }

        private static Png Render(TrainingHistory history, int width = TrainingHistoryPlot.DefaultWidth)
        {
            using var stream = new MemoryStream();
            TrainingHistoryPlot.SavePng(history, stream, width);
            return PngDecoder.Decode(stream.ToArray());
        }

        /// <summary>The topmost black pixel of column x inside panel p's plot area (the series line; the grid is light grey).</summary>
        private static int LineY(Png png, int panel, int x)
        {
            int y0 = panel * PanelHeight + Top, y1 = panel * PanelHeight + PanelHeight - Bottom;
            for (int y = y0; y < y1; y++)
            {
                if (png.Pixels[y * png.Width + x] == 0)
                    return y;
            }
            Assert.Fail($"No line in column {x} of panel {panel}.");
            return -1;
        }

        [TestMethod]
        public void DrawsLossAndActiveFractionPanelsWithLinesThatFollowTheSeries()
        {
            Png png = Render(History(recovery: false), width: 600);

            Assert.AreEqual(600, png.Width);
            Assert.AreEqual(2 * PanelHeight, png.Height, "two panels: loss and active fraction");
            int early = Left + (600 - Left - Right) / 8, late = Left + (600 - Left - Right) * 7 / 8;
            Assert.IsGreaterThan(LineY(png, 0, early) + 40, LineY(png, 0, late), "the loss line falls (image y grows downwards)");
            Assert.IsLessThan(LineY(png, 1, early) - 40, LineY(png, 1, late), "the active-fraction line rises");
            // Labels are drawn: dark pixels left of the y axis (tick values) and in the title row.
            Assert.IsTrue(Enumerable.Range(Top, PanelHeight - Top - Bottom).Any(y => png.Pixels.Skip(y * png.Width).Take(Left - 8).Any(p => p == 0)), "y tick labels");
            Assert.IsTrue(png.Pixels.Skip(6 * png.Width).Take(png.Width).Any(p => p == 0), "title");
        }

        [TestMethod]
        public void AddsARecoveryPanelWhenTheHistoryHasRecoveryErrors()
        {
            Png png = Render(History(recovery: true));
            Assert.AreEqual(3 * PanelHeight, png.Height);
            int x = Left + (png.Width - Left - Right) / 2;
            int y0 = 2 * PanelHeight + Top, y1 = 3 * PanelHeight - Bottom;
            var column = Enumerable.Range(y0, y1 - y0).Select(y => png.Pixels[y * png.Width + x]).ToArray();
            Assert.Contains((byte)0, column, "the recovery error line (black)");
            Assert.Contains((byte)140, column, "the max column error line (grey)");
        }

        [TestMethod]
        public void LeavesOutUndoneSteps()
        {
            CollectionAssert.AreEqual(Render(History(recovery: true)).Pixels, Render(History(recovery: true, undoneAt: 12)).Pixels);
        }

        [TestMethod]
        public void SavesAFileThatDecodesAndRefusesAMissingDirectory()
        {
            string path = Path.Combine(_directory, "history.png");
            File.WriteAllText(path, "old");
            TrainingHistoryPlot.SavePng(History(recovery: false), path);
            Png png = PngDecoder.Decode(File.ReadAllBytes(path));
            Assert.AreEqual(TrainingHistoryPlot.DefaultWidth, png.Width);
            CollectionAssert.AreEqual(new[] { "history.png" }, Directory.GetFiles(_directory).Select(Path.GetFileName).ToArray(), "no temporary file left");

            string missing = Path.Combine(_directory, "missing", "history.png");
            Assert.ThrowsExactly<DirectoryNotFoundException>(() => TrainingHistoryPlot.SavePng(History(recovery: false), missing));
        }

        [TestMethod]
        public void RefusesBadArguments()
        {
            Assert.ThrowsExactly<ArgumentNullException>(() => Render(null!));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Render(History(recovery: false), width: 100));
            var allUndone = new TrainingHistory(new[] { new TrainingIteration(1, double.PositiveInfinity, 1f, 0, 0, undone: true, null, null) }, TrainingStopReason.IterationLimit);
            var error = Assert.ThrowsExactly<ArgumentException>(() => Render(allUndone));
            StringAssert.Contains(error.Message, "nothing to draw");
        }
    }
}
