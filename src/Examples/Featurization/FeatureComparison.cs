using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Featurization
{
    /// <summary>The features a row of the comparison feeds to the classifier.</summary>
    internal enum FeatureMethod
    {
        /// <summary>The input as it is (standardized).</summary>
        Pixels,

        /// <summary>ML.NET's <c>ProjectToPrincipalComponents</c> (randomized PCA).</summary>
        Pca,

        /// <summary>Whitening + shared autoencoder, the model's own activation (ReLU of Wᵀy + b, b = 0).</summary>
        Activation,

        /// <summary>Whitening + shared autoencoder, soft threshold max(0, z − α).</summary>
        SoftThreshold,

        /// <summary>Whitening + shared autoencoder, polarity-split soft threshold (2m features).</summary>
        Split,

        /// <summary>Whitening + shared autoencoder, the k largest pre-activations.</summary>
        TopK,

        /// <summary>Whitening + shared autoencoder, orthogonal matching pursuit with k atoms.</summary>
        Omp,

        /// <summary>The shared autoencoder with its default options on the input as it is (no whitening, nothing set but the seed).</summary>
        Defaults,

        /// <summary>The shared autoencoder with the paper's settings, the defaults before model format 0x00010004, on the input as it is.</summary>
        PaperDefaults,

        /// <summary>The default options but 50 gradient steps (the paper's T): what the descent does to the default featurizer.</summary>
        DefaultsTrained,

        /// <summary>
        /// Whitening + shared autoencoder trained with the top-k activation (gradient steps from the same sample atoms), its
        /// code the trained top-k: <see cref="TopK"/> with descent.
        /// </summary>
        TopKTrained,
    }

    /// <summary>Every knob of the comparison; the defaults are the recipe of docs/featurization.md.</summary>
    internal sealed record FeatureSettings
    {
        /// <summary>m, the number of atoms.</summary>
        public int HiddenUnits { get; init; } = 1024;

        /// <summary>r, the number of principal directions the whitening keeps (0: all).</summary>
        public int Rank { get; init; } = 100;

        /// <summary>The PCA baseline's rank (capped at n).</summary>
        public int PcaRank { get; init; } = 100;

        /// <summary>ε of the whitening, relative to the mean variance trace(C)/n of the training rows (scale-free).</summary>
        public double RelativeEpsilon { get; init; } = 10;

        /// <summary>α of the soft-threshold encodings, in whitened units.</summary>
        public float Threshold { get; init; } = 0.5f;

        /// <summary>k of top-k and OMP.</summary>
        public int ActiveUnits { get; init; } = 32;

        /// <summary>λ per row of the classifier: ML.NET's L2Regularization is λ·N (its loss is (Σ loss + L2/2‖w‖²)/N).</summary>
        public double L2PerRow { get; init; } = 1e-3;

        /// <summary>The classifier's L-BFGS iteration limit.</summary>
        public int ClassifierIterations { get; init; } = 200;

        /// <summary>T of <see cref="FeatureMethod.TopKTrained"/>: gradient steps (epochs with a batch size).</summary>
        public int DescentIterations { get; init; } = 10;

        /// <summary>ζ of <see cref="FeatureMethod.TopKTrained"/>.</summary>
        public float DescentLearningRate { get; init; } = 0.01f;

        /// <summary>Rows per step of <see cref="FeatureMethod.TopKTrained"/>; null: full batch.</summary>
        public int? DescentBatchSize { get; init; }

        /// <summary>Seed of the atoms, the PCA and the classifier.</summary>
        public int Seed { get; init; } = 1;

        /// <summary>Every feature is multiplied by this before any featurizer sees it (e.g. 255: Fashion-MNIST as raw bytes).</summary>
        public float InputScale { get; init; } = 1;
    }

    /// <summary>One row of the comparison table.</summary>
    /// <remarks>
    /// The CPU times (all threads of the process) say what a fit costs on a machine shared with other jobs, where the wall
    /// clock mostly measures the others.
    /// </remarks>
    internal sealed record FeatureResult(FeatureMethod Method, int HiddenUnits, int Length, double FitSeconds, double FitCpuSeconds,
        double EncodeRowsPerSecond, double EncodeRowsPerCpuSecond, double ClassifierSeconds, double TrainAccuracy, double TestAccuracy);

    /// <summary>
    /// Trains an ML.NET linear classifier (LbfgsMaximumEntropy on standardized features) on the training rows with each
    /// featurizer and reports its test accuracy: raw input, PCA, and the shared autoencoder's encodings on PCA-whitened
    /// input with sample atoms (the recipe of docs/featurization.md). Inputs need a known-size <c>Features</c> vector and a
    /// key <c>Label</c>.
    /// </summary>
    internal sealed class FeatureComparison
    {
        private const string Whitened = "Whitened";
        private const string Code = "Code";
        private readonly MLContext _mlContext;
        private readonly FeatureSettings _settings;
        private readonly IDataView _train;
        private readonly IDataView _test;
        private readonly long _trainRows;

        public FeatureComparison(MLContext mlContext, IDataView train, IDataView test, FeatureSettings settings)
        {
            _mlContext = mlContext;
            _settings = settings;
            _train = mlContext.Data.Cache(Scaled(mlContext, train, settings.InputScale));
            _test = mlContext.Data.Cache(Scaled(mlContext, test, settings.InputScale));
            _trainRows = _train.GetRowCount() ?? CountRows(_train);
            MeanVariance = MeanColumnVariance(_train, "Features");
        }

        /// <summary>The Features column times <paramref name="scale"/> (element-wise; the data as they are when it is 1).</summary>
        private static IDataView Scaled(MLContext mlContext, IDataView data, float scale)
            => scale == 1 ? data : mlContext.Transforms.Expression("Features", FormattableString.Invariant($"x : x * {scale:R}"), "Features").Fit(data).Transform(data);

        /// <summary>The methods a run compares unless told otherwise: the featurizers of docs/featurization.md.</summary>
        public static readonly IReadOnlyList<FeatureMethod> StandardMethods = new[]
        {
            FeatureMethod.Pixels, FeatureMethod.Pca, FeatureMethod.Activation, FeatureMethod.SoftThreshold, FeatureMethod.Split, FeatureMethod.TopK, FeatureMethod.Omp,
        };

        /// <summary>trace(C)/n of the training rows: the scale ε is relative to.</summary>
        public double MeanVariance { get; }

        /// <summary>The absolute whitening ε used: <see cref="FeatureSettings.RelativeEpsilon"/>·trace(C)/n.</summary>
        public float Epsilon => (float)Math.Max(_settings.RelativeEpsilon * MeanVariance, 1e-12);

        /// <summary>The featurizer last fitted by <see cref="Run"/> for an autoencoder method (for the atoms image).</summary>
        public TransformerChain<SharedAutoencoderTransformer>? LastFeaturizer { get; private set; }

        public FeatureResult Run(FeatureMethod method)
        {
            (IEstimator<ITransformer>? estimator, string column) = Featurizer(method);
            var watch = Stopwatch.StartNew();
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
            ITransformer? featurizer = estimator?.Fit(_train);
            double fitSeconds = watch.Elapsed.TotalSeconds;
            double fitCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            if (featurizer is TransformerChain<SharedAutoencoderTransformer> chain)
                LastFeaturizer = chain;
            IDataView train = featurizer?.Transform(_train) ?? _train;
            IDataView test = featurizer?.Transform(_test) ?? _test;
            var (rowsPerSecond, rowsPerCpuSecond) = featurizer == null ? (double.NaN, double.NaN) : EncodeRate(train, column);

            int length = train.Schema[column].Type is VectorDataViewType { Size: var size } ? size : 1;
            var scaler = _mlContext.Transforms.NormalizeMeanVariance("Scaled", column).Fit(train);
            train = _mlContext.Data.Cache(scaler.Transform(train));
            test = scaler.Transform(test);
            var classifierOptions = new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Scaled",
                L2Regularization = (float)(_settings.L2PerRow * _trainRows),
                L1Regularization = 0,
                MaximumNumberOfIterations = _settings.ClassifierIterations,
            };
            watch.Restart();
            var classifier = _mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy(classifierOptions).Fit(train);
            double classifierSeconds = watch.Elapsed.TotalSeconds;
            double trainAccuracy = _mlContext.MulticlassClassification.Evaluate(classifier.Transform(train)).MicroAccuracy;
            double testAccuracy = _mlContext.MulticlassClassification.Evaluate(classifier.Transform(test)).MicroAccuracy;
            int hidden = method switch
            {
                FeatureMethod.Pixels or FeatureMethod.Pca => 0,
                FeatureMethod.Defaults or FeatureMethod.PaperDefaults or FeatureMethod.DefaultsTrained => ((SharedAutoencoderTransformer)featurizer!).Model.HiddenUnits,
                _ => _settings.HiddenUnits,
            };
            return new FeatureResult(method, hidden, length, featurizer == null ? 0 : fitSeconds, featurizer == null ? 0 : fitCpuSeconds,
                rowsPerSecond, rowsPerCpuSecond, classifierSeconds, trainAccuracy, testAccuracy);
        }

        /// <summary>Runs every method in turn and writes its row, with a progress phase per featurizer.</summary>
        public static void RunAll(FeatureComparison comparison, IReadOnlyList<FeatureMethod> methods, TextWriter output, FeatureSettings settings, Progress? progress)
        {
            for (int i = 0; i < methods.Count; i++)
            {
                progress?.Phase($"featurizer {i + 1}/{methods.Count}, {Name(methods[i])}");
                WriteRow(output, comparison.Run(methods[i]), settings);
                progress?.Count(i + 1, methods.Count, "featurizers");
            }
            progress?.Done();
        }

        /// <summary>The featurizer of <paramref name="method"/> (null: the input as it is) and the column it produces.</summary>
        private (IEstimator<ITransformer>? Estimator, string Column) Featurizer(FeatureMethod method)
        {
            if (method == FeatureMethod.Pixels)
                return (null, "Features");
            if (method == FeatureMethod.Pca)
            {
                int n = _train.Schema["Features"].Type is VectorDataViewType { Size: var size } ? size : 1;
                return (_mlContext.Transforms.ProjectToPrincipalComponents("Pca", "Features", rank: Math.Min(_settings.PcaRank, n), seed: _settings.Seed), "Pca");
            }
            if (method == FeatureMethod.Defaults)
                return (_mlContext.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { OutputColumnName = Code, Seed = _settings.Seed }), Code);
            if (method == FeatureMethod.DefaultsTrained)
                return (_mlContext.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { OutputColumnName = Code, Seed = _settings.Seed, MaximumNumberOfIterations = 50 }), Code);
            if (method == FeatureMethod.PaperDefaults)
            {
                return (_mlContext.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
                {
                    OutputColumnName = Code, Seed = _settings.Seed,
                    HiddenUnits = 10, MaximumNumberOfIterations = 50, Initialization = WeightInitialization.Random,
                    Encoding = CodeEncoding.Activation, Normalization = InputNormalization.None, SplitPolarity = false,
                }), Code);
            }
            var whiten = _mlContext.Transforms.Whiten(Whitened, "Features", WhiteningKind.Pca, Epsilon, rank: _settings.Rank);
            var options = method == FeatureMethod.TopKTrained ? TopKTrainingOptions() : AutoencoderOptions(Encoding(method));
            return (whiten.Append(_mlContext.Transforms.SharedAutoencoder(options)), Code);
        }

        /// <summary>The encoding of an autoencoder method.</summary>
        internal CodeEncodingSettings Encoding(FeatureMethod method) => method switch
        {
            FeatureMethod.Activation => CodeEncodingSettings.Activation(),
            FeatureMethod.SoftThreshold => CodeEncodingSettings.SoftThreshold(_settings.Threshold),
            FeatureMethod.Split => CodeEncodingSettings.SoftThreshold(_settings.Threshold, splitPolarity: true),
            FeatureMethod.TopK => CodeEncodingSettings.TopK(_settings.ActiveUnits),
            FeatureMethod.Omp => CodeEncodingSettings.OrthogonalMatchingPursuit(_settings.ActiveUnits),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Not an autoencoder method."),
        };

        /// <summary>
        /// Sample atoms (whitened training rows, normalized) and no gradient training: the calibration found that the
        /// tied-autoencoder descent does not improve these features (docs/featurization.md), the encoding does.
        /// </summary>
        private SharedAutoencoderEstimator.Options AutoencoderOptions(CodeEncodingSettings encoding)
        {
            var options = new SharedAutoencoderEstimator.Options
            {
                // Whitened upstream: no normalization inside the model (EncodingOptions.Apply sets the encoding and T = 0).
                Normalization = InputNormalization.None, SplitPolarity = false,
                InputColumnName = Whitened,
                OutputColumnName = Code,
                HiddenUnits = _settings.HiddenUnits,
                Activation = AutoencoderActivation.Relu,
                Initialization = WeightInitialization.Samples,
                InitialBias = 0,
                Seed = _settings.Seed,
            };
            EncodingOptions.Apply(options, encoding);
            return options;
        }

        /// <summary>The same sample atoms, then gradient steps with the top-k activation (k = <see cref="FeatureSettings.ActiveUnits"/>), encoded as trained.</summary>
        private SharedAutoencoderEstimator.Options TopKTrainingOptions()
        {
            var options = AutoencoderOptions(CodeEncodingSettings.Activation());
            options.Activation = AutoencoderActivation.TopK;
            options.ActiveUnits = _settings.ActiveUnits;
            options.MaximumNumberOfIterations = _settings.DescentIterations;
            options.LearningRate = _settings.DescentLearningRate;
            options.BatchSize = _settings.DescentBatchSize;
            return options;
        }

        /// <summary>Rows per second (wall clock, and of process CPU time) of a full pass that reads <paramref name="column"/> (whitening + encoding).</summary>
        private static (double PerSecond, double PerCpuSecond) EncodeRate(IDataView data, string column)
        {
            var watch = Stopwatch.StartNew();
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long rows = 0;
            using (var cursor = data.GetRowCursor(new[] { data.Schema[column] }))
            {
                var getter = cursor.GetGetter<VBuffer<float>>(data.Schema[column]);
                VBuffer<float> code = default;
                while (cursor.MoveNext())
                {
                    getter(ref code);
                    rows++;
                }
            }
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            return (rows / Math.Max(watch.Elapsed.TotalSeconds, 1e-9), rows / Math.Max(cpuSeconds, 1e-9));
        }

        private static long CountRows(IDataView data)
        {
            long rows = 0;
            using var cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>());
            while (cursor.MoveNext())
                rows++;
            return rows;
        }

        /// <summary>trace(C)/n: the mean over columns of each column's variance.</summary>
        private static double MeanColumnVariance(IDataView data, string column)
        {
            int n = data.Schema[column].Type is VectorDataViewType { Size: var size } ? size : 1;
            var sum = new double[n];
            var squares = new double[n];
            long rows = 0;
            using var cursor = data.GetRowCursor(new[] { data.Schema[column] });
            var getter = cursor.GetGetter<VBuffer<float>>(data.Schema[column]);
            VBuffer<float> row = default;
            while (cursor.MoveNext())
            {
                getter(ref row);
                int j = 0;
                foreach (float value in row.DenseValues())
                {
                    sum[j] += value;
                    squares[j] += (double)value * value;
                    j++;
                }
                rows++;
            }
            if (rows < 2)
                throw new InputException($"The comparison needs at least 2 training rows; got {rows}.");
            double total = 0;
            for (int j = 0; j < n; j++)
                total += Math.Max(0, (squares[j] - sum[j] * sum[j] / rows) / (rows - 1));
            return total / n;
        }

        /// <summary>The atoms of <paramref name="featurizer"/> in input space: M⁺w for every unit-norm whitened atom w.</summary>
        /// <remarks>
        /// PCA whitening maps x to M(x − μ) with the rows of M the eigenvectors u_k scaled by 1/√(λ_k + ε); its
        /// pseudo-inverse is Mᵀ diag(λ + ε), so an atom reads as an image Σ_k w_k (λ_k + ε) M_k: what the atom adds to a
        /// reconstruction, not the (high-frequency) filter Mᵀw the encoder correlates with.
        /// </remarks>
        public static float[][] InputSpaceAtoms(TransformerChain<SharedAutoencoderTransformer> featurizer)
        {
            var whitening = (WhiteningTransformer)featurizer.First();
            float[] matrix = whitening.GetWhiteningMatrix();
            double[] eigenvalues = whitening.GetEigenvalues();
            int n = whitening.InputSize;
            return featurizer.LastTransformer.Model.GetWeights().Select(w =>
            {
                var atom = new double[n];
                for (int k = 0; k < w.Length; k++)
                {
                    double scale = w[k] * (eigenvalues[k] + whitening.Epsilon);
                    for (int j = 0; j < n; j++)
                        atom[j] += scale * matrix[k * n + j];
                }
                return atom.Select(v => (float)v).ToArray();
            }).ToArray();
        }

        public static string Name(FeatureMethod method) => method switch
        {
            FeatureMethod.Pixels => "raw input",
            FeatureMethod.Pca => "PCA (ProjectToPrincipalComponents)",
            FeatureMethod.Activation => "activation (ReLU, b = 0)",
            FeatureMethod.SoftThreshold => "soft threshold",
            FeatureMethod.Split => "split soft threshold",
            FeatureMethod.TopK => "top-k",
            FeatureMethod.TopKTrained => "top-k trained",
            FeatureMethod.Omp => "OMP",
            FeatureMethod.Defaults => "default options",
            FeatureMethod.PaperDefaults => "paper settings (defaults before 0x00010004)",
            FeatureMethod.DefaultsTrained => "default options, 50 gradient steps",
            _ => method.ToString(),
        };

        public static string Word(FeatureMethod method) => method switch
        {
            FeatureMethod.PaperDefaults => "paper-defaults",
            FeatureMethod.DefaultsTrained => "defaults-50",
            _ => method.ToString().ToLowerInvariant(),
        };

        /// <summary>The methods run when none are named: <see cref="StandardMethods"/> (the others train or compare defaults; name them to run them).</summary>
        public static string DefaultMethods => string.Join(",", StandardMethods.Select(Word));

        /// <summary>The descent options of <see cref="FeatureMethod.TopKTrained"/> read from the command line.</summary>
        public static FeatureSettings WithDescent(FeatureSettings settings, Arguments line) => settings with
        {
            DescentIterations = line.Int("descent-iterations", settings.DescentIterations, min: 0),
            DescentLearningRate = (float)line.Double("descent-rate", settings.DescentLearningRate, min: 0, exclusiveMin: true),
            DescentBatchSize = line.NullableInt("descent-batch", min: 1),
        };

        public const string DescentHelp =
@"  --descent-iterations T, --descent-rate ζ, --descent-batch B: the gradient training of topktrained (the top-k
                  activation from the same sample atoms; B rows per step, default full batch); default T = 10, ζ = 0.01";

        public static IReadOnlyList<FeatureMethod> ParseMethods(string text)
            => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(word =>
                Enum.GetValues<FeatureMethod>().FirstOrDefault(m => Word(m) == word.ToLowerInvariant(), (FeatureMethod)(-1)) is var method && Enum.IsDefined(method)
                    ? method
                    : throw new UsageException($"Unknown method '{word}'; choose from {string.Join(", ", Enum.GetValues<FeatureMethod>().Select(Word))}.")).ToList();

        public static void WriteHeader(TextWriter output)
        {
            output.WriteLine("| features | m | length | featurizer fit s (CPU s) | encode rows/s (per CPU s) | classifier s | train acc | test acc |");
            output.WriteLine("|---|---|---|---|---|---|---|---|");
        }

        public static void WriteRow(TextWriter output, FeatureResult r, FeatureSettings s)
        {
            string detail = r.Method switch
            {
                FeatureMethod.SoftThreshold or FeatureMethod.Split => $" α = {s.Threshold.ToString(CultureInfo.InvariantCulture)}",
                FeatureMethod.TopK or FeatureMethod.Omp => $" k = {s.ActiveUnits}",
                FeatureMethod.TopKTrained => string.Format(CultureInfo.InvariantCulture, " k = {0}, T = {1}, ζ = {2}{3}", s.ActiveUnits, s.DescentIterations, s.DescentLearningRate,
                    s.DescentBatchSize is int batch ? $", batch {batch}" : ""),
                _ => "",
            };
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, "| {0}{1} | {2} | {3} | {4} | {5} | {6:F1} | {7:F4} | {8:F4} |",
                Name(r.Method), detail, r.HiddenUnits == 0 ? "–" : r.HiddenUnits.ToString(CultureInfo.InvariantCulture), r.Length,
                r.FitSeconds == 0 ? "–" : string.Format(CultureInfo.InvariantCulture, "{0:F1} ({1:F1})", r.FitSeconds, r.FitCpuSeconds),
                double.IsNaN(r.EncodeRowsPerSecond) ? "–" : string.Format(CultureInfo.InvariantCulture, "{0:N0} ({1:N0})", r.EncodeRowsPerSecond, r.EncodeRowsPerCpuSecond),
                r.ClassifierSeconds, r.TrainAccuracy, r.TestAccuracy));
            output.Flush();
        }
    }
}
