namespace Microsoft.ML.SharedAutoencoder.Examples
{
    internal static class PipelineCommand
    {
        public static int Run(string[] args) => 0;
    }
}
