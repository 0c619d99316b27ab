using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Microsoft.ML.Data;
using ScottPlot;

namespace Microsoft.ML.SharedAutoencoder.Examples
{
    /// <summary>One class of the one-class protocol: AUCs of "not this class" for both detectors.</summary>
    internal sealed record AnomalyClassResult(int Class, int TrainRows, int TestRows, double PcaAuc, double AutoencoderAuc,
        double EvaluatorAuc, double DetectionRateAt10, double FlaggedTrainingFraction, double PcaFitSeconds, double AutoencoderFitSeconds,
        RocCurve PcaRoc, RocCurve AutoencoderRoc);

    /// <summary>An ROC curve: false and true positive rates at every distinct score threshold, from (0, 0) to (1, 1).</summary>
    internal sealed record RocCurve(double[] FalsePositiveRates, double[] TruePositiveRates);

    /// <summary>Rows with an integer class in [0, classes).</summary>
    internal sealed record LabeledRows(float[][] Features, int[] Labels, int Classes);

    /// <summary>
    /// The one-class anomaly-detection protocol (as in deep one-class papers): for each class c, train on the training rows
    /// of class c only, score every test row, and measure the AUC of "not class c" (anomaly = any other class); report
    /// per class and the mean. Detectors: ML.NET's <c>RandomizedPca</c> (rank 20, centered) and
    /// <c>AnomalyDetection.Trainers.SharedAutoencoder</c>. Self-contained so that a command can call it:
    /// <see cref="LoadFashionMnist"/> / <see cref="LoadDigits"/>, then <see cref="Run"/>, then <see cref="FormatTable"/>.
    /// </summary>
    internal static class AnomalyBenchmark
    {
        public const int PcaRank = 20;

        /// <summary>Fashion-MNIST from <paramref name="directory"/>: the official training and test sets, pixels in [0, 1].</summary>
        public static (LabeledRows Train, LabeledRows Test) LoadFashionMnist(MLContext ml, string directory)
        {
            LabeledRows Load(string prefix)
            {
                var view = ml.Data.LoadFromIdx(Path.Combine(directory, prefix + "-images-idx3-ubyte.gz"), Path.Combine(directory, prefix + "-labels-idx1-ubyte.gz"), labelCount: 10);
                var features = new List<float[]>();
                var labels = new List<int>();
                using var cursor = view.GetRowCursor(view.Schema);
                var getFeatures = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
                var getLabel = cursor.GetGetter<uint>(view.Schema["Label"]);
                VBuffer<float> value = default;
                uint key = 0;
                while (cursor.MoveNext())
                {
                    getFeatures(ref value);
                    getLabel(ref key);
                    features.Add(value.DenseValues().ToArray());
                    labels.Add((int)key - 1);
                }
                return new LabeledRows(features.ToArray(), labels.ToArray(), 10);
            }
            return (Load("train"), Load("t10k"));
        }

        /// <summary>
        /// The UCI digits (64 pixels 0..16, then the label; no header), pixels scaled to [0, 1]; a fixed split: every
        /// third row (index ≡ 0 mod 3) is a test row, the others training rows.
        /// </summary>
        public static (LabeledRows Train, LabeledRows Test) LoadDigits(string path)
        {
            using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var reader = new StreamReader(stream);
            var rows = new List<(float[] Features, int Label)>();
            for (string? line = reader.ReadLine(); line != null; line = reader.ReadLine())
            {
                if (line.Trim().Length == 0)
                    continue;
                var fields = line.Split(',').Select(f => float.Parse(f, CultureInfo.InvariantCulture)).ToArray();
                rows.Add((fields.Take(64).Select(v => v / 16f).ToArray(), (int)fields[64]));
            }
            LabeledRows Part(bool test)
            {
                var part = rows.Where((_, i) => (i % 3 == 0) == test).ToArray();
                return new LabeledRows(part.Select(r => r.Features).ToArray(), part.Select(r => r.Label).ToArray(), 10);
            }
            return (Part(test: false), Part(test: true));
        }

        /// <summary>Runs the protocol for every class; <paramref name="options"/> configures the autoencoder (its seed is kept).</summary>
        public static List<AnomalyClassResult> Run(MLContext ml, LabeledRows train, LabeledRows test, SharedAutoencoderAnomalyTrainer.Options options, TextWriter? log = null,
            Common.Progress? progress = null)
        {
            int n = train.Features[0].Length;
            var results = new List<AnomalyClassResult>();
            for (int c = 0; c < train.Classes; c++)
            {
                progress?.Phase($"class {c + 1}/{train.Classes}");
                var normal = train.Features.Where((_, i) => train.Labels[i] == c).ToArray();
                IDataView trainView = View(ml, normal, new float[normal.Length], n);
                float[] isAnomaly = test.Labels.Select(l => l == c ? 0f : 1f).ToArray();
                IDataView testView = View(ml, test.Features, isAnomaly, n);

                var watch = Stopwatch.StartNew();
                var pca = ml.AnomalyDetection.Trainers.RandomizedPca(featureColumnName: "Features", rank: PcaRank, seed: 1).Fit(trainView);
                double pcaSeconds = watch.Elapsed.TotalSeconds;
                float[] pcaScores = Scores(pca.Transform(testView));
                double pcaAuc = Auc(pcaScores, isAnomaly);

                watch.Restart();
                var model = ml.AnomalyDetection.Trainers.SharedAutoencoder(options).Fit(trainView);
                double aeSeconds = watch.Elapsed.TotalSeconds;
                IDataView scored = model.Transform(testView);
                float[] aeScores = Scores(scored);
                double aeAuc = Auc(aeScores, isAnomaly);
                var metrics = ml.AnomalyDetection.Evaluate(scored);
                double flagged = model.Transform(trainView).GetColumn<bool>("PredictedLabel").Count(p => p) / (double)normal.Length;

                var result = new AnomalyClassResult(c, normal.Length, test.Features.Length, pcaAuc, aeAuc, metrics.AreaUnderRocCurve,
                    metrics.DetectionRateAtFalsePositiveCount, flagged, pcaSeconds, aeSeconds, Roc(pcaScores, isAnomaly), Roc(aeScores, isAnomaly));
                log?.WriteLine($"class {c}: PCA {pcaAuc:F4}  autoencoder {aeAuc:F4} (Evaluate {metrics.AreaUnderRocCurve:F4})  fit {aeSeconds:F2} s");
                results.Add(result);
                progress?.Count(c + 1, train.Classes, "classes");
            }
            progress?.Done();
            return results;
        }

        /// <summary>A Markdown table: one line per class and the mean.</summary>
        public static string FormatTable(IReadOnlyList<AnomalyClassResult> results, IReadOnlyList<string>? classNames = null)
        {
            var text = new StringBuilder();
            text.AppendLine($"| class | training rows | RandomizedPca (rank {PcaRank}) AUC | SharedAutoencoder AUC | fit (s) |");
            text.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var r in results)
            {
                string name = classNames != null ? $"{r.Class} {classNames[r.Class]}" : r.Class.ToString(CultureInfo.InvariantCulture);
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {r.TrainRows} | {r.PcaAuc:F3} | {r.AutoencoderAuc:F3} | {r.AutoencoderFitSeconds:F2} |"));
            }
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| **mean** | | **{results.Average(r => r.PcaAuc):F3}** | **{results.Average(r => r.AutoencoderAuc):F3}** | {results.Average(r => r.AutoencoderFitSeconds):F2} |"));
            return text.ToString();
        }

        /// <summary>
        /// Writes a PNG of the ROC curves: one panel per detector (RandomizedPca, SharedAutoencoder), one line per class.
        /// </summary>
        public static void SaveRocPng(string path, IReadOnlyList<AnomalyClassResult> results, IReadOnlyList<string>? classNames = null)
        {
            var multiplot = new ScottPlot.Multiplot();
            multiplot.AddPlots(2);
            multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
            for (int panel = 0; panel < 2; panel++)
            {
                var plot = multiplot.GetPlot(panel);
                plot.Title(panel == 0 ? $"RandomizedPca (rank {PcaRank}), mean AUC {results.Average(r => r.PcaAuc):F3}"
                    : $"SharedAutoencoder, mean AUC {results.Average(r => r.AutoencoderAuc):F3}");
                plot.XLabel("false positive rate");
                plot.YLabel("true positive rate");
                foreach (var r in results)
                {
                    RocCurve curve = panel == 0 ? r.PcaRoc : r.AutoencoderRoc;
                    var line = plot.Add.ScatterLine(curve.FalsePositiveRates, curve.TruePositiveRates);
                    line.LegendText = classNames != null ? classNames[r.Class] : r.Class.ToString(CultureInfo.InvariantCulture);
                    line.LineWidth = 1.5f;
                }
                plot.Axes.SetLimits(0, 1, 0, 1);
                plot.ShowLegend(ScottPlot.Alignment.LowerRight);
            }
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory != null)
                Directory.CreateDirectory(directory);
            multiplot.SavePng(path, 1200, 560);
        }

        /// <summary>The ROC curve of <paramref name="scores"/> for labels &gt; 0, one point per distinct score.</summary>
        public static RocCurve Roc(float[] scores, float[] labels)
        {
            var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
            double positives = labels.Count(l => l > 0), negatives = labels.Length - positives;
            var fpr = new List<double> { 0 };
            var tpr = new List<double> { 0 };
            double truePositives = 0, falsePositives = 0;
            for (int k = 0; k < order.Length; k++)
            {
                if (labels[order[k]] > 0)
                    truePositives++;
                else
                    falsePositives++;
                if (k + 1 == order.Length || !scores[order[k + 1]].Equals(scores[order[k]]))
                {
                    fpr.Add(falsePositives / negatives);
                    tpr.Add(truePositives / positives);
                }
            }
            return new RocCurve(fpr.ToArray(), tpr.ToArray());
        }

        /// <summary>The Fashion-MNIST class names, by label.</summary>
        public static readonly string[] FashionClassNames =
            { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

        /// <summary>
        /// The exact area under the ROC curve of <paramref name="scores"/> for labels &gt; 0 (positives) against the rest,
        /// ties counted one half (the Mann–Whitney statistic).
        /// </summary>
        public static double Auc(float[] scores, float[] labels)
        {
            var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
            double positiveRankSum = 0;
            long positives = 0;
            for (int start = 0; start < order.Length;)
            {
                int end = start;
                while (end < order.Length && scores[order[end]].Equals(scores[order[start]]))
                    end++;
                double midRank = (start + end + 1) / 2.0; // ranks start + 1 … end
                for (int k = start; k < end; k++)
                {
                    if (labels[order[k]] > 0)
                    {
                        positiveRankSum += midRank;
                        positives++;
                    }
                }
                start = end;
            }
            long negatives = scores.Length - positives;
            return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
        }

        private static float[] Scores(IDataView scored) => scored.GetColumn<float>("Score").ToArray();

        private static IDataView View(MLContext ml, float[][] features, float[] labels, int n)
        {
            var schema = SchemaDefinition.Create(typeof(Row));
            schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, n);
            return ml.Data.LoadFromEnumerable(features.Select((f, i) => new Row { Features = f, Label = labels[i] }), schema);
        }

        private sealed class Row
        {
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Label { get; set; }
        }
    }
}
