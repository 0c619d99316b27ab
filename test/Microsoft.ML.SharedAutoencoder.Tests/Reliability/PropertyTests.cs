using System;
using System.IO;
using System.Linq;
using System.Numerics.Tensors;
using CsCheck;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>
    /// Invariants over random shapes (CsCheck; fixed seeds, so every run checks the same cases and a failure prints the
    /// shrunk case and its seed).
    /// </summary>
    [TestClass]
    public sealed class PropertyTests
    {
        public sealed record Shape(int N, int M, int Rows, int K, AutoencoderActivation Activation, WeightInitialization Initialization, float Lambda, double Sigma, int Seed)
        {
            public float[] Data()
            {
                var random = new Random(Seed);
                var a = TestData.RandomDictionary(N, M, random);
                return TestData.Mixture(a, N, M, Rows, Sigma, random).Rows;
            }
        }

        private static readonly Gen<Shape> Shapes = Gen.Select(
            Gen.Int[2, 16], Gen.Int[1, 8], Gen.Int[1, 60], Gen.Int[1, 8], Gen.Enum<AutoencoderActivation>(), Gen.Bool, Gen.Float[0.05f, 1f], Gen.Double[0, 0.5], Gen.Int[0, 1_000_000],
            (n, m, rows, k, activation, pca, lambda, sigma, seed) =>
            {
                // PCA gives at most min(n, rows) directions; otherwise fall back to Random.
                var initialization = pca && m <= n && m <= rows ? WeightInitialization.Pca : WeightInitialization.Random;
                return new Shape(n, m, rows, 1 + (k - 1) % m, activation, initialization, lambda, sigma, seed);
            });

        // One sample of an array of cases from a fixed seed: every run checks the same cases (CsCheck draws the later
        // iterations of a multi-iteration run from fresh random seeds), and a failure still shrinks and prints its seed.
        private const int Cases = 80, SaveLoadCases = 30;

        private static double Norm(ReadOnlySpan<float> v) => Math.Sqrt(v.ToArray().Sum(x => (double)x * x));

        [TestMethod]
        public void EveryAcceptedStepKeepsUnitColumnsAndFiniteValues()
        {
            Shapes.Array[Cases].Sample(shapes => Array.ForEach(shapes, shape =>
            {
                int n = shape.N, m = shape.M;
                bool relu = shape.Activation == AutoencoderActivation.Relu;
                int probes = 0;
                var settings = new TrainerSettings
                {
                    HiddenUnits = m, Activation = shape.Activation, Threshold = shape.Lambda,
                    ActiveUnits = shape.Activation == AutoencoderActivation.TopK ? shape.K : 0,
                    InitialBias = relu ? SharedAutoencoderEstimator.DefaultReluBias(n) : 0f, BiasDecay = relu ? 2f : 1f,
                    LearningRate = (float)m / shape.K, MaximumNumberOfIterations = 6, Initialization = shape.Initialization, Seed = shape.Seed, NumberOfThreads = 1,
                    RecoveryProbe = w =>
                    {
                        probes++;
                        for (int i = 0; i < m; i++)
                        {
                            var column = w.AsSpan(i * n, n);
                            Assert.IsTrue(TensorPrimitives.IsFiniteAll(column), $"{shape}: column {i} finite after probe {probes}");
                            Assert.AreEqual(1.0, Norm(column), 1e-5, $"{shape}: column {i} norm after probe {probes}");
                        }
                        return (0, 0);
                    },
                };
                var (model, history) = AutoencoderTrainer.Train(new DenseRows(shape.Data(), shape.Rows, n), settings, new TestMonitor());
                Assert.AreEqual(history.Iterations.Count(e => !e.Undone), probes, "the probe sees W⁰ and every accepted step");
                Assert.IsTrue(history.Iterations.Where(e => !e.Undone).All(e => double.IsFinite(e.Loss) && e.Loss >= 0), $"{shape}: finite losses");
                Assert.IsTrue(model.GetWeights().All(c => c.All(float.IsFinite)) && model.GetBias().All(float.IsFinite), $"{shape}: finite model");
            }), seed: "0N0XIzNsQ0O2", iter: 1, threads: 1);
        }

        [TestMethod]
        public void CodesRespectTheActivationAndSaveLoadIsTheIdentity()
        {
            Shapes.Array[SaveLoadCases].Sample(shapes => Array.ForEach(shapes, shape =>
            {
                var ml = new MLContext(1);
                var values = shape.Data();
                var rows = Enumerable.Range(0, shape.Rows).Select(t => values.AsSpan(t * shape.N, shape.N).ToArray()).ToArray();
                var data = ReliabilityData.View(ml, rows, shape.N);
                var options = new SharedAutoencoderEstimator.Options
                {
                    // The paper's settings (the defaults before format 0x00010004).
                    Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                    HiddenUnits = shape.M, ExpectedSparsity = shape.K, Activation = shape.Activation, Threshold = shape.Lambda,
                    ActiveUnits = shape.Activation == AutoencoderActivation.TopK ? shape.K : null,
                    Initialization = shape.Initialization, MaximumNumberOfIterations = 4, Seed = shape.Seed, NumberOfThreads = 1,
                    ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error",
                };
                var model = ml.Transforms.SharedAutoencoder(options).Fit(data);
                var output = model.Transform(data);
                var codes = ReliabilityData.Codes(output);
                foreach (float[] code in codes)
                {
                    Assert.IsTrue(code.All(float.IsFinite), $"{shape}: finite code");
                    if (shape.Activation == AutoencoderActivation.Relu)
                        Assert.IsTrue(code.All(x => x >= 0), $"{shape}: ReLU codes are non-negative");
                    else if (shape.Activation == AutoencoderActivation.TopK)
                        Assert.IsTrue(code.All(x => x >= 0) && code.Count(x => x != 0) <= shape.K, $"{shape}: top-k codes are non-negative with at most k nonzeros");
                    else
                        Assert.IsFalse(code.Any(x => x != 0 && Math.Abs(x) <= shape.Lambda), $"{shape}: no threshold code in (0, λ]");
                }

                using var stream = new MemoryStream();
                ml.Model.Save(model, data.Schema, stream);
                stream.Position = 0;
                var loaded = ml.Model.LoadSharedAutoencoder(stream, out _).Transform(data);
                CollectionAssert.AreEqual(ReliabilityData.Bits(codes.SelectMany(c => c).ToArray()), ReliabilityData.Bits(ReliabilityData.Codes(loaded).SelectMany(c => c).ToArray()), $"{shape}: codes");
                CollectionAssert.AreEqual(ReliabilityData.Bits(ReliabilityData.Codes(output, "Reconstruction").SelectMany(c => c).ToArray()),
                    ReliabilityData.Bits(ReliabilityData.Codes(loaded, "Reconstruction").SelectMany(c => c).ToArray()), $"{shape}: reconstructions");
                var errors = output.GetColumn<float>("Error").ToArray();
                Assert.IsTrue(errors.All(e => float.IsFinite(e) && e >= 0), $"{shape}: finite errors");
                CollectionAssert.AreEqual(ReliabilityData.Bits(errors), ReliabilityData.Bits(loaded.GetColumn<float>("Error").ToArray()), $"{shape}: errors");
            }), seed: "1N0XIzNsQ0O2", iter: 1, threads: 1);
        }
    }
}
