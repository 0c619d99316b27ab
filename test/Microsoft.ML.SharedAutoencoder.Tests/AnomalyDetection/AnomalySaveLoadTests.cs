using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Tests.Reliability;

namespace Microsoft.ML.SharedAutoencoder.Tests.AnomalyDetection
{
    /// <summary>The anomaly model saves with mlContext.Model.Save and loads, bit-identical, in this and in a fresh process.</summary>
    [TestClass]
    public sealed class AnomalySaveLoadTests
    {
        private const int N = 12;

        [TestMethod]
        public void SavedModelScoresBitIdenticallyInAFreshProcessAndHere()
        {
            var ml = new MLContext(1);
            var train = AnomalyTestData.Clusters(N, 200, seed: 1);
            IDataView trainView = AnomalyTestData.View(ml, train);
            var model = ml.AnomalyDetection.Trainers.SharedAutoencoder(new SharedAutoencoderAnomalyTrainer.Options { HiddenUnits = 6, ThresholdQuantile = 0.9, Seed = 2 }).Fit(trainView);
            var changed = ml.AnomalyDetection.ChangeModelThreshold(model, model.Model.TrainingThreshold * 0.5f);
            var test = AnomalyTestData.Clusters(N, 40, seed: 2).Concat(AnomalyTestData.Uniform(N, 40, seed: 3)).ToArray();
            IDataView testView = AnomalyTestData.View(ml, test);
            float[] scores = changed.Transform(testView).GetColumn<float>("Score").ToArray();
            bool[] labels = changed.Transform(testView).GetColumn<bool>("PredictedLabel").ToArray();
            Assert.IsTrue(labels.Any(l => l) && labels.Any(l => !l), "both labels occur, so the threshold is tested");

            string directory = ReliabilityData.TempDirectory();
            try
            {
                string modelPath = Path.Combine(directory, "anomaly.zip");
                ml.Model.Save(changed, trainView.Schema, modelPath);

                // Here: a new context, mlContext.Model.Load.
                var loaded = new MLContext(9).Model.Load(modelPath, out var schema);
                Assert.AreEqual(N, ((VectorDataViewType)schema["Features"].Type).Size);
                IDataView reloaded = loaded.Transform(testView);
                CollectionAssert.AreEqual(ReliabilityData.Bits(scores), ReliabilityData.Bits(reloaded.GetColumn<float>("Score").ToArray()));
                CollectionAssert.AreEqual(labels, reloaded.GetColumn<bool>("PredictedLabel").ToArray(), "the changed threshold is saved");

                // Typed: the model parameters and ChangeModelThreshold are usable after loading.
                var typed = new MLContext(9).Model.LoadSharedAutoencoderAnomalyDetector(modelPath, out _);
                Assert.AreEqual(model.Model.TrainingThreshold, typed.Model.TrainingThreshold);
                CollectionAssert.AreEqual(model.Model.GetMean(), typed.Model.GetMean());
                CollectionAssert.AreEqual(labels, typed.Transform(testView).GetColumn<bool>("PredictedLabel").ToArray(), "the saved threshold is kept");
                var retuned = ml.AnomalyDetection.ChangeModelThreshold(typed, float.MaxValue);
                Assert.IsFalse(retuned.Transform(testView).GetColumn<bool>("PredictedLabel").Any(l => l));

                // A fresh process: nothing of this process's state (loaded types, registered classes) helps.
                string rowsPath = Path.Combine(directory, "rows.bin");
                string outputPath = Path.Combine(directory, "scores.bin");
                LoadProbe.WriteRows(rowsPath, test.Length, N, test.SelectMany(r => r).ToArray());
                LoadProbe.Run("score", modelPath, rowsPath, outputPath);
                using var reader = new BinaryReader(File.OpenRead(outputPath));
                Assert.AreEqual(test.Length, reader.ReadInt32());
                for (int t = 0; t < test.Length; t++)
                {
                    Assert.AreEqual(BitConverter.SingleToInt32Bits(scores[t]), BitConverter.SingleToInt32Bits(reader.ReadSingle()), $"row {t} score");
                    Assert.AreEqual(labels[t], reader.ReadByte() == 1, $"row {t} label");
                }
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [TestMethod]
        public void TypedLoadOfAnotherModelSaysWhatItIs()
        {
            var ml = new MLContext(1);
            IDataView data = AnomalyTestData.View(ml, AnomalyTestData.Clusters(N, 50, seed: 1));
            var pca = ml.AnomalyDetection.Trainers.RandomizedPca(rank: 2).Fit(data);
            string directory = ReliabilityData.TempDirectory();
            try
            {
                string path = Path.Combine(directory, "pca.zip");
                ml.Model.Save(pca, data.Schema, path);
                var error = Assert.ThrowsExactly<FormatException>(() => ml.Model.LoadSharedAutoencoderAnomalyDetector(path, out _));
                StringAssert.Contains(error.Message, "not a shared autoencoder anomaly detector");
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
