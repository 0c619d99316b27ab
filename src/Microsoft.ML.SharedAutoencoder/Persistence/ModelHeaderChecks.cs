using System.IO;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SharedAutoencoder.Persistence
{
    /// <summary>
    /// Checks a component's ML.NET model header and the start of its data before ML.NET's own code reads them, so that a
    /// newer format or a damaged column count fails with a message naming this package rather than ML.NET.
    /// </summary>
    internal static class ModelHeaderChecks
    {
        /// <summary>
        /// Refuses a model written by a newer format of this package with a message saying which package to update
        /// (ML.NET's own check names ML.NET's version), then runs ML.NET's version check.
        /// </summary>
        /// <param name="ectx">Where the exception is raised.</param>
        /// <param name="ctx">The load context, positioned at the component's model.</param>
        /// <param name="version">The component's version information.</param>
        /// <param name="what">The component, for the message ("model", "whitening model").</param>
        public static void CheckVersion(IExceptionContext ectx, ModelLoadContext ctx, VersionInfo version, string what)
        {
            if (ctx.Header.ModelSignature == version.ModelSignature && ctx.Header.ModelVerReadable > version.VerWrittenCur)
            {
                throw ectx.ExceptDecode($"The {what} was written in format 0x{ctx.Header.ModelVerWritten:X8} of {typeof(ModelHeaderChecks).Assembly.GetName().Name}, "
                    + $"readable only from format 0x{ctx.Header.ModelVerReadable:X8}; this version reads formats up to 0x{version.VerWrittenCur:X8}. Update the package to load the model.");
            }
            ctx.CheckAtModel(version);
        }

        /// <summary>
        /// Checks the column count that ML.NET's <c>OneToOneTransformerBase</c> reads and allocates without a check (a
        /// negative count is an <c>OverflowException</c>, a huge one allocates gigabytes). The stream is left where it was.
        /// </summary>
        /// <param name="ectx">Where the exception is raised.</param>
        /// <param name="ctx">The load context, positioned at the transformer's data.</param>
        /// <param name="minimum">The fewest columns the transformer has.</param>
        /// <param name="maximum">The most columns the transformer has.</param>
        /// <param name="what">The transformer, for the message ("a shared autoencoder", "a whitening model").</param>
        public static void CheckColumnCount(IExceptionContext ectx, ModelLoadContext ctx, int minimum, int maximum, string what)
        {
            Stream stream = ctx.Reader.BaseStream;
            long start = stream.Position;
            ectx.CheckDecode(ctx.FpMin + ctx.Header.FpModel + ctx.Header.CbModel - start >= sizeof(int), "The model file is damaged: the transformer's data are empty.");
            int count = ctx.Reader.ReadInt32();
            stream.Position = start;
            string range = minimum == maximum ? $"exactly {minimum}" : $"{minimum} to {maximum}";
            ectx.CheckDecode(count >= minimum && count <= maximum, $"The model has {count} output columns; {what} has {range}.");
        }
    }
}
