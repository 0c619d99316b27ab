using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics.Tensors;
using System.Threading;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Streaming;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// Trains a tied-weight autoencoder (encode x = σ(Wᵀy + b), decode ŷ = Wx with the same W) by normalized
    /// full-batch gradient descent, and produces a <see cref="SharedAutoencoderTransformer"/> that maps a float vector
    /// column to its sparse code. Create it with <c>mlContext.Transforms.SharedAutoencoder(...)</c>.
    /// </summary>
    /// <remarks>
    /// The method is the one analysed in "On the Dynamics of Gradient Descent for Autoencoders" (Nguyen, Wong, Hegde,
    /// AISTATS 2019). Every option is validated when the estimator is created, before any data is read.
    /// </remarks>
    public sealed partial class SharedAutoencoderEstimator : IEstimator<SharedAutoencoderTransformer>
    {
        // The largest input buffer one Fit materializes: a .NET array holds at most this many floats.
        private const long MaxMaterializedValues = 0x7FFFFFC7;

        private readonly IHost _host;
        private readonly Options _options;

        internal SharedAutoencoderEstimator(IHostEnvironment env, Options options)
        {
            Contracts.CheckValue(env, nameof(env));
            _host = env.Register(nameof(SharedAutoencoderEstimator));
            _host.CheckValue(options, nameof(options));
            Validate(_host, options);
            _options = options.Clone();
        }

        /// <summary>Trains the autoencoder on the input column of <paramref name="input"/>.</summary>
        /// <param name="input">The training data.</param>
        /// <returns>The fitted transformer.</returns>
        public SharedAutoencoderTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

        /// <summary>
        /// Trains the autoencoder on the input column of <paramref name="input"/>, stopping when
        /// <paramref name="cancellationToken"/> is cancelled.
        /// </summary>
        /// <remarks>
        /// Cancellation is checked after reading the data, before every step and between the row partitions of each
        /// pass, so Fit stops within one pass; it then throws <see cref="OperationCanceledException"/> and returns no model.
        /// </remarks>
        /// <param name="input">The training data.</param>
        /// <param name="cancellationToken">Cancels training.</param>
        /// <returns>The fitted transformer.</returns>
        /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
        public SharedAutoencoderTransformer Fit(IDataView input, CancellationToken cancellationToken)
        {
            _host.CheckValue(input, nameof(input));
            cancellationToken.ThrowIfCancellationRequested();
            using IChannel channel = _host.Start("Training shared autoencoder");
            var (settings, encoding, rows) = PrepareFit(input, channel);
            return Train(settings, encoding, rows, new ChannelMonitor(_host, channel, cancellationToken), cancellationToken);
        }

        /// <summary>The schema after the transform: the input schema plus the code column (and the optional ones).</summary>
        /// <param name="inputSchema">The shape of the input data.</param>
        /// <returns>The shape of the transformed data.</returns>
        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            _host.CheckValue(inputSchema, nameof(inputSchema));
            if (!inputSchema.TryFindColumn(_options.InputColumnName, out var column))
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), "input", _options.InputColumnName);
            if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), "input", _options.InputColumnName, "known-size vector of Single", column.GetTypeString());

            var result = inputSchema.ToDictionary(x => x.Name);
            result[_options.OutputColumnName] = new SchemaShape.Column(_options.OutputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
            if (_options.ReconstructionColumnName != null)
                result[_options.ReconstructionColumnName] = new SchemaShape.Column(_options.ReconstructionColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
            if (_options.ReconstructionErrorColumnName != null)
                result[_options.ReconstructionErrorColumnName] = new SchemaShape.Column(_options.ReconstructionErrorColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
            return new SchemaShape(result.Values);
        }

        private static void Validate(IHost host, Options o)
        {
            host.CheckUserArg(!string.IsNullOrWhiteSpace(o.InputColumnName), nameof(o.InputColumnName), "must name a column");
            host.CheckUserArg(!string.IsNullOrWhiteSpace(o.OutputColumnName), nameof(o.OutputColumnName), "must name a column");
            var outputs = new[] { o.OutputColumnName, o.ReconstructionColumnName, o.ReconstructionErrorColumnName }.Where(c => c != null).ToArray();
            host.CheckUserArg(outputs.Distinct().Count() == outputs.Length, nameof(o.OutputColumnName), "the output column names must differ from each other");
            host.CheckUserArg(o.ReconstructionColumnName == null || o.ReconstructionColumnName.Length > 0, nameof(o.ReconstructionColumnName), "must be null or a column name");
            host.CheckUserArg(o.ReconstructionErrorColumnName == null || o.ReconstructionErrorColumnName.Length > 0, nameof(o.ReconstructionErrorColumnName), "must be null or a column name");
            host.CheckUserArg(o.HiddenUnits > 0, nameof(o.HiddenUnits), $"must be positive, got {o.HiddenUnits}");
            host.CheckUserArg(Enum.IsDefined(o.Activation), nameof(o.Activation), $"unknown activation {o.Activation}");
            host.CheckUserArg(float.IsFinite(o.Threshold) && o.Threshold > 0, nameof(o.Threshold), $"must be positive and finite, got {o.Threshold}");
            host.CheckUserArg(o.InitialBias is null || float.IsFinite(o.InitialBias.Value), nameof(o.InitialBias), $"must be finite, got {o.InitialBias}");
            host.CheckUserArg(o.BiasDecay is null || (float.IsFinite(o.BiasDecay.Value) && o.BiasDecay.Value >= 1), nameof(o.BiasDecay), $"must be at least 1 and finite, got {o.BiasDecay}");
            host.CheckUserArg(o.ExpectedSparsity >= 1 && o.ExpectedSparsity <= o.HiddenUnits, nameof(o.ExpectedSparsity), $"must be between 1 and HiddenUnits = {o.HiddenUnits}, got {o.ExpectedSparsity}");
            host.CheckUserArg(o.LearningRate is null || (float.IsFinite(o.LearningRate.Value) && o.LearningRate.Value > 0), nameof(o.LearningRate), $"must be positive and finite, got {o.LearningRate}");
            host.CheckUserArg(o.MaximumNumberOfIterations >= 0, nameof(o.MaximumNumberOfIterations), $"must be at least 0 (0: initialization only, no gradient step), got {o.MaximumNumberOfIterations}");
            host.CheckUserArg(double.IsFinite(o.Tolerance) && o.Tolerance >= 0, nameof(o.Tolerance), $"must be non-negative and finite, got {o.Tolerance}");
            host.CheckUserArg(double.IsFinite(o.DivergenceFactor) && o.DivergenceFactor > 1, nameof(o.DivergenceFactor), $"must be greater than 1 and finite, got {o.DivergenceFactor}");
            host.CheckUserArg(Enum.IsDefined(o.Initialization), nameof(o.Initialization), $"unknown initialization {o.Initialization}");
            host.CheckUserArg(Enum.IsDefined(o.Normalization), nameof(o.Normalization),
                $"unknown normalization {o.Normalization}; choose one of {string.Join(", ", Enum.GetNames<InputNormalization>())}");
            host.CheckUserArg(o.NumberOfThreads is null || o.NumberOfThreads.Value > 0, nameof(o.NumberOfThreads), $"must be positive, got {o.NumberOfThreads}");
            host.CheckUserArg(o.BatchSize is null || o.BatchSize.Value > 0, nameof(o.BatchSize), $"must be positive (or null for full batch), got {o.BatchSize}");
            host.CheckUserArg(o.MaximumInMemoryRows is null || o.MaximumInMemoryRows.Value >= 0, nameof(o.MaximumInMemoryRows), $"must be non-negative (0 always streams), got {o.MaximumInMemoryRows}");
            ValidateRecoveryOptions(host, o);
            ValidateEncoding(host, o);

            if (o.GroundTruthDictionary != null)
            {
                host.CheckUserArg(o.GroundTruthDictionary.Length <= o.HiddenUnits, nameof(o.GroundTruthDictionary),
                    $"has {o.GroundTruthDictionary.Length} columns, more than HiddenUnits = {o.HiddenUnits}: every atom needs its own hidden unit");
                ValidateColumns(host, o.GroundTruthDictionary, o.GroundTruthDictionary.Length, nameof(o.GroundTruthDictionary));
                host.CheckUserArg(o.Normalization == InputNormalization.None, nameof(o.GroundTruthDictionary),
                    $"is compared with W, which lives in the normalized input space when Normalization is {o.Normalization}: set Normalization = None to measure recovery of a known dictionary");
            }

            if (o.Initialization == WeightInitialization.Given)
            {
                host.CheckUserArg(o.InitialWeights != null, nameof(o.InitialWeights), "must be set when Initialization is Given");
                ValidateColumns(host, o.InitialWeights!, o.HiddenUnits, nameof(o.InitialWeights));
            }
            else
            {
                host.CheckUserArg(o.InitialWeights == null, nameof(o.InitialWeights), $"is used only with Initialization = Given, but Initialization is {o.Initialization}");
            }
        }

        private static void ValidateRecoveryOptions(IHost host, Options o)
        {
            host.CheckUserArg(double.IsFinite(o.SpectralMinimumGapRatio) && o.SpectralMinimumGapRatio > 1, nameof(o.SpectralMinimumGapRatio), $"must be greater than 1 and finite, got {o.SpectralMinimumGapRatio}");
            host.CheckUserArg(o.SpectralMinimumTraceFraction >= 0 && o.SpectralMinimumTraceFraction <= 1, nameof(o.SpectralMinimumTraceFraction), $"must be in [0, 1], got {o.SpectralMinimumTraceFraction}");
            host.CheckUserArg(o.SpectralDuplicateDistance > 0 && o.SpectralDuplicateDistance < Math.Sqrt(2), nameof(o.SpectralDuplicateDistance), $"must be in (0, √2), got {o.SpectralDuplicateDistance}");
            host.CheckUserArg(o.SpectralMaximumPairs is null || o.SpectralMaximumPairs.Value > 0, nameof(o.SpectralMaximumPairs), $"must be positive, got {o.SpectralMaximumPairs}");
            host.CheckUserArg(o.SpectralSampleCount is null || o.SpectralSampleCount.Value >= 2, nameof(o.SpectralSampleCount), $"must be at least 2, got {o.SpectralSampleCount}");
            host.CheckUserArg(o.FinalRefitIterations >= 0 && o.FinalRefitIterations <= 100, nameof(o.FinalRefitIterations), $"must be in [0, 100], got {o.FinalRefitIterations}");
            host.CheckUserArg(o.AlternatingMinimizationIterations >= 0 && o.AlternatingMinimizationIterations <= Defaults.MaximumAlternatingMinimizationIterations,
                nameof(o.AlternatingMinimizationIterations), $"must be in [0, {Defaults.MaximumAlternatingMinimizationIterations}] (0: off), got {o.AlternatingMinimizationIterations}");
            host.CheckUserArg(o.ReplaceUnusedAtoms is null || o.AlternatingMinimizationIterations > 0, nameof(o.ReplaceUnusedAtoms),
                "is used only by alternating minimization, but AlternatingMinimizationIterations is 0: set AlternatingMinimizationIterations > 0 or leave ReplaceUnusedAtoms null");
        }

        private static void ValidateEncoding(IHost host, Options o)
        {
            host.CheckUserArg(Enum.IsDefined(o.Encoding), nameof(o.Encoding), $"unknown encoding {o.Encoding}; choose one of {string.Join(", ", Enum.GetNames<CodeEncoding>())}");
            if (o.EncodingThreshold is float alpha)
            {
                host.CheckUserArg(o.Encoding == CodeEncoding.SoftThreshold, nameof(o.EncodingThreshold),
                    $"is used only by Encoding = SoftThreshold, but Encoding is {o.Encoding}: set Encoding = SoftThreshold or leave EncodingThreshold null");
                host.CheckUserArg(float.IsFinite(alpha) && alpha >= 0, nameof(o.EncodingThreshold),
                    $"must be finite and at least 0 (0 is a plain ReLU of the pre-activation), got {alpha}");
            }
            if (o.ActiveUnits is int k)
            {
                bool topKActivation = o.Activation == AutoencoderActivation.TopK;
                bool usesK = topKActivation || o.Encoding is CodeEncoding.TopK or CodeEncoding.OrthogonalMatchingPursuit;
                host.CheckUserArg(usesK, nameof(o.ActiveUnits),
                    $"is used only by Activation = TopK and by Encoding = TopK or OrthogonalMatchingPursuit, but Activation is {o.Activation} and Encoding is {o.Encoding}: "
                    + "set one of those or leave ActiveUnits null");
                // The top-k activation picks among the m pre-activations (also when the code is split by polarity).
                int limit = !topKActivation && o.SplitPolarity && o.Encoding == CodeEncoding.TopK ? 2 * o.HiddenUnits : o.HiddenUnits;
                string what = topKActivation ? "the number of hidden units, from which the top-k activation picks" : o.Encoding == CodeEncoding.TopK ? "the code length" : "the number of hidden units";
                host.CheckUserArg(k >= 1 && k <= limit, nameof(o.ActiveUnits), $"must be between 1 and {limit} ({what}), got {k}");
            }
            // The refit finds each row's support unit by unit; top-k's support depends on the whole row.
            host.CheckUserArg(o.Activation != AutoencoderActivation.TopK || o.FinalRefitIterations == 0, nameof(o.FinalRefitIterations),
                $"is not supported with Activation = TopK in this version (got {o.FinalRefitIterations}); set it to 0, or use Relu or HardThreshold for the refit");
        }

        /// <summary>The encoding the model stores, with its defaults resolved now that n is known; OMP's k is checked against n.</summary>
        private CodeEncodingSettings ResolveEncoding(int inputSize)
        {
            var o = _options;
            if (o.Encoding == CodeEncoding.OrthogonalMatchingPursuit && o.ActiveUnits > inputSize)
            {
                throw _host.ExceptUserArg(nameof(o.ActiveUnits),
                    $"OMP picks at most n = {inputSize} atoms (beyond that the least-squares code is not unique), got {o.ActiveUnits}; choose ActiveUnits ≤ {inputSize}");
            }
            return o.Encoding switch
            {
                CodeEncoding.SoftThreshold => CodeEncodingSettings.SoftThreshold(o.EncodingThreshold ?? Defaults.EncodingThreshold, o.SplitPolarity),
                CodeEncoding.TopK or CodeEncoding.OrthogonalMatchingPursuit => new CodeEncodingSettings(o.Encoding, o.SplitPolarity,
                    activeUnits: o.ActiveUnits ?? Defaults.ActiveUnitsFor(o.Encoding, o.SplitPolarity, inputSize, o.HiddenUnits)),
                _ => CodeEncodingSettings.Activation(o.SplitPolarity),
            };
        }

        /// <summary>The spectral thresholds with their defaults applied (the pair budget depends on m and k).</summary>
        private static SpectralSettings ResolveSpectral(Options o)
        {
            return new SpectralSettings
            {
                MinGapRatio = o.SpectralMinimumGapRatio,
                MinTraceFraction = o.SpectralMinimumTraceFraction,
                DuplicateDistance = o.SpectralDuplicateDistance,
                MaxPairs = o.SpectralMaximumPairs ?? Defaults.SpectralMaximumPairs(o.HiddenUnits, o.ExpectedSparsity),
                SampleCount = o.SpectralSampleCount ?? Defaults.SpectralSampleCount,
                CenterData = o.SpectralCenterData,
                ExpectedSparsity = o.ExpectedSparsity,
            };
        }

        private static void ValidateColumns(IHost host, float[][] columns, int expectedCount, string name)
        {
            host.CheckUserArg(columns.Length == expectedCount, name, $"must have {expectedCount} columns (one per hidden unit), got {columns.Length}");
            for (int i = 0; i < columns.Length; i++)
            {
                host.CheckUserArg(columns[i] != null && columns[i].Length > 0, name, $"column {i} is null or empty");
                host.CheckUserArg(columns[i].Length == columns[0].Length, name, $"column {i} has length {columns[i].Length}, column 0 has {columns[0].Length}");
                host.CheckUserArg(TensorPrimitives.IsFiniteAll(columns[i]), name, $"column {i} contains NaN or infinity");
                host.CheckUserArg(columns[i].Any(v => v != 0), name, $"column {i} is all zeros and cannot be normalized");
            }
        }

        /// <summary>Applies the documented defaults, now that the input dimension n is known.</summary>
        private TrainerSettings Resolve(int inputSize, IChannel channel)
        {
            var o = _options;
            bool relu = o.Activation == AutoencoderActivation.Relu;
            float[]? given = null;
            if (o.InitialWeights != null)
            {
                _host.CheckUserArg(o.InitialWeights[0].Length == inputSize, nameof(o.InitialWeights),
                    $"columns must have the input dimension n = {inputSize}, got {o.InitialWeights[0].Length}");
                given = o.InitialWeights.SelectMany(c => c).ToArray();
            }
            Func<float[], (double, double)>? recoveryProbe = null;
            if (o.GroundTruthDictionary != null)
            {
                _host.CheckUserArg(o.GroundTruthDictionary[0].Length == inputSize, nameof(o.GroundTruthDictionary),
                    $"columns must have the input dimension n = {inputSize}, got {o.GroundTruthDictionary[0].Length}");
                float[] truth = o.GroundTruthDictionary.SelectMany(c => c).ToArray();
                int truthColumns = o.GroundTruthDictionary.Length;
                int hiddenUnits = o.HiddenUnits;
                bool flips = o.GroundTruthAllowsSignFlips;
                recoveryProbe = weights =>
                {
                    var metrics = DictionaryRecovery.Evaluate(weights, hiddenUnits, truth, truthColumns, inputSize, flips, computeSpectralNearness: false);
                    return (metrics.FrobeniusError, metrics.MaxColumnError);
                };
            }
            if (o.Initialization == WeightInitialization.Pca && o.HiddenUnits > inputSize)
            {
                throw _host.ExceptUserArg(nameof(o.Initialization),
                    $"Pca initialization gives at most n = {inputSize} directions, but HiddenUnits = {o.HiddenUnits}; use Random or Given for an overcomplete code");
            }

            var settings = new TrainerSettings
            {
                HiddenUnits = o.HiddenUnits,
                Activation = o.Activation,
                Threshold = o.Threshold,
                ActiveUnits = o.Activation == AutoencoderActivation.TopK ? o.ActiveUnits ?? Math.Min(Defaults.ActiveUnits, o.HiddenUnits) : 0,
                InitialBias = o.InitialBias ?? (relu ? DefaultReluBias(inputSize) : 0f),
                BiasDecay = o.BiasDecay ?? (relu ? 2f : 1f),
                LearningRate = o.LearningRate ?? (float)o.HiddenUnits / o.ExpectedSparsity,
                MaximumNumberOfIterations = o.MaximumNumberOfIterations,
                Tolerance = o.Tolerance,
                DivergenceFactor = o.DivergenceFactor,
                Initialization = o.Initialization,
                InitialWeights = given,
                Seed = o.Seed ?? _host.Rand.Next(),
                NumberOfThreads = o.NumberOfThreads ?? Environment.ProcessorCount,
                RecoveryProbe = recoveryProbe,
                BatchSize = o.BatchSize ?? 0,
                Spectral = ResolveSpectral(o),
                ReseedDeadUnits = o.ReseedDeadUnits,
                FinalRefitIterations = o.FinalRefitIterations,
                AlternatingMinimizationIterations = o.AlternatingMinimizationIterations,
                AlternatingMinimizationSparsity = o.ExpectedSparsity,
                ReplaceUnusedAtoms = o.ReplaceUnusedAtoms ?? Defaults.ReplaceUnusedAtoms,
            };
            channel.Info("Shared autoencoder: n = {0}, m = {1}, activation {2}{8}, initial bias {3}, bias decay {4}, learning rate {5}, {6} iterations, {7} initialization, normalization {9}.",
                inputSize, settings.HiddenUnits, settings.Activation, settings.InitialBias, settings.BiasDecay, settings.LearningRate, settings.MaximumNumberOfIterations, settings.Initialization,
                settings.ActiveUnits > 0 ? string.Format(CultureInfo.InvariantCulture, " (k = {0})", settings.ActiveUnits) : "", o.Normalization);
            return settings;
        }

        /// <summary>The paper's ReLU bias −1/ln n; for n ≤ 2 (ln n ≤ ln 2 is tiny or zero) it falls back to 0.</summary>
        internal static float DefaultReluBias(int inputSize) => inputSize > 2 ? (float)(-1 / Math.Log(inputSize)) : 0f;

        /// <summary>
        /// The input column as training rows: copied once into one dense row-major buffer when the rows fit the
        /// in-memory budget (<see cref="Options.MaximumInMemoryRows"/>), otherwise a source that streams them from
        /// <paramref name="input"/> on every pass. Either way non-finite values and wrong lengths are rejected.
        /// </summary>
        private ITrainingRows ReadRows(IDataView input, int inputSize, TrainerSettings settings, IChannel channel)
        {
            double available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            if (TrainingMemory.Refusal(inputSize, settings, available) is var (option, reason))
                throw _host.ExceptUserArg(option, reason);

            long rowCount = DataViewTrainingRows.CountRows(input);
            if (rowCount == 0)
                throw _host.Except($"The training data are empty: column '{_options.InputColumnName}' has no rows.");
            long budget = _options.MaximumInMemoryRows ?? (long)Math.Min(available / 4 / (4.0 * inputSize), MaxMaterializedValues / inputSize);
            budget = Math.Min(budget, MaxMaterializedValues / inputSize);
            if (rowCount > budget)
            {
                if (TrainingMemory.StreamingRefusal(inputSize, available) is var (streamingOption, streamingReason))
                    throw _host.ExceptUserArg(streamingOption, streamingReason);
                channel.Info("Streaming {0} rows from the input on every pass (more than the in-memory budget of {1} rows).", rowCount, budget);
                return new DataViewTrainingRows(_host, input, _options.InputColumnName, inputSize, rowCount, headLimit: (int)Math.Max(budget, Defaults.MinimumInitializationRows));
            }

            // In memory: the same checked reader as streaming, once, into one buffer.
            DenseRows rows = new DataViewTrainingRows(_host, input, _options.InputColumnName, inputSize, rowCount, headLimit: (int)rowCount)
                .Read((int)rowCount, out bool anyNonZero);
            if (rows.RowCount != rowCount)
                throw _host.Except($"Column '{_options.InputColumnName}' yielded {rows.RowCount} rows, but the data view reports {rowCount}.");
            // Zero data make the loss 0 for every W: nothing would be learned, and a model would hide an upstream mistake.
            // Checked here, on data held in memory; streamed all-zero data stop at the first step as converged (loss 0).
            if (!anyNonZero)
                throw _host.Except($"Column '{_options.InputColumnName}' is zero in all {rows.RowCount} rows: there is nothing to encode. Check that the right column is used.");
            return rows;
        }

        /// <summary>Refuses data on which training is meaningless or the initialization impossible, before any step.</summary>
        private void CheckTrainable(ITrainingRows rows, TrainerSettings settings)
        {
            if (settings.Initialization == WeightInitialization.Pca && rows.RowCount < settings.HiddenUnits)
            {
                throw _host.ExceptUserArg(nameof(Options.Initialization),
                    $"Pca initialization needs at least one row per hidden unit; the data have {rows.RowCount} rows for HiddenUnits = {settings.HiddenUnits}. Use Random initialization or fewer hidden units");
            }
        }

        private SharedAutoencoderTransformer.OutputColumn[] OutputColumns()
        {
            var columns = new List<SharedAutoencoderTransformer.OutputColumn>
            {
                new(_options.OutputColumnName, _options.InputColumnName, SharedAutoencoderTransformer.OutputKind.Code),
            };
            if (_options.ReconstructionColumnName != null)
                columns.Add(new(_options.ReconstructionColumnName, _options.InputColumnName, SharedAutoencoderTransformer.OutputKind.Reconstruction));
            if (_options.ReconstructionErrorColumnName != null)
                columns.Add(new(_options.ReconstructionErrorColumnName, _options.InputColumnName, SharedAutoencoderTransformer.OutputKind.ReconstructionError));
            return columns.ToArray();
        }

        /// <summary>Measures whether the model is a useless featurizer (dead units, constant codes); if so, warns with the remedy.</summary>
        private static TrainingHistory Diagnose(SharedAutoencoderModelParameters model, TrainingHistory history, ITrainingRows rows, TrainerSettings settings, ITrainingMonitor monitor)
        {
            DenseRows head = rows.Head((int)Math.Min(rows.RowCount, CodeDiagnostics.MaximumRows));
            var (dead, constant) = CodeDiagnostics.Measure(model, head, settings.NumberOfThreads);
            history = history.WithDiagnostics(dead, constant);
            if (history.Degenerate)
            {
                monitor.Warning(string.Format(CultureInfo.InvariantCulture, "The trained shared autoencoder is degenerate: {0:P0} of its {1} units fire on none of the first {2} training rows{3}, "
                    + "so its codes carry almost no information (TrainingHistory.Degenerate is set). The usual cause is unscaled input: "
                    + "add mlContext.Transforms.NormalizeMinMax or Whiten before the autoencoder, or use Initialization = Samples; "
                    + "a smaller LearningRate or InitialBias closer to 0 can also help.",
                    dead, model.HiddenUnits, head.RowCount, constant ? " and the codes are nearly the same on every row" : ""));
            }
            return history;
        }

        /// <summary>Forwards the trainer's progress to an ML.NET channel and its cancellation check to the host and the token.</summary>
        private sealed class ChannelMonitor : ITrainingMonitor
        {
            private readonly IHost _host;
            private readonly IChannel _channel;
            private readonly CancellationToken _cancellation;

            public ChannelMonitor(IHost host, IChannel channel, CancellationToken cancellation)
            {
                _host = host;
                _channel = channel;
                _cancellation = cancellation;
            }

            public void Info(string message) => _channel.Info(message);

            public void Warning(string message) => _channel.Warning(message);

            public void CheckAlive()
            {
                _host.CheckAlive();
                _cancellation.ThrowIfCancellationRequested();
            }
        }
    }
}
