using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>
    /// Every invalid option is refused with an <see cref="ArgumentOutOfRangeException"/> naming the option and the value,
    /// and before any data is read: options that need nothing but themselves when the estimator is created, options
    /// that need the input dimension n when Fit sees the schema (still before a cursor is opened).
    /// </summary>
    [TestClass]
    public sealed class OptionErrorTests
    {
        private const int N = 6;

        private static SharedAutoencoderEstimator.Options Valid() => new() { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = 3, MaximumNumberOfIterations = 3, Seed = 1 };

        private static float[][] Columns(int count, int length, float value = 1f)
            => Enumerable.Range(0, count).Select(i => Enumerable.Range(0, length).Select(j => value * (i == j ? 2f : 0.5f)).ToArray()).ToArray();

        public static IEnumerable<object[]> ConstructionCases()
        {
            object[] Case(string name, Action<SharedAutoencoderEstimator.Options> change, string option, string fragment)
                => new object[] { name, change, option, fragment };

            yield return Case("HiddenUnits 0", o => o.HiddenUnits = 0, "HiddenUnits", "got 0");
            yield return Case("HiddenUnits negative", o => o.HiddenUnits = -4, "HiddenUnits", "got -4");
            yield return Case("ExpectedSparsity 0", o => o.ExpectedSparsity = 0, "ExpectedSparsity", "got 0");
            yield return Case("ExpectedSparsity > m", o => o.ExpectedSparsity = 4, "ExpectedSparsity", "HiddenUnits = 3, got 4");
            yield return Case("Threshold 0", o => o.Threshold = 0, "Threshold", "got 0");
            yield return Case("Threshold negative", o => o.Threshold = -0.5f, "Threshold", "got -0.5");
            yield return Case("Threshold NaN", o => o.Threshold = float.NaN, "Threshold", "got NaN");
            yield return Case("Threshold infinite", o => o.Threshold = float.PositiveInfinity, "Threshold", "got " + float.PositiveInfinity);
            yield return Case("LearningRate 0", o => o.LearningRate = 0, "LearningRate", "got 0");
            yield return Case("LearningRate negative", o => o.LearningRate = -1, "LearningRate", "got -1");
            yield return Case("LearningRate NaN", o => o.LearningRate = float.NaN, "LearningRate", "got NaN");
            yield return Case("LearningRate infinite", o => o.LearningRate = float.PositiveInfinity, "LearningRate", "got " + float.PositiveInfinity);
            yield return Case("MaximumNumberOfIterations -1", o => o.MaximumNumberOfIterations = -1, "MaximumNumberOfIterations", "at least 0 (0: initialization only");
            yield return Case("MaximumNumberOfIterations negative", o => o.MaximumNumberOfIterations = -2, "MaximumNumberOfIterations", "got -2");
            yield return Case("BiasDecay below 1", o => o.BiasDecay = 0.5f, "BiasDecay", "got 0.5");
            yield return Case("BiasDecay NaN", o => o.BiasDecay = float.NaN, "BiasDecay", "got NaN");
            yield return Case("BiasDecay infinite", o => o.BiasDecay = float.PositiveInfinity, "BiasDecay", "got " + float.PositiveInfinity);
            yield return Case("InitialBias NaN", o => o.InitialBias = float.NaN, "InitialBias", "got NaN");
            yield return Case("Tolerance negative", o => o.Tolerance = -1e-3, "Tolerance", "got -0.001");
            yield return Case("Tolerance NaN", o => o.Tolerance = double.NaN, "Tolerance", "got NaN");
            yield return Case("DivergenceFactor 1", o => o.DivergenceFactor = 1, "DivergenceFactor", "got 1");
            yield return Case("NumberOfThreads 0", o => o.NumberOfThreads = 0, "NumberOfThreads", "got 0");
            yield return Case("Activation unknown", o => o.Activation = (AutoencoderActivation)7, "Activation", "7");
            yield return Case("Initialization unknown", o => o.Initialization = (WeightInitialization)9, "Initialization", "9");
            yield return Case("Normalization unknown", o => o.Normalization = (InputNormalization)5, "Normalization", "unknown normalization 5; choose one of None, CenterAndScale");
            yield return Case("Ground truth with normalization", o =>
            {
                o.Normalization = InputNormalization.CenterAndScale;
                o.GroundTruthDictionary = Columns(3, N);
            }, "GroundTruthDictionary", "set Normalization = None to measure recovery");
            yield return Case("InputColumnName empty", o => o.InputColumnName = " ", "InputColumnName", "must name a column");
            yield return Case("Output names collide", o => o.ReconstructionColumnName = "Code", "OutputColumnName", "must differ");

            yield return Case("Given without weights", o => o.Initialization = WeightInitialization.Given, "InitialWeights", "must be set");
            yield return Case("Weights without Given", o => o.InitialWeights = Columns(3, N), "InitialWeights", "Initialization is Random");
            yield return Case("Weights: too few columns", o => Given(o, Columns(2, N)), "InitialWeights", "must have 3 columns");
            yield return Case("Weights: too many columns", o => Given(o, Columns(5, N)), "InitialWeights", "must have 3 columns");
            yield return Case("Weights: ragged", o => Given(o, new[] { new float[N], new float[N], new float[N - 1] }.Select(Fill).ToArray()), "InitialWeights", "column 2 has length 5");
            yield return Case("Weights: null column", o => Given(o, new[] { Fill(new float[N]), null!, Fill(new float[N]) }), "InitialWeights", "column 1 is null or empty");
            yield return Case("Weights: NaN", o => Given(o, WithValue(Columns(3, N), 1, 4, float.NaN)), "InitialWeights", "column 1 contains NaN");
            yield return Case("Weights: infinity", o => Given(o, WithValue(Columns(3, N), 2, 0, float.NegativeInfinity)), "InitialWeights", "column 2 contains NaN or infinity");
            yield return Case("Weights: zero column", o => Given(o, Columns(3, N).Select((c, i) => i == 1 ? new float[N] : c).ToArray()), "InitialWeights", "column 1 is all zeros");

            yield return Case("Truth: more columns than units", o => o.GroundTruthDictionary = Columns(4, N), "GroundTruthDictionary", "has 4 columns, more than HiddenUnits = 3");
            yield return Case("Truth: ragged", o => o.GroundTruthDictionary = new[] { Fill(new float[N]), Fill(new float[N + 1]) }, "GroundTruthDictionary", "column 1 has length 7");
            yield return Case("Truth: NaN", o => o.GroundTruthDictionary = WithValue(Columns(2, N), 0, 3, float.NaN), "GroundTruthDictionary", "column 0 contains NaN");
            yield return Case("Truth: zero column", o => o.GroundTruthDictionary = new[] { Fill(new float[N]), new float[N] }, "GroundTruthDictionary", "column 1 is all zeros");
        }

        private static float[] Fill(float[] column)
        {
            Array.Fill(column, 0.25f);
            return column;
        }

        private static float[][] WithValue(float[][] columns, int column, int index, float value)
        {
            columns[column][index] = value;
            return columns;
        }

        private static void Given(SharedAutoencoderEstimator.Options o, float[][] weights)
        {
            o.Initialization = WeightInitialization.Given;
            o.InitialWeights = weights;
        }

        public static string CaseName(System.Reflection.MethodInfo method, object[] data) => (string)data[0];

        [TestMethod]
        [DynamicData(nameof(ConstructionCases), DynamicDataDisplayName = nameof(CaseName))]
        public void InvalidOptionIsRefusedWhenTheEstimatorIsCreated(string name, Action<SharedAutoencoderEstimator.Options> change, string option, string fragment)
        {
            var options = Valid();
            change(options);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(1).Transforms.SharedAutoencoder(options), name);
            Assert.AreEqual(option, error.ParamName, name);
            StringAssert.Contains(error.Message, fragment, name);
        }

        [TestMethod]
        public void ValidOptionsAreAccepted()
        {
            var options = Valid();
            options.Initialization = WeightInitialization.Given;
            options.InitialWeights = Columns(3, N);
            options.GroundTruthDictionary = Columns(2, N);
            options.LearningRate = 1e-30f;
            options.BiasDecay = 1;
            options.Tolerance = 0;
            options.ExpectedSparsity = 3;
            Assert.IsNotNull(new MLContext(1).Transforms.SharedAutoencoder(options));
        }

        [TestMethod]
        public void OptionsChangedAfterCreationDoNotAffectTheEstimator()
        {
            // The estimator validates and copies its options: a later edit can neither bypass validation nor change training.
            var options = Valid();
            options.Initialization = WeightInitialization.Given;
            options.InitialWeights = Columns(3, N);
            var estimator = new MLContext(1).Transforms.SharedAutoencoder(options);
            options.InitialWeights[0][0] = float.NaN;
            options.HiddenUnits = -1;
            var ml = new MLContext(1);
            var model = estimator.Fit(ReliabilityData.View(ml, ReliabilityData.Mixture(N, 3, 50, seed: 2), N));
            Assert.AreEqual(3, model.Model.HiddenUnits);
            Assert.IsTrue(model.Model.GetWeights().All(c => c.All(float.IsFinite)));
        }

        public static IEnumerable<object[]> SchemaDependentCases()
        {
            object[] Case(string name, Action<SharedAutoencoderEstimator.Options> change, string option, string fragment)
                => new object[] { name, change, option, fragment };

            yield return Case("Weights of the wrong length", o => Given(o, Columns(3, N + 2)), "InitialWeights", $"input dimension n = {N}, got {N + 2}");
            yield return Case("Truth of the wrong length", o => o.GroundTruthDictionary = Columns(2, N - 1), "GroundTruthDictionary", $"input dimension n = {N}, got {N - 1}");
            yield return Case("Pca with m > n", o => { o.HiddenUnits = N + 1; o.Initialization = WeightInitialization.Pca; }, "Initialization", $"at most n = {N} directions, but HiddenUnits = {N + 1}");
            yield return Case("m·n beyond one array", o => o.HiddenUnits = int.MaxValue / 4, "HiddenUnits", $"weight matrix of m·n = {(long)(int.MaxValue / 4) * N} values, more than the {Array.MaxLength} one .NET array holds");
        }

        [TestMethod]
        [DynamicData(nameof(SchemaDependentCases), DynamicDataDisplayName = nameof(CaseName))]
        public void OptionThatNeedsTheSchemaIsRefusedBeforeAnyRowIsRead(string name, Action<SharedAutoencoderEstimator.Options> change, string option, string fragment)
        {
            var options = Valid();
            change(options);
            var estimator = new MLContext(1).Transforms.SharedAutoencoder(options);
            var input = new ReliabilityData.UnreadableView(N);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(input), name);
            Assert.AreEqual(option, error.ParamName, name);
            StringAssert.Contains(error.Message, fragment, name);
            Assert.AreEqual(0, input.CursorsOpened, "no cursor may be opened before the options are checked");
        }

        [TestMethod]
        public void MemoryBeyondWhatIsAvailableIsRefusedWithTheEstimateBeforeAnyAllocation()
        {
            // m·n and m·m fit in one array each, but the parameter buffers (m·n and m×m, TrainingMemory) exceed the memory available.
            double available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            const int m = 46_340;
            int n = (int)Math.Min(Array.MaxLength / m, Math.Ceiling(2 * available / (4.0 * 23 * m)));
            Assert.IsGreaterThan(2 * available, TrainingMemory.EstimateBytes(n, new TrainerSettings { HiddenUnits = m }), "the case must exceed the memory available");
            var options = Valid();
            options.HiddenUnits = m;
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var estimator = new MLContext(1).Transforms.SharedAutoencoder(options);
            var input = new ReliabilityData.UnreadableView(n);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(input));
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Console.WriteLine(error.Message);
            Assert.AreEqual("HiddenUnits", error.ParamName);
            StringAssert.Contains(error.Message, $"training {m} hidden units");
            StringAssert.Contains(error.Message, "GB for the parameters alone, more than the");
            Assert.AreEqual(0, input.CursorsOpened);
            Assert.IsLessThan(64L << 20, allocated, "the refusal must come before W (4·m·n bytes) is allocated");
        }
    }
}
