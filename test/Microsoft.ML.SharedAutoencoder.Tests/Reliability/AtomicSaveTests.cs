using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary><c>SaveAtomically</c> replaces a model file only with a complete one; a failed save leaves the old file intact.</summary>
    [TestClass]
    public sealed class AtomicSaveTests
    {
        private const int N = 6, M = 3;

        /// <summary>A transformer whose save fails as a full disk would.</summary>
        private sealed class FailingSave : ITransformer
        {
            public bool IsRowToRowMapper => false;

            public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

            public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();

            public IDataView Transform(IDataView input) => input;

            public void Save(ModelSaveContext ctx) => throw new IOException("No space left on device");
        }

        private static (MLContext Ml, IDataView Data, SharedAutoencoderTransformer Model) Trained()
        {
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, 40, seed: 3), N);
            return (ml, data, ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = M, MaximumNumberOfIterations = 3, Seed = 2 }).Fit(data));
        }

        [TestMethod]
        public void AFailedSaveLeavesThePreviousFileIntactAndNoTemporaryFile()
        {
            var (ml, data, model) = Trained();
            string directory = ReliabilityData.TempDirectory();
            try
            {
                string path = Path.Combine(directory, "model.zip");
                ml.Model.SaveAtomically(model, data.Schema, path);
                byte[] before = File.ReadAllBytes(path);

                var error = Assert.Throws<IOException>(() => ml.Model.SaveAtomically(new FailingSave(), data.Schema, path));
                StringAssert.Contains(error.Message, "No space left on device");
                CollectionAssert.AreEqual(before, File.ReadAllBytes(path), "the previous model must be untouched");
                CollectionAssert.AreEqual(new[] { "model.zip" }, Directory.GetFiles(directory).Select(Path.GetFileName).ToArray(), "no temporary file is left");
                Assert.AreEqual(M, ml.Model.LoadSharedAutoencoder(path, out _).Model.HiddenUnits);

                // Plain Model.Save truncates in place: the same failure destroys the file (the reason for the helper).
                Assert.Throws<Exception>(() => ml.Model.Save(new FailingSave(), data.Schema, path));
                Assert.Throws<FormatException>(() => ml.Model.LoadSharedAutoencoder(path, out _));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [TestMethod]
        public void ASuccessfulSaveReplacesTheFile()
        {
            var (ml, data, model) = Trained();
            string directory = ReliabilityData.TempDirectory();
            try
            {
                string path = Path.Combine(directory, "model.zip");
                File.WriteAllText(path, "an older file");
                ml.Model.SaveAtomically(model, data.Schema, path);
                var loaded = ml.Model.LoadSharedAutoencoder(path, out _);
                CollectionAssert.AreEqual(ReliabilityData.Bits(ReliabilityData.Codes(model.Transform(data)).SelectMany(c => c).ToArray()),
                    ReliabilityData.Bits(ReliabilityData.Codes(loaded.Transform(data)).SelectMany(c => c).ToArray()));
                Assert.HasCount(1, Directory.GetFiles(directory));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [TestMethod]
        public void ADirectoryOrAMissingDirectoryIsRefusedWithoutWriting()
        {
            var (ml, data, model) = Trained();
            string directory = ReliabilityData.TempDirectory();
            try
            {
                var error = Assert.Throws<ArgumentException>(() => ml.Model.SaveAtomically(model, data.Schema, directory));
                StringAssert.Contains(error.Message, "is a directory");
                Assert.Throws<DirectoryNotFoundException>(() => ml.Model.SaveAtomically(model, data.Schema, Path.Combine(directory, "missing", "model.zip")));
                Assert.IsEmpty(Directory.GetFileSystemEntries(directory));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
