namespace Microsoft.ML.SharedAutoencoder.Examples
{
    internal static class SaveLoadCommand
    {
        public static int Run(string[] args) => 0;
    }
}
