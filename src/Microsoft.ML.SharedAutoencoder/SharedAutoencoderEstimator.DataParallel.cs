using System.Globalization;
using System.Threading;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// The two halves of <see cref="Fit(IDataView, CancellationToken)"/>, which a data-parallel fit (the Mpi package) runs
    /// with its own combination of the passes (Training/IPassCombiner) between them: the same checks, settings and rows,
    /// then the same training and transformer.
    /// </summary>
    public sealed partial class SharedAutoencoderEstimator
    {
        /// <summary>The estimator's host: its channel, its exceptions.</summary>
        internal IHost Host => _host;

        /// <summary>
        /// What Fit does before the first step: checks the input column, resolves the training and encoding settings,
        /// reads or opens the rows.
        /// </summary>
        internal (TrainerSettings Settings, CodeEncodingSettings Encoding, ITrainingRows Rows) PrepareFit(IDataView input, IChannel channel)
        {
            _host.CheckValue(input, nameof(input));
            int inputSize = InputColumn.KnownSizeFloatVector(_host, input.Schema, _options.InputColumnName);
            TrainerSettings settings = Resolve(inputSize, channel);
            CodeEncodingSettings encoding = ResolveEncoding(inputSize);
            ITrainingRows rows = ReadRows(input, inputSize, settings, channel);
            CheckTrainable(rows, settings);
            return (settings, encoding, rows);
        }

        /// <summary>
        /// A monitor writing to <paramref name="channel"/> whose <see cref="ITrainingMonitor.CheckAlive"/> never throws: in
        /// a data-parallel run one process may not stop alone (the others would wait for it); cancellation is checked by
        /// the combiner instead, on all processes at once.
        /// </summary>
        internal static ITrainingMonitor CreateDataParallelMonitor(IChannel channel) => new DataParallelMonitor(channel);

        /// <summary>
        /// Trains on <paramref name="rows"/> (combining the passes with <paramref name="combiner"/>; null: this process
        /// only) and returns the transformer.
        /// </summary>
        internal SharedAutoencoderTransformer Train(
            TrainerSettings settings, CodeEncodingSettings encoding, ITrainingRows rows, ITrainingMonitor monitor, CancellationToken cancellationToken, IPassCombiner? combiner = null)
        {
            InputNormalizer? normalizer = null;
            if (_options.Normalization != InputNormalization.None)
            {
                // Each process would fit μ and s on its own rows, and the processes' models would differ.
                if (combiner != null)
                {
                    throw _host.ExceptUserArg(nameof(Options.Normalization),
                        $"{_options.Normalization} is not supported by a data-parallel fit yet (each process would normalize by its own rows): set Normalization = None and scale the data upstream (the same way on every process)");
                }
                normalizer = NormalizedRows.Fit(rows)
                    ?? throw _host.Except($"Column '{_options.InputColumnName}' has the same value in all {rows.RowCount} rows: after centering there is nothing to encode. Check that the right column is used.");
                monitor.Info(string.Format(CultureInfo.InvariantCulture, "Input normalized inside the model: centered on the training mean, divided by s = {0:G6}.", normalizer.Scale));
                // From here on the core sees (y − μ)/s; the model applies the same normalization to every row it encodes.
                rows = NormalizedRows.NormalizeInPlace(rows, normalizer);
            }
            try
            {
                var (model, history) = AutoencoderTrainer.Train(rows, settings, monitor, cancellationToken, combiner);
                // The diagnosis reads this process's rows; in a data-parallel run they differ between processes, whose
                // models (history included) must stay identical, so it is made on one process only. It encodes the
                // (normalized) training rows with the model before its normalization is attached.
                if (combiner == null)
                    history = Diagnose(model, history, rows, settings, monitor);
                return new SharedAutoencoderTransformer(_host, model.WithNormalizer(normalizer).WithEncoding(encoding), history, OutputColumns());
            }
            catch (TrainingDivergedException error)
            {
                // The core speaks of features and the learning rate; say which ML.NET transform and option those are.
                throw _host.Except(error, error.Message + " In ML.NET: add mlContext.Transforms.NormalizeMinMax (or another normalizer) before "
                    + $"the autoencoder, or set {nameof(Options)}.{nameof(Options.LearningRate)} (it was {settings.LearningRate:G4}).");
            }
        }

        private sealed class DataParallelMonitor : ITrainingMonitor
        {
            private readonly IChannel _channel;

            public DataParallelMonitor(IChannel channel) => _channel = channel;

            public void Info(string message) => _channel.Info(message);

            public void Warning(string message) => _channel.Warning(message);

            public void CheckAlive()
            {
            }
        }
    }
}
