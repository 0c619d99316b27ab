using System;
using System.Collections.Generic;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SharedAutoencoder
{
    // ONNX export (mlContext.Model.ConvertToOnnx, package Microsoft.ML.OnnxConverter). ML.NET's converter asks each step
    // of the transformed data view's chain to write itself into the graph; the row mapper below is that step for
    // this transformer. The core package needs no ONNX dependency: the interfaces live in Microsoft.ML.Data.
    public sealed partial class SharedAutoencoderTransformer
    {
        /// <summary>
        /// The oldest ONNX operator set the exported graph is valid in (Gemm-9, Greater-9, Where-9, Flatten-9; the other
        /// operators are older). ML.NET's converter writes opsets 9 to 12, so every opset it offers works.
        /// </summary>
        internal const int OnnxMinimumOpSet = 9;

        private sealed partial class Mapper : ISaveAsOnnx
        {
            // Always true, on purpose: answering false makes ML.NET log a warning on a channel nobody sees and fail later
            // with a generic "can not be fully converted" that names no step. SaveAsOnnx throws a clear error instead.
            bool ICanSaveOnnx.CanSaveOnnx(OnnxContext ctx) => true;

            void ISaveAsOnnx.SaveAsOnnx(OnnxContext ctx)
            {
                Host.CheckValue(ctx, nameof(ctx));
                var columns = _transformer.ColumnPairs;
                string input = columns[0].inputColumnName;
                if (!ctx.ContainsColumn(input))
                {
                    // An earlier step could not be exported: as ML.NET's own transforms do, leave the outputs undefined so
                    // the converter reports the pipeline as not fully convertible (or drops them if they are not kept).
                    foreach (var (outputColumnName, _) in columns)
                        ctx.RemoveColumn(outputColumnName, false);
                    return;
                }
                new OnnxGraphWriter(_transformer, ctx).Write(ctx.GetVariableName(input));
            }
        }

        /// <summary>
        /// Writes one transformer's nodes: one method per output kind and, within the code, one per encoding, so a new
        /// encoding adds a method and a case in <see cref="Activation"/>.
        /// </summary>
        /// <remarks>
        /// Graph (y: the input, flattened to [N, n] if it has more dimensions; W: the unit-major weights, shape [m, n]):
        /// z = Gemm(y, W, b, transB) = yWᵀ + b; x = σ(z) + MatMul(y, 0ₙₓ₁); ŷ = MatMul(x, W); e = ½·ReduceSumSquare(y − ŷ).
        /// MatMul(y, 0) is 0 for a finite row and NaN for a row with a NaN or an infinity (0·∞ = NaN), so such a row's code,
        /// reconstruction and error are all NaN, exactly as in ML.NET. W is stored once and serves both encoder and decoder.
        /// </remarks>
        private sealed class OnnxGraphWriter
        {
            private const string Prefix = "SharedAutoencoder.";

            private readonly SharedAutoencoderTransformer _parent;
            private readonly OnnxContext _ctx;
            private readonly SharedAutoencoderModelParameters _model;
            private string? _weights;

            public OnnxGraphWriter(SharedAutoencoderTransformer parent, OnnxContext ctx)
            {
                _parent = parent;
                _ctx = ctx;
                _model = parent.Model;
            }

            private string CodeColumnName => _parent.ColumnPairs[0].outputColumnName;

            /// <summary>Writes every output column of the transformer, reading the graph variable <paramref name="input"/>.</summary>
            public void Write(string input)
            {
                CheckExportable();
                string y = FlatInput(input);
                // The column variables are declared only after every input is read: an output column may reuse the input's name.
                string code = Code(y, Declare(OutputKind.Code));
                if (!Has(OutputKind.Reconstruction) && !Has(OutputKind.ReconstructionError))
                    return;
                string reconstruction = Reconstruction(code, Has(OutputKind.Reconstruction) ? Declare(OutputKind.Reconstruction) : Intermediate("Reconstruction"));
                if (Has(OutputKind.ReconstructionError))
                    ReconstructionError(y, reconstruction, Declare(OutputKind.ReconstructionError));
            }

            // What makes the export impossible as a whole is checked before the first node is written. An encoding that
            // needs a newer operator (e.g. TopK with k as an input: opset 10) raises the minimum here.
            private void CheckExportable() => _ctx.CheckOpSetVersion(OnnxMinimumOpSet, LoaderSignature);

            /// <summary>x = σ(z) + (0 for a finite row, NaN otherwise), written to <paramref name="destination"/>.</summary>
            private string Code(string y, string destination)
            {
                string activated = Activation(Preactivation(y));
                Node("Add", new[] { activated, NonFiniteRows(y) }, destination);
                return destination;
            }

            /// <summary>z = yWᵀ + b, shape [N, m].</summary>
            private string Preactivation(string y)
            {
                string bias = _ctx.AddInitializer(_model.BiasSpan.ToArray(), new long[] { _model.HiddenUnits }, Prefix + "Bias");
                string z = Intermediate("Preactivation");
                Node("Gemm", new[] { y, Weights(), bias }, z).AddAttribute("transB", 1L);
                return z;
            }

            /// <summary>σ(z), one method per encoding.</summary>
            private string Activation(string z) => _model.Activation switch
            {
                AutoencoderActivation.Relu => Relu(z),
                AutoencoderActivation.HardThreshold => HardThreshold(z),
                // An encoding with no static-graph form (e.g. one that iterates per row) throws here, naming itself.
                _ => throw NotExportable($"its activation {_model.Activation} has no ONNX form in this version of the package."),
            };

            /// <summary>max(0, z).</summary>
            private string Relu(string z)
            {
                string x = Intermediate("Relu");
                Node("Relu", z, x);
                return x;
            }

            /// <summary>z where |z| &gt; λ, else 0 (the same strict comparison as <c>EncoderActivation.IsActive</c>).</summary>
            private string HardThreshold(string z)
            {
                string magnitude = Intermediate("Magnitude");
                Node("Abs", z, magnitude);
                string fires = Intermediate("Fires");
                Node("Greater", new[] { magnitude, _ctx.AddInitializer(_model.Threshold, Prefix + "Threshold") }, fires);
                string x = Intermediate("HardThreshold");
                Node("Where", new[] { fires, z, _ctx.AddInitializer(0f, Prefix + "Zero") }, x);
                return x;
            }

            /// <summary>[N, 1]: 0 for a row whose values are all finite, NaN for any other (NaN·0 = ∞·0 = NaN).</summary>
            private string NonFiniteRows(string y)
            {
                string zeros = _ctx.AddInitializer(new float[_model.InputSize], new long[] { _model.InputSize, 1 }, Prefix + "ZeroColumn");
                string poison = Intermediate("NonFiniteRows");
                Node("MatMul", new[] { y, zeros }, poison);
                return poison;
            }

            /// <summary>ŷ = xW (W unit-major is the decoder's [m, n] matrix as it is).</summary>
            private string Reconstruction(string code, string destination)
            {
                Node("MatMul", new[] { code, Weights() }, destination);
                return destination;
            }

            /// <summary>½‖y − ŷ‖² per row, shape [N, 1] as ML.NET declares a scalar column.</summary>
            private void ReconstructionError(string y, string reconstruction, string destination)
            {
                string residual = Intermediate("Residual");
                Node("Sub", new[] { y, reconstruction }, residual);
                string squaredNorm = Intermediate("SquaredNorm");
                // keepdims defaults to 1: [N, 1].
                Node("ReduceSumSquare", residual, squaredNorm).AddAttribute("axes", new long[] { 1 });
                Node("Mul", new[] { squaredNorm, _ctx.AddInitializer(0.5f, Prefix + "Half") }, destination);
            }

            /// <summary>The input as [N, n]: an image-shaped column ([N, h, w]) is flattened, as ML.NET reads it.</summary>
            private string FlatInput(string input)
            {
                List<long>? shape = _ctx.RetrieveShapeOrNull(input);
                if (shape is { Count: 2 } && shape[1] == _model.InputSize)
                    return input;
                string flat = Intermediate("Input");
                Node("Flatten", input, flat).AddAttribute("axis", 1L);
                return flat;
            }

            private string Weights() => _weights ??= _ctx.AddInitializer(_model.WeightsUnitMajor.ToArray(),
                new long[] { _model.HiddenUnits, _model.InputSize }, Prefix + "Weights");

            private bool Has(OutputKind kind) => Array.IndexOf(_parent._kinds, kind) >= 0;

            // A column variable, typed as the ML.NET column so the converter declares the graph output's shape.
            private string Declare(OutputKind kind)
            {
                int c = Array.IndexOf(_parent._kinds, kind);
                DataViewType type = kind switch
                {
                    OutputKind.Code => new VectorDataViewType(NumberDataViewType.Single, _model.HiddenUnits),
                    OutputKind.Reconstruction => new VectorDataViewType(NumberDataViewType.Single, _model.InputSize),
                    _ => NumberDataViewType.Single,
                };
                return _ctx.AddIntermediateVariable(type, _parent.ColumnPairs[c].outputColumnName);
            }

            // An internal variable: its shape is left to the runtime (skip), as ML.NET's own transforms do.
            private string Intermediate(string name) => _ctx.AddIntermediateVariable(NumberDataViewType.Single, Prefix + name, skip: true);

            private OnnxNode Node(string opType, string input, string output) => Node(opType, new[] { input }, output);

            private OnnxNode Node(string opType, string[] inputs, string output)
                => _ctx.CreateNode(opType, inputs, new[] { output }, _ctx.GetNodeName(Prefix + opType), "");

            private Exception NotExportable(string reason)
                => _parent.Host.ExceptNotSupp($"The SharedAutoencoder step (code column '{CodeColumnName}') cannot be exported to ONNX: {reason}");
        }
    }
}
