namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>Where the trainer reports progress; the ML.NET layer forwards it to an <c>IChannel</c>.</summary>
    internal interface ITrainingMonitor
    {
        void Info(string message);

        void Warning(string message);

        /// <summary>Throws when the user cancelled training.</summary>
        void CheckAlive();
    }
}
