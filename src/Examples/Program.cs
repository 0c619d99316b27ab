using System;

namespace Microsoft.ML.SharedAutoencoder.Examples
{
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length > 0 && args[0] == "experiments")
                return Commands.ExperimentsCommand.Run(args[1..]);
            Console.WriteLine("Microsoft.ML.SharedAutoencoder examples");
            return 0;
        }
    }
}
