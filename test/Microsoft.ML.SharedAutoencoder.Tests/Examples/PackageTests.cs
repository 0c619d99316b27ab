using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;

namespace Microsoft.ML.SharedAutoencoder.Tests.Examples
{
    /// <summary>The NuGet package builds and holds what a user needs: DLL, XML docs, README, licence, pinned ML.NET.</summary>
    [TestClass]
    public sealed class PackageTests
    {
        /// <summary>The published id: nuget.org reserves the <c>Microsoft.*</c> prefix, so it differs from the assembly name.</summary>
        private const string PackageId = "SharedAutoencoder.ML";

        private static string Metadata(string key) => typeof(PackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

        [TestMethod]
        public void Pack_ProducesPackageWithDocsReadmeLicenceAndPinnedMLNet()
        {
            string output = Path.Combine(Path.GetTempPath(), "sae-pack-" + Guid.NewGuid().ToString("N"));
            // --no-build: packs the library the test run was built with (same configuration), in a few seconds.
            var start = new ProcessStartInfo("dotnet", $"pack \"{Metadata("LibraryProjectPath")}\" -c {Metadata("BuildConfiguration")} --no-build --nologo -o \"{output}\"")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using (var process = Process.Start(start)!)
            {
                string log = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.AreEqual(0, process.ExitCode, log);
            }
            string package = Directory.GetFiles(output, PackageId + ".*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
            using var zip = ZipFile.OpenRead(package);
            var names = zip.Entries.Select(e => e.FullName).ToList();
            CollectionAssert.Contains(names, "lib/net10.0/Microsoft.ML.SharedAutoencoder.dll");
            CollectionAssert.Contains(names, "lib/net10.0/Microsoft.ML.SharedAutoencoder.xml");
            CollectionAssert.Contains(names, "README.md");
            CollectionAssert.Contains(names, "LICENSE");

            var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            XDocument nuspec;
            using (var stream = nuspecEntry.Open())
                nuspec = XDocument.Load(stream);
            var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
                .ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("version")!);
            Assert.AreEqual(PackageId, nuspec.Descendants().Single(e => e.Name.LocalName == "id").Value);
            Assert.IsFalse(PackageId.StartsWith("Microsoft.", StringComparison.OrdinalIgnoreCase), "nuget.org refuses the reserved prefix");
            Assert.AreEqual("[5.0.1]", dependencies["Microsoft.ML"]);
            Assert.IsFalse(dependencies.Keys.Any(id => id.Contains("Publicizer", StringComparison.OrdinalIgnoreCase)), string.Join(", ", dependencies.Keys));
            Assert.IsTrue(dependencies.ContainsKey("MathNet.Numerics"));
            Assert.IsTrue(dependencies.ContainsKey("System.Numerics.Tensors"));
            Assert.AreEqual("README.md", nuspec.Descendants().Single(e => e.Name.LocalName == "readme").Value);
            Assert.AreEqual("MIT", nuspec.Descendants().Single(e => e.Name.LocalName == "license").Value);
            Directory.Delete(output, recursive: true);
        }
    }
}
