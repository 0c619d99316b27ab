using System;
using System.IO;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SharedAutoencoder.Examples.Common
{
    /// <summary>
    /// The one place the examples create an <see cref="MLContext"/>: the library reports what a user must know (a loss
    /// that crept up, units that never fire, a step size halved many times) as warnings on <see cref="MLContext.Log"/>,
    /// which nobody sees unless someone listens; here they go to the command's error stream.
    /// </summary>
    internal static class Contexts
    {
        /// <summary>A context whose warnings and errors are written to <paramref name="error"/> as "warning: ..." lines.</summary>
        public static MLContext Create(int? seed, TextWriter error)
        {
            var mlContext = new MLContext(seed);
            mlContext.Log += (_, e) =>
            {
                if (e.Kind is not (ChannelMessageKind.Warning or ChannelMessageKind.Error))
                    return;
                // Fits may run on several threads (reproduce), each with its own context; a TextWriter is not thread-safe.
                lock (error)
                    error.WriteLine($"{(e.Kind == ChannelMessageKind.Error ? "error" : "warning")}: {e.Source}: {e.RawMessage}");
            };
            return mlContext;
        }
    }
}
