namespace Microsoft.ML.SharedAutoencoder.Examples
{
    internal static class TrainCommand
    {
        public static int Run(string[] args) => 0;
    }
}
