using System;
using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Internal.Utilities;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// The binary format of <see cref="SharedAutoencoderAnomalyModelParameters"/>, version 0x00010001.
    /// </summary>
    /// <remarks>
    /// Versioning as in <see cref="SharedAutoencoderTransformer"/>: ML.NET's model header stores the version written and
    /// the oldest version able to read it; every format change bumps verWrittenCur, a change older code cannot read also
    /// bumps verReadableCur. Load checks every field and fails with a FormatException rather than build a model from a
    /// damaged file.
    /// <code>
    /// int: sizeof(float) = 4                         (ModelParametersBase)
    /// int: n, the input dimension (&gt; 0)
    /// int: m, the number of hidden units (&gt; 0)
    /// int: activation (0 ReLU, 1 hard threshold)
    /// float: threshold λ of the activation (finite, &gt; 0)
    /// float[m·n]: W, unit-major, no count; finite, every column of unit norm (to within 1e-4)
    /// float[m]: b, no count; finite
    /// float[n]: μ, the training mean, no count; finite (zeros: not centered)
    /// double: the threshold quantile, in (0, 1]
    /// float: the training threshold (finite)
    /// </code>
    /// </remarks>
    internal static class SharedAutoencoderAnomalyModelFormat
    {
        private const double UnitNormTolerance = 1e-4;

        public static VersionInfo GetVersionInfo() => new VersionInfo(
            modelSignature: "SHAEANOM",
            verWrittenCur: 0x00010001, // Initial
            verReadableCur: 0x00010001,
            verWeCanReadBack: 0x00010001,
            loaderSignature: SharedAutoencoderAnomalyModelParameters.LoaderSignature,
            loaderAssemblyName: typeof(SharedAutoencoderAnomalyModelParameters).Assembly.FullName);

        public static void Write(ModelSaveContext ctx, SharedAutoencoderAnomalyModelParameters model)
        {
            SharedAutoencoderModelParameters autoencoder = model.Autoencoder;
            ctx.Writer.Write(autoencoder.InputSize);
            ctx.Writer.Write(autoencoder.HiddenUnits);
            ctx.Writer.Write((int)autoencoder.Activation);
            ctx.Writer.Write(autoencoder.Threshold);
            ctx.Writer.WriteSinglesNoCount(autoencoder.WeightsUnitMajor);
            ctx.Writer.WriteSinglesNoCount(autoencoder.BiasSpan);
            ctx.Writer.WriteSinglesNoCount(model.MeanSpan);
            ctx.Writer.Write(model.ThresholdQuantile);
            ctx.Writer.Write(model.TrainingThreshold);
        }

        public static (SharedAutoencoderModelParameters Autoencoder, float[] Mean, double Quantile, float Threshold) Read(IHost host, ModelLoadContext ctx)
        {
            int n = ctx.Reader.ReadInt32();
            int m = ctx.Reader.ReadInt32();
            host.CheckDecode(n > 0 && m > 0 && (long)n * m <= 0x7FFFFFC7, $"The model's sizes n = {n}, m = {m} are impossible.");
            int activation = ctx.Reader.ReadInt32();
            host.CheckDecode(Enum.IsDefined((AutoencoderActivation)activation), $"The model's activation code {activation} is unknown.");
            float lambda = ctx.Reader.ReadSingle();
            host.CheckDecode(float.IsFinite(lambda) && lambda > 0, $"The model's activation threshold {lambda} is not positive and finite.");
            float[] weights = ctx.Reader.ReadSingleArray(n * m);
            host.CheckDecode(TensorPrimitives.IsFiniteAll(weights), "The model's weights contain NaN or infinity.");
            for (int i = 0; i < m; i++)
            {
                double norm = Math.Sqrt(TensorPrimitives.SumOfSquares(weights.AsSpan(i * n, n)));
                if (!(Math.Abs(norm - 1) <= UnitNormTolerance))
                    throw host.ExceptDecode($"The model's weight column {i} has norm {norm:G6}; trained columns have unit norm. The file is damaged.");
            }
            float[] bias = ctx.Reader.ReadSingleArray(m);
            host.CheckDecode(TensorPrimitives.IsFiniteAll(bias), "The model's bias contains NaN or infinity.");
            float[] mean = ctx.Reader.ReadSingleArray(n);
            host.CheckDecode(TensorPrimitives.IsFiniteAll(mean), "The model's mean contains NaN or infinity.");
            double quantile = ctx.Reader.ReadDouble();
            host.CheckDecode(quantile > 0 && quantile <= 1, $"The model's threshold quantile {quantile} is not in (0, 1].");
            float threshold = ctx.Reader.ReadSingle();
            host.CheckDecode(float.IsFinite(threshold), $"The model's training threshold {threshold} is not finite.");
            var autoencoder = new SharedAutoencoderModelParameters(n, weights, bias, (AutoencoderActivation)activation, lambda);
            return (autoencoder, mean, quantile, threshold);
        }
    }
}
