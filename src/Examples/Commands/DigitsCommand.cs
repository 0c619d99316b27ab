namespace Microsoft.ML.SharedAutoencoder.Examples
{
    internal static class DigitsCommand
    {
        public static int Run(string[] args) => 0;
    }
}
