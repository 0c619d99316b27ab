using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>
    /// A model trained with the top-k activation saves and loads bit for bit; its k, stored where the format keeps λ
    /// (activation code 2, no format change), is checked on load.
    /// </summary>
    [TestClass]
    public sealed class TopKModelFileTests
    {
        private const int N = 8, M = 5, K = 2;

        private static (MLContext Ml, IDataView Data, SharedAutoencoderTransformer Model, byte[] File) Saved(CodeEncoding encoding = CodeEncoding.Activation, bool split = false)
        {
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, 80, seed: 3), N);
            var options = new SharedAutoencoderEstimator.Options
            {
                HiddenUnits = M,
                Activation = AutoencoderActivation.TopK,
                ActiveUnits = K,
                Threshold = 0.25f, // unused by top-k: the model keeps the default in its place
                MaximumNumberOfIterations = 4,
                Seed = 2,
                Encoding = encoding,
                SplitPolarity = split,
                ReconstructionErrorColumnName = "Error",
            };
            var model = ml.Transforms.SharedAutoencoder(options).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            return (ml, data, model, stream.ToArray());
        }

        [TestMethod]
        [DataRow(CodeEncoding.Activation, false)]
        [DataRow(CodeEncoding.Activation, true)]
        [DataRow(CodeEncoding.TopK, false)]
        public void SaveAndLoadAreBitIdentical(CodeEncoding encoding, bool split)
        {
            var (ml, data, model, file) = Saved(encoding, split);
            var loaded = ml.Model.LoadSharedAutoencoder(new MemoryStream(file), out _);
            Assert.AreEqual(AutoencoderActivation.TopK, loaded.Model.Activation);
            Assert.AreEqual(K, loaded.Model.ActiveUnits);
            Assert.AreEqual(model.Model.Threshold, loaded.Model.Threshold);
            Assert.AreEqual(SharedAutoencoderEstimator.Defaults.Threshold, loaded.Model.Threshold);
            Assert.AreEqual(model.Model.Encoding, loaded.Model.Encoding);
            CollectionAssert.AreEqual(ReliabilityData.Bits(ReliabilityData.Flatten(model.Model.GetWeights())), ReliabilityData.Bits(ReliabilityData.Flatten(loaded.Model.GetWeights())));
            float[] before = ReliabilityData.Codes(model.Transform(data)).SelectMany(c => c).ToArray();
            float[] after = ReliabilityData.Codes(loaded.Transform(data)).SelectMany(c => c).ToArray();
            CollectionAssert.AreEqual(ReliabilityData.Bits(before), ReliabilityData.Bits(after));
            CollectionAssert.AreEqual(model.Transform(data).GetColumn<float>("Error").ToArray(), loaded.Transform(data).GetColumn<float>("Error").ToArray());
            Assert.IsTrue(ReliabilityData.Codes(loaded.Transform(data)).All(c => c.Count(v => v != 0) <= K), "at most k nonzeros per row (k of the 2m when split)");

            // Saving the loaded model writes the same bytes.
            using var again = new MemoryStream();
            ml.Model.Save(loaded, data.Schema, again);
            CollectionAssert.AreEqual(ZipEntries.Read(file), ZipEntries.Read(again.ToArray()));
        }

        /// <summary>The entry's offset of (n, m, activation, k): the four values are stored one after the other.</summary>
        private static int ActivationOffset(byte[] entry)
        {
            byte[] pattern = new[] { BitConverter.GetBytes(N), BitConverter.GetBytes(M), BitConverter.GetBytes(2), BitConverter.GetBytes((float)K) }.SelectMany(b => b).ToArray();
            int offset = entry.AsSpan().IndexOf(pattern);
            Assert.IsGreaterThan(0, offset, "n, m, the activation and k must be found in the model entry");
            return offset + 8;
        }

        private static void AssertLoadFails(float? k, int? activation, string fragment)
        {
            var (ml, _, _, file) = Saved();
            byte[] entry = ZipEntries.Read(file);
            int offset = ActivationOffset(entry);
            if (activation is int code)
                BitConverter.GetBytes(code).CopyTo(entry, offset);
            if (k is float value)
                BitConverter.GetBytes(value).CopyTo(entry, offset + 4);
            var error = Assert.Throws<FormatException>(() => ml.Model.LoadSharedAutoencoder(new MemoryStream(ZipEntries.Replace(file, entry)), out _));
            StringAssert.Contains(error.Message, fragment);
        }

        [TestMethod]
        public void AKThatIsNotAWholeNumberIsRefused() => AssertLoadFails(2.5f, null, "keeps 2.5 units; a model of m = 5 units keeps a whole number between 1 and 5");

        [TestMethod]
        public void AKAboveMIsRefused() => AssertLoadFails(6f, null, "keeps 6 units");

        [TestMethod]
        public void AKOfZeroIsRefused() => AssertLoadFails(0f, null, "not positive and finite");

        /// <summary>
        /// Readers from before top-k run the same check with an enum that ends at 1, so they refuse code 2 as this one
        /// refuses code 3 ("activation code … is unknown") instead of reading k as a threshold.
        /// </summary>
        [TestMethod]
        public void AnUnknownActivationCodeIsRefusedAsOlderReadersRefuseTopK() => AssertLoadFails(null, 3, "activation code 3 is unknown");
    }
}
