namespace Microsoft.ML.SharedAutoencoder.Examples.Research
{
    /// <summary>
    /// The synthetic problem and the training recipe shared by the recovery experiments (heat maps and targets, the hard
    /// regime, sample complexity), so that their figures are comparable: one place defines both.
    /// </summary>
    internal static class RecoveryRecipe
    {
        /// <summary>
        /// y = A x* + η with codes in [0.5, 1.5] (non-negative) or ±[1, 2] (otherwise); dictionary and rows from seed 1000 + <paramref name="seed"/>.
        /// </summary>
        public static BilinearModelDataView Data(MLContext ml, LatentCodeModel model, int features, int atoms, int sparsity, float noise, int rows, int seed)
        {
            bool nonNegative = model == LatentCodeModel.NonNegativeSparseCoding;
            return ml.Data.LoadFromBilinearModel(new BilinearModelOptions
            {
                FeatureCount = features, AtomCount = atoms, LatentCodeModel = model, Sparsity = sparsity,
                NoiseStandardDeviation = noise, ValueLowerBound = nonNegative ? 0.5f : 1f, ValueUpperBound = nonNegative ? 1.5f : 2f, Seed = 1000 + seed,
            }, rows);
        }

        /// <summary>
        /// The paper's settings (the defaults before format 0x00010004) with the hard threshold λ = ½, b = 0 and 50 steps;
        /// ζ = m for the mixture, 0.5·m/k for ± sparse codes (m/k diverges there) and 1 for non-negative codes (their common
        /// mean component makes 0.5·m/k overshoot on the first step and lose columns of a correct start); sparse models add 3
        /// least-squares refit rounds. The mixture trains with k = 1 whatever <paramref name="sparsity"/> says.
        /// </summary>
        public static SharedAutoencoderEstimator.Options Options(LatentCodeModel model, int atoms, int sparsity, WeightInitialization initialization, int seed)
        {
            bool mixture = model == LatentCodeModel.MixtureOfGaussians;
            int k = mixture ? 1 : sparsity;
            return new SharedAutoencoderEstimator.Options
            {
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                HiddenUnits = atoms, Activation = AutoencoderActivation.HardThreshold, Threshold = 0.5f, InitialBias = 0, BiasDecay = 1,
                ExpectedSparsity = k, LearningRate = mixture ? atoms : model == LatentCodeModel.NonNegativeSparseCoding ? 1f : 0.5f * atoms / k,
                MaximumNumberOfIterations = 50, Initialization = initialization, Seed = seed, FinalRefitIterations = mixture ? 0 : 3,
            };
        }
    }
}
