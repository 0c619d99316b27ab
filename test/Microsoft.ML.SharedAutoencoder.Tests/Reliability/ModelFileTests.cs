using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>Damaged or foreign model files fail on load with a clear <see cref="FormatException"/>, never a wrong model.</summary>
    [TestClass]
    public sealed class ModelFileTests
    {
        private const int N = 6, M = 3;
        private const string ModelEntry = "TransformerChain/Model.key";

        // ML.NET's ModelHeader (src/Microsoft.ML.Core/Data/ModelHeader.cs): the component's signature and versions.
        private const int ModelSignatureOffset = 0x40, ModelVerWrittenOffset = 0x48, ModelVerReadableOffset = 0x4C;

        private static (MLContext Ml, IDataView Data, SharedAutoencoderTransformer Model, byte[] File) Saved()
        {
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, 60, seed: 3), N);
            var model = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { HiddenUnits = M, MaximumNumberOfIterations = 4, Seed = 2 }).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            return (ml, data, model, stream.ToArray());
        }

        private static byte[] ReadEntry(byte[] file, string name = ModelEntry)
        {
            using var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read);
            using var entry = zip.GetEntry(name)!.Open();
            using var copy = new MemoryStream();
            entry.CopyTo(copy);
            return copy.ToArray();
        }

        private static byte[] ReplaceEntry(byte[] file, byte[] content, string name = ModelEntry)
        {
            var stream = new MemoryStream();
            stream.Write(file);
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
            {
                zip.GetEntry(name)!.Delete();
                using var entry = zip.CreateEntry(name).Open();
                entry.Write(content);
            }
            return stream.ToArray();
        }

        private static byte[] Patch(byte[] file, Action<byte[]> change)
        {
            byte[] entry = ReadEntry(file);
            change(entry);
            return ReplaceEntry(file, entry);
        }

        /// <summary>The offset of W in the entry: the first occurrence of W's first two values.</summary>
        private static int WeightsOffset(byte[] entry, SharedAutoencoderTransformer model)
        {
            float[] w = model.Model.GetWeights()[0];
            byte[] pattern = BitConverter.GetBytes(w[0]).Concat(BitConverter.GetBytes(w[1])).ToArray();
            int offset = entry.AsSpan().IndexOf(pattern);
            Assert.IsGreaterThan(0, offset, "W must be found in the model entry");
            Assert.AreEqual(-1, entry.AsSpan(offset + 1).IndexOf(pattern), "W's first values must be unique in the entry");
            return offset;
        }

        private static FormatException AssertLoadFails(MLContext ml, byte[] file, string fragment)
        {
            var error = Assert.Throws<FormatException>(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(file), out _));
            Console.WriteLine(error.Message);
            StringAssert.Contains(error.Message, fragment);
            // Plain Model.Load fails too (the checks live in the transformer's loader); ML.NET may wrap the cause.
            var plain = Assert.Throws<Exception>(() => ml.Model.Load(new MemoryStream(file), out _));
            Assert.IsTrue(plain is FormatException || plain.InnerException?.InnerException is FormatException, plain.ToString());
            return error;
        }

        [TestMethod]
        public void AnIntactFileLoadsThroughTheHelperWithIdenticalOutputs()
        {
            var (ml, data, model, file) = Saved();
            var loaded = ml.Model.LoadSharedAutoencoder(new MemoryStream(file), out var schema);
            Assert.AreEqual(N, ((VectorDataViewType)schema["Features"].Type).Size);
            CollectionAssert.AreEqual(ReliabilityData.Codes(model.Transform(data)).SelectMany(c => c).ToArray(),
                ReliabilityData.Codes(loaded.Transform(data)).SelectMany(c => c).ToArray());

            string path = Path.Combine(ReliabilityData.TempDirectory(), "model.zip");
            try
            {
                File.WriteAllBytes(path, file);
                Assert.AreEqual(M, ml.Model.LoadSharedAutoencoder(path, out _).Model.HiddenUnits);
            }
            finally
            {
                Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
            }
        }

        [TestMethod]
        public void EmptyRandomAndTruncatedFilesAreNotModels()
        {
            var (ml, _, _, file) = Saved();
            var random = new byte[2048];
            new Random(5).NextBytes(random);
            AssertLoadFails(ml, Array.Empty<byte>(), "zip archive");
            AssertLoadFails(ml, random, "zip archive");
            AssertLoadFails(ml, file.AsSpan(0, file.Length / 2).ToArray(), "zip archive");
            AssertLoadFails(ml, file.AsSpan(0, file.Length - 1).ToArray(), "zip archive");
        }

        [TestMethod]
        [DataRow(0.3)]
        [DataRow(0.6)]
        [DataRow(0.99)]
        public void AModelEntryCutShortIsRefused(double keep)
        {
            // A zip whose directory is intact but whose model entry was cut (an interrupted copy of the entry).
            var (ml, _, _, file) = Saved();
            byte[] entry = ReadEntry(file);
            var error = Assert.Throws<FormatException>(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(ReplaceEntry(file, entry.AsSpan(0, (int)(entry.Length * keep)).ToArray())), out _));
            Console.WriteLine(error.Message);
            StringAssert.StartsWith(error.Message, "Cannot load a shared autoencoder model from the stream: ");
        }

        [TestMethod]
        public void AnotherTransformerIsNamedWhenASharedAutoencoderIsExpected()
        {
            var (ml, data, _, _) = Saved();
            var normalizer = ml.Transforms.NormalizeMinMax("Features").Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(normalizer, data.Schema, stream);
            var error = Assert.Throws<FormatException>(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(stream.ToArray()), out _));
            Console.WriteLine(error.Message);
            StringAssert.Contains(error.Message, "is a NormalizingTransformer, not a SharedAutoencoderTransformer");

            var pipeline = ml.Transforms.NormalizeMinMax("Features").Append(ml.Transforms.SharedAutoencoder("Code", "Features", hiddenUnits: 2, maximumNumberOfIterations: 2)).Fit(data);
            using var chainStream = new MemoryStream();
            ml.Model.Save(pipeline, data.Schema, chainStream);
            error = Assert.Throws<FormatException>(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(chainStream.ToArray()), out _));
            StringAssert.Contains(error.Message, "is a chain of NormalizingTransformer, SharedAutoencoderTransformer");
        }

        [TestMethod]
        public void AFormatNewerThanTheCodeIsRefused()
        {
            var (ml, _, _, file) = Saved();
            byte[] entry = ReadEntry(file);
            Assert.AreEqual("SHAUTOEN", System.Text.Encoding.ASCII.GetString(entry, ModelSignatureOffset, 8), "the header layout this test patches");
            Assert.AreEqual(0x00010001u, BitConverter.ToUInt32(entry, ModelVerWrittenOffset));

            // Written by a future version that older code can still read: loads.
            var readable = Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(ModelVerWrittenOffset), 0x00010002u));
            Assert.AreEqual(M, ml.Model.LoadSharedAutoencoder(new MemoryStream(readable), out _).Model.HiddenUnits);

            // Written by a future version that older code cannot read: refused with the versions.
            var tooNew = Patch(file, e =>
            {
                BitConverter.TryWriteBytes(e.AsSpan(ModelVerWrittenOffset), 0x00020001u);
                BitConverter.TryWriteBytes(e.AsSpan(ModelVerReadableOffset), 0x00020001u);
            });
            var error = AssertLoadFails(ml, tooNew, "The model was written in format 0x00020001 of Microsoft.ML.SharedAutoencoder, readable only from format 0x00020001; this version reads formats up to 0x00010001. Update the package");
        }

        [TestMethod]
        public void NaNOrAnyDamageInTheWeightsIsRefused()
        {
            var (ml, _, model, file) = Saved();
            int offset = WeightsOffset(ReadEntry(file), model);
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(offset), float.NaN)), "The model's weights contain NaN or infinity.");
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(offset + 4 * (N + 2)), float.NegativeInfinity)), "The model's weights contain NaN or infinity.");
            // A finite but wrong value (one flipped exponent bit) breaks the unit norm of its column.
            AssertLoadFails(ml, Patch(file, e => e[offset + 4 * N + 3] ^= 0x40), "weight column 1 has norm");
        }

        [TestMethod]
        public void NaNInTheBiasIsRefused()
        {
            var (ml, _, model, file) = Saved();
            int biasOffset = WeightsOffset(ReadEntry(file), model) + 4 * N * M;
            Assert.AreEqual(model.Model.GetBias()[0], BitConverter.ToSingle(ReadEntry(file), biasOffset), "b follows W");
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(biasOffset + 4), float.NaN)), "The model's bias contains NaN or infinity.");
        }

        [TestMethod]
        public void ImpossibleSizesAreRefused()
        {
            var (ml, _, model, file) = Saved();
            int offset = WeightsOffset(ReadEntry(file), model);
            // n and m precede W, then the activation and λ: int n, int m, int activation, float λ.
            int nOffset = offset - 16;
            Assert.AreEqual(N, BitConverter.ToInt32(ReadEntry(file), nOffset));
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(nOffset), -N)), $"sizes n = {-N}, m = {M} are impossible");
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(nOffset + 8), 7)), "activation code 7 is unknown");
            AssertLoadFails(ml, Patch(file, e => BitConverter.TryWriteBytes(e.AsSpan(nOffset + 12), float.NaN)), "threshold NaN is not positive and finite");
        }
    }
}
