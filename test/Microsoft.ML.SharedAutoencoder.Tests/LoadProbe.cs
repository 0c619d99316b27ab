using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Microsoft.ML.SharedAutoencoder.Tests
{
    /// <summary>Runs test/Microsoft.ML.SharedAutoencoder.LoadProbe in a separate process and checks it succeeded.</summary>
    internal static class LoadProbe
    {
        /// <summary>Writes rows in the probe's format: int32 count, int32 n, then count·n float32 values.</summary>
        public static void WriteRows(string path, int count, int n, float[] values)
        {
            using var writer = new BinaryWriter(File.Create(path));
            writer.Write(count);
            writer.Write(n);
            foreach (float v in values)
                writer.Write(v);
        }

        public static void Run(params string[] arguments)
        {
            string probe = typeof(LoadProbe).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LoadProbePath").Value!;
            Assert.IsTrue(File.Exists(probe), $"the load probe must be built: {probe}");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(probe);
            foreach (string argument in arguments)
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            string stderr = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            Assert.IsTrue(process.WaitForExit(120_000), "the probe must finish");
            Assert.AreEqual(0, process.ExitCode, stderr);
        }
    }
}
