using System;
using System.Collections.Generic;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests
{
    /// <summary>
    /// The one fake <see cref="ITrainingMonitor"/> of the tests: records every message and can run an action each time
    /// the trainer checks for cancellation (it does so before the initialization and when every iteration starts).
    /// </summary>
    internal sealed class TestMonitor : ITrainingMonitor
    {
        private int _checks;

        public List<string> Infos { get; } = new();

        public List<string> Warnings { get; } = new();

        /// <summary>Called with 0, 1, 2, … on every <see cref="CheckAlive"/>.</summary>
        public Action<int>? OnIterationStart { get; init; }

        public void Info(string message) => Infos.Add(message);

        public void Warning(string message) => Warnings.Add(message);

        public void CheckAlive() => OnIterationStart?.Invoke(_checks++);
    }
}
