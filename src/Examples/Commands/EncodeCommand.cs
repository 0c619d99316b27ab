namespace Microsoft.ML.SharedAutoencoder.Examples
{
    internal static class EncodeCommand
    {
        public static int Run(string[] args) => 0;
    }
}
