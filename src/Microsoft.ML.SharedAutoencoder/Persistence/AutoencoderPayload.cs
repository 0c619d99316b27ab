using System;
using System.Numerics.Tensors;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder.Model;

namespace Microsoft.ML.SharedAutoencoder.Persistence
{
    /// <summary>
    /// The autoencoder's parameters inside a payload, shared by every format that stores one:
    /// int n (&gt; 0), int m (&gt; 0), int activation (0 ReLU, 1 hard threshold, 2 top-k), float λ (finite, &gt; 0; for
    /// top-k its k instead, an integer in [1, m]: the activation's one parameter),
    /// float[m·n] W unit-major (finite, every column of unit norm to 1e-4), float[m] b (finite); no counts.
    /// </summary>
    internal static class AutoencoderPayload
    {
        // float32 normalization leaves ‖W_i‖ within a few ulps of 1; a corrupted value moves it far more.
        private const double UnitNormTolerance = 1e-4;

        public static void Write(PayloadWriter payload, SharedAutoencoderModelParameters model)
        {
            payload.Write(model.InputSize);
            payload.Write(model.HiddenUnits);
            payload.Write((int)model.Activation);
            // Top-k (added without a format change) keeps its k where λ goes: code 2 is refused by the readers that came
            // before it ("activation code 2 is unknown"), so no older version misreads the k as a threshold.
            payload.Write(model.Activation == AutoencoderActivation.TopK ? model.ActiveUnits : model.Threshold);
            payload.Write(model.WeightsUnitMajor);
            payload.Write(model.BiasSpan);
        }

        /// <summary>
        /// Reads and checks the parameters; <paramref name="readEncoding"/> (given n and m) reads what a format stores
        /// right after b to choose the encoding, and <paramref name="readNormalization"/> (given n) what follows it to
        /// choose the input normalization, so the model is built once, with them. Null: the activation as the code, no
        /// normalization.
        /// </summary>
        public static SharedAutoencoderModelParameters Read(IExceptionContext ectx, PayloadReader payload,
            Func<int, int, CodeEncodingSettings>? readEncoding = null, Func<int, InputNormalizer?>? readNormalization = null)
        {
            int n = payload.ReadInt32("n");
            int m = payload.ReadInt32("m");
            ectx.CheckDecode(n > 0 && m > 0 && (long)n * m <= Array.MaxLength, $"The model's sizes n = {n}, m = {m} are impossible.");
            int activation = payload.ReadInt32("the activation");
            ectx.CheckDecode(Enum.IsDefined((AutoencoderActivation)activation),
                $"The model's activation code {activation} is unknown (this version knows 0 ReLU, 1 hard threshold, 2 top-k): the file is damaged or was written by a newer version of the package.");
            float threshold = payload.ReadSingle("the threshold");
            ectx.CheckDecode(float.IsFinite(threshold) && threshold > 0, $"The model's threshold {threshold} is not positive and finite.");
            int activeUnits = 0;
            if ((AutoencoderActivation)activation == AutoencoderActivation.TopK)
            {
                // k is stored in λ's place: a whole number in [1, m].
                ectx.CheckDecode(threshold == MathF.Round(threshold) && threshold <= m,
                    $"The model's top-k activation keeps {threshold} units; a model of m = {m} units keeps a whole number between 1 and {m}.");
                activeUnits = (int)threshold;
                threshold = SharedAutoencoderEstimator.Defaults.Threshold;
            }
            // W and b together before allocating W: a damaged n or m must not allocate gigabytes first.
            payload.Require(((long)n * m + m) * sizeof(float), $"W and b (n = {n}, m = {m})");
            float[] weights = payload.ReadSingles((long)n * m, "W");
            ectx.CheckDecode(TensorPrimitives.IsFiniteAll(weights), "The model's weights contain NaN or infinity.");
            for (int i = 0; i < m; i++)
            {
                // Training keeps every column at unit norm; anything else is a damaged file, not a model.
                double norm = Math.Sqrt(TensorPrimitives.SumOfSquares(weights.AsSpan(i * n, n)));
                if (!(Math.Abs(norm - 1) <= UnitNormTolerance))
                    throw ectx.ExceptDecode($"The model's weight column {i} has norm {norm:G6}; trained columns have unit norm. The file is damaged.");
            }
            float[] bias = payload.ReadSingles(m, "b");
            ectx.CheckDecode(TensorPrimitives.IsFiniteAll(bias), "The model's bias contains NaN or infinity.");
            CodeEncodingSettings encoding = readEncoding?.Invoke(n, m) ?? CodeEncodingSettings.Activation();
            InputNormalizer? normalizer = readNormalization?.Invoke(n);
            return new SharedAutoencoderModelParameters(n, weights, bias, (AutoencoderActivation)activation, threshold, encoding, activeUnits, normalizer);
        }
    }
}
