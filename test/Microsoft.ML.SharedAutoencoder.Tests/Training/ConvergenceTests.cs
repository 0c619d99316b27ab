using System;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Tests.Training
{
    [TestClass]
    public sealed class ConvergenceTests
    {
        [TestMethod]
        public void HardThresholdRecoversTheMixtureMeansToTheStatisticalFloor()
        {
            // Issue 2, test 3, on the bilinear-model loader: n=100, m=5, N=5,000, σ=0.01, λ=½, b=0, ζ=m, T=50,
            // W⁰ = normalize(A + 0.5·E) with E_ij ~ N(0, 1/n); after matching, ‖W − A‖_F ≤ 1.5 × σ·√(n·m²/N).
            const int n = 100, m = 5, rows = 5000;
            const float sigma = 0.01f;
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromBilinearModel(new BilinearModelOptions
            {
                LatentCodeModel = LatentCodeModel.MixtureOfGaussians,
                FeatureCount = n,
                AtomCount = m,
                NoiseStandardDeviation = sigma,
                Seed = 2019,
            }, rows);
            float[][] truth = data.Dictionary;
            var random = new Random(7);
            float[][] start = truth.Select(c => c.Select(v => (float)(v + 0.5 * TestData.Normal(random) / Math.Sqrt(n))).ToArray()).ToArray();

            var model = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                HiddenUnits = m,
                Activation = AutoencoderActivation.HardThreshold,
                Threshold = 0.5f,
                InitialBias = 0,
                LearningRate = m,
                MaximumNumberOfIterations = 50,
                Initialization = WeightInitialization.Given,
                InitialWeights = start,
                GroundTruthDictionary = truth,
            }).Fit(data);

            double floor = sigma * Math.Sqrt(n * (double)m * m / rows);
            double initial = model.History.Iterations[0].RecoveryError!.Value;
            var final = DictionaryRecovery.Evaluate(model.Model.GetWeights(), truth, allowSignFlips: false);
            Console.WriteLine($"‖W⁰ − A‖_F {initial:F4}, final {final.FrobeniusError:F5}, floor {floor:F5}");
            Assert.IsGreaterThan(0.5, initial, "the start must be far from the truth for the test to mean anything");
            Assert.IsLessThanOrEqualTo(1.5 * floor, final.FrobeniusError);
        }
    }
}
