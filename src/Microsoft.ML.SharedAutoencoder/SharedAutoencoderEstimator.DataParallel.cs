using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// The pieces of <see cref="Fit(IDataView)"/> that a data-parallel fit (the Mpi package) runs around its own
    /// combination of the passes (Training/IPassCombiner): the same checks, settings and rows, then the same transformer.
    /// </summary>
    public sealed partial class SharedAutoencoderEstimator
    {
        /// <summary>The estimator's host: its channel, its exceptions.</summary>
        internal IHost Host => _host;

        /// <summary>The options as given (a copy).</summary>
        internal Options FitOptions => _options;

        /// <summary>What Fit does before the first step: checks the input column, resolves the settings, reads or opens the rows.</summary>
        internal (TrainerSettings Settings, ITrainingRows Rows) PrepareFit(IDataView input, IChannel channel)
        {
            _host.CheckValue(input, nameof(input));
            int inputSize = CheckInputColumn(_host, input.Schema, _options.InputColumnName);
            TrainerSettings settings = Resolve(inputSize, channel);
            ITrainingRows rows = ReadRows(input, inputSize, settings, channel);
            CheckTrainable(rows, settings);
            return (settings, rows);
        }

        /// <summary>
        /// A monitor writing to <paramref name="channel"/> whose <see cref="ITrainingMonitor.CheckAlive"/> never throws: in
        /// a data-parallel run one process may not stop alone (the others would wait for it); cancellation is checked by
        /// the combiner instead, on all processes at once.
        /// </summary>
        internal static ITrainingMonitor CreateDataParallelMonitor(IChannel channel) => new DataParallelMonitor(channel);

        /// <summary>The transformer Fit returns for a trained model.</summary>
        internal SharedAutoencoderTransformer CreateTransformer(SharedAutoencoderModelParameters model, TrainingHistory history)
            => new(_host, model, history, OutputColumns());

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
