using System;
using System.Reflection;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// The library reaches into ML.NET internals that change between versions, so it runs only on the ML.NET it was
    /// built against. NuGet's exact-version pin only warns (NU1608) when an application forces another version; this
    /// check turns what would be a TypeLoadException deep in a pipeline into a clear message at first use.
    /// </summary>
    internal static class MLNetVersionCheck
    {
        internal const string SupportedVersion = "5.0.1";

        private static readonly Lazy<string?> Problem = new(FindProblem);

        public static void EnsureSupported()
        {
            if (Problem.Value is string problem)
                throw new InvalidOperationException(problem);
        }

        private static string? FindProblem()
            => DescribeProblem(typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

        /// <summary>Null when <paramref name="informationalVersion"/> (e.g. "5.0.1+abc123") is the supported version, else the message.</summary>
        internal static string? DescribeProblem(string? informationalVersion)
        {
            string plain = informationalVersion?.Split('+', '-')[0] ?? "unknown";
            return plain == SupportedVersion
                ? null
                : $"Microsoft.ML.SharedAutoencoder works only with Microsoft.ML {SupportedVersion}, but Microsoft.ML {plain} is loaded. " +
                  $"Reference Microsoft.ML {SupportedVersion} exactly (the package pins [{SupportedVersion}]), or use a SharedAutoencoder release built for your ML.NET version.";
        }
    }
}
