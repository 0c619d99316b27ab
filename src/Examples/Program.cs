using System;

namespace Microsoft.ML.SharedAutoencoder.Examples
{
    internal static class Program
    {
        private static int Main(string[] args)
        {
            Console.WriteLine("Microsoft.ML.SharedAutoencoder examples");
            return 0;
        }
    }
}
