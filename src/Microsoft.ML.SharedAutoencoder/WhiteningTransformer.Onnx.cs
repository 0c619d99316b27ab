using System;
using System.Collections.Generic;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SharedAutoencoder
{
    // ONNX export (mlContext.Model.ConvertToOnnx), as for SharedAutoencoderTransformer: the row mapper writes its nodes
    // into the converter's graph.
    public sealed partial class WhiteningTransformer
    {
        /// <summary>The oldest ONNX operator set the exported graph is valid in (Sub-7, MatMul-9, Flatten-9).</summary>
        internal const int OnnxMinimumOpSet = 9;

        private sealed partial class Mapper : ISaveAsOnnx
        {
            // Always true: SaveAsOnnx throws a clear error rather than let ML.NET fail later naming no step.
            bool ICanSaveOnnx.CanSaveOnnx(OnnxContext ctx) => true;

            /// <remarks>
            /// z = MatMul(Sub(x, μ), Wᵀ), x flattened to [N, n] if it has more dimensions. A NaN or an infinity in a row
            /// flows through the same subtraction and products as in <see cref="Whitening.WhiteningParameters.Apply"/>,
            /// so the row's outputs are NaN or infinite exactly where ML.NET's are.
            /// </remarks>
            void ISaveAsOnnx.SaveAsOnnx(OnnxContext ctx)
            {
                Host.CheckValue(ctx, nameof(ctx));
                const string prefix = "Whitening.";
                string input = _transformer.InputColumnName;
                string output = _transformer.OutputColumnName;
                if (!ctx.ContainsColumn(input))
                {
                    // An earlier step could not be exported: leave the output undefined, as ML.NET's transforms do.
                    ctx.RemoveColumn(output, false);
                    return;
                }
                ctx.CheckOpSetVersion(OnnxMinimumOpSet, LoaderSignature);
                var parameters = _transformer._parameters;
                int n = parameters.InputSize;
                int outputs = parameters.OutputSize;

                string x = ctx.GetVariableName(input);
                List<long>? shape = ctx.RetrieveShapeOrNull(x);
                if (!(shape is { Count: 2 } && shape[1] == n))
                {
                    string flat = ctx.AddIntermediateVariable(NumberDataViewType.Single, prefix + "Input", skip: true);
                    ctx.CreateNode("Flatten", x, flat, ctx.GetNodeName(prefix + "Flatten"), "").AddAttribute("axis", 1L);
                    x = flat;
                }
                string mean = ctx.AddInitializer(parameters.Mean.ToArray(), new long[] { n }, prefix + "Mean");
                string centered = ctx.AddIntermediateVariable(NumberDataViewType.Single, prefix + "Centered", skip: true);
                ctx.CreateNode("Sub", new[] { x, mean }, new[] { centered }, ctx.GetNodeName(prefix + "Sub"), "");

                // MatMul needs Wᵀ ([n, outputs]); Gemm could take W with transB but needs a bias input before opset 11.
                var transposed = new float[n * outputs];
                ReadOnlySpan<float> matrix = parameters.Matrix;
                for (int i = 0; i < outputs; i++)
                {
                    for (int j = 0; j < n; j++)
                        transposed[j * outputs + i] = matrix[i * n + j];
                }
                string weights = ctx.AddInitializer(transposed, new long[] { n, outputs }, prefix + "MatrixTransposed");
                // The column variable is declared after the input is read: the output may reuse the input's name.
                string destination = ctx.AddIntermediateVariable(new VectorDataViewType(NumberDataViewType.Single, outputs), output);
                ctx.CreateNode("MatMul", new[] { centered, weights }, new[] { destination }, ctx.GetNodeName(prefix + "MatMul"), "");
            }
        }
    }
}
