using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>
    /// A loss of exactly 0 before any step: features so small that their squares round to 0 in float32 must not pass
    /// silently as "converged" (issue 15); a warning says that nothing was trained and why.
    /// </summary>
    [TestClass]
    public sealed class ZeroLossTests
    {
        private sealed class Row
        {
            [VectorType(8)]
            public float[] Features { get; set; } = Array.Empty<float>();
        }

        private static (SharedAutoencoderTransformer Model, List<string> Warnings) Fit(float scale)
        {
            var ml = new MLContext(seed: 1);
            var warnings = new List<string>();
            ml.Log += (_, e) =>
            {
                if (e.Kind == Runtime.ChannelMessageKind.Warning)
                {
                    lock (warnings)
                        warnings.Add(e.Message);
                }
            };
            var random = new Random(3);
            var rows = Enumerable.Range(0, 200).Select(_ => new Row { Features = Enumerable.Range(0, 8).Select(_ => scale * (float)random.NextDouble()).ToArray() }).ToList();
            var options = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 4, MaximumNumberOfIterations = 5, Seed = 2 };
            var model = ml.Transforms.SharedAutoencoder(options).Fit(ml.Data.LoadFromEnumerable(rows));
            return (model, warnings);
        }

        [TestMethod]
        public void FeaturesWhoseSquaresUnderflow_WarnThatNothingWasTrained()
        {
            var (model, warnings) = Fit(1e-30f);
            Assert.AreEqual(0.0, model.History.Iterations[0].Loss, "the squares of 1e-30 round to 0 in float32");
            Assert.AreEqual(1, model.History.Iterations.Count, "no step is taken");
            Assert.IsTrue(warnings.Any(w => w.Contains(AutoencoderTrainer.ZeroLossAtStart, StringComparison.Ordinal)), string.Join("\n", warnings));
        }

        [TestMethod]
        public void OrdinaryFeatures_NoZeroLossWarning()
        {
            var (model, warnings) = Fit(1f);
            Assert.IsTrue(model.History.Iterations[0].Loss > 0);
            Assert.IsFalse(warnings.Any(w => w.Contains("loss is exactly 0", StringComparison.Ordinal)), string.Join("\n", warnings));
        }
    }
}
