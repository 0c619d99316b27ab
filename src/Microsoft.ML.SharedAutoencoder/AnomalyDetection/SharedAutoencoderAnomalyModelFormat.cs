using System;
using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder.Persistence;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// The binary format of <see cref="SharedAutoencoderAnomalyModelParameters"/>, version 0x00010002.
    /// </summary>
    /// <remarks>
    /// Versioning as in <see cref="SharedAutoencoderTransformer"/>: ML.NET's model header stores the version written and
    /// the oldest version able to read it; every format change bumps verWrittenCur, a change older code cannot read also
    /// bumps verReadableCur. Versions: 0x00010001 had no checksum and is still read; 0x00010002 appends it. Load checks
    /// every length against the bytes left before reading (Persistence/PayloadReader), every field's range, then the
    /// checksum, and fails with a FormatException rather than build a model from a damaged file. All values little-endian.
    /// <code>
    /// int: sizeof(float) = 4                         (ModelParametersBase)
    /// int: n, the input dimension (&gt; 0)            (Persistence/AutoencoderPayload, as in the transformer)
    /// int: m, the number of hidden units (&gt; 0)
    /// int: activation (0 ReLU, 1 hard threshold, 2 top-k)
    /// float: threshold λ of the activation (finite, &gt; 0); for top-k its k (a whole number in [1, m])
    /// float[m·n]: W, unit-major, no count; finite, every column of unit norm (to within 1e-4)
    /// float[m]: b, no count; finite
    /// float[n]: μ, the training mean, no count; finite (zeros: not centered)
    /// double: the threshold quantile, in (0, 1]
    /// float: the training threshold (finite)
    /// uint: CRC-32 (Persistence/PayloadChecksum, no column names) of every byte above after sizeof(float). (From 0x00010002.)
    /// </code>
    /// </remarks>
    internal static class SharedAutoencoderAnomalyModelFormat
    {
        private const uint FormatInitial = 0x00010001;
        private const uint FormatChecksum = 0x00010002;

        public static VersionInfo GetVersionInfo() => new VersionInfo(
            modelSignature: "SHAEANOM",
            verWrittenCur: FormatChecksum,
            verReadableCur: FormatChecksum,
            verWeCanReadBack: FormatInitial,
            loaderSignature: SharedAutoencoderAnomalyModelParameters.LoaderSignature,
            loaderAssemblyName: typeof(SharedAutoencoderAnomalyModelParameters).Assembly.FullName);

        public static void Write(ModelSaveContext ctx, SharedAutoencoderAnomalyModelParameters model)
        {
            var payload = new PayloadWriter(ctx.Writer, Array.Empty<(string, string)>());
            AutoencoderPayload.Write(payload, model.Autoencoder);
            payload.Write(model.MeanSpan);
            payload.Write(model.ThresholdQuantile);
            payload.Write(model.TrainingThreshold);
            payload.WriteChecksum();
        }

        public static (SharedAutoencoderModelParameters Autoencoder, float[] Mean, double Quantile, float Threshold) Read(IHost host, ModelLoadContext ctx)
        {
            var payload = new PayloadReader(host, ctx, Array.Empty<(string, string)>());
            SharedAutoencoderModelParameters autoencoder = AutoencoderPayload.Read(host, payload);
            float[] mean = payload.ReadSingles(autoencoder.InputSize, "the mean");
            host.CheckDecode(TensorPrimitives.IsFiniteAll(mean), "The model's mean contains NaN or infinity.");
            double quantile = payload.ReadDouble("the threshold quantile");
            host.CheckDecode(quantile > 0 && quantile <= 1, $"The model's threshold quantile {quantile} is not in (0, 1].");
            float threshold = payload.ReadSingle("the training threshold");
            host.CheckDecode(float.IsFinite(threshold), $"The model's training threshold {threshold} is not finite.");
            if (ctx.Header.ModelVerWritten >= FormatChecksum)
                payload.VerifyChecksum();
            payload.RequireEnd();
            return (autoencoder, mean, quantile, threshold);
        }
    }
}
