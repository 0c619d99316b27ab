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

        /// <summary>
        /// The oldest opset for <see cref="CodeEncoding.TopK"/>: TopK-11 (k as an input, ties to the lower index, as
        /// <c>TopKSelection</c>) and ScatterElements-11.
        /// </summary>
        internal const int OnnxTopKMinimumOpSet = 11;

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
        /// Graph (y: the input, flattened to [N, n] if it has more dimensions, then normalized to (y − μ)/s when the model
        /// normalizes; W: the unit-major weights, shape [m, n]): z = Gemm(y, W, b, transB) = yWᵀ + b; x = σ(z) + MatMul(y, 0ₙₓ₁); ŷ = MatMul(x, W) (then s·ŷ + μ);
        /// e = ½·ReduceSumSquare(y − ŷ) on the input as given.
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

            /// <summary>Whether the code is a top-k selection: the TopK encoding, or the top-k activation as its own code.</summary>
            private bool UsesTopK => _model.Encoding.Kind == CodeEncoding.TopK
                || (_model.Encoding.Kind == CodeEncoding.Activation && _model.Activation == AutoencoderActivation.TopK);

            /// <summary>Writes every output column of the transformer, reading the graph variable <paramref name="input"/>.</summary>
            public void Write(string input)
            {
                CheckExportable();
                string y = FlatInput(input);
                string normalized = Normalized(y);
                // The column variables are declared only after every input is read: an output column may reuse the input's name.
                string code = Code(normalized, Declare(OutputKind.Code));
                if (!Has(OutputKind.Reconstruction) && !Has(OutputKind.ReconstructionError))
                    return;
                string reconstruction = Reconstruction(code, Has(OutputKind.Reconstruction) ? Declare(OutputKind.Reconstruction) : Intermediate("Reconstruction"));
                if (Has(OutputKind.ReconstructionError))
                    ReconstructionError(y, reconstruction, Declare(OutputKind.ReconstructionError));
            }

            // What makes the export impossible as a whole is checked before the first node is written: OMP iterates per
            // row (no static-graph form); TopK needs opset 11.
            private void CheckExportable()
            {
                if (_model.Encoding.Kind == CodeEncoding.OrthogonalMatchingPursuit)
                {
                    throw NotExportable("its encoding step OrthogonalMatchingPursuit (a greedy, per-row iterative solver) has no ONNX form. "
                        + "Export a model with Encoding = SoftThreshold or TopK, or encode with ML.NET.");
                }
                _ctx.CheckOpSetVersion(UsesTopK ? OnnxTopKMinimumOpSet : OnnxMinimumOpSet, LoaderSignature);
            }

            /// <summary>x = encode(z) + (0 for a finite row, NaN otherwise), written to <paramref name="destination"/>.</summary>
            private string Code(string y, string destination)
            {
                string z = Preactivation(y);
                string encoded = _model.Encoding.Kind switch
                {
                    CodeEncoding.SoftThreshold => SoftThreshold(z),
                    CodeEncoding.TopK => TopK(z, _model.Encoding.ActiveUnits),
                    // The top-k activation is the TopK encoding with the model's k (split: among the 2m values), as CodeEncoder.
                    _ when _model.Activation == AutoencoderActivation.TopK => TopK(z, _model.ActiveUnits),
                    _ when _model.Encoding.SplitPolarity => PositivePartOfActivation(z),
                    _ => Activation(z),
                };
                Node("Add", new[] { encoded, NonFiniteRows(y) }, destination);
                return destination;
            }

            /// <summary>
            /// z = yWᵀ + b, shape [N, m]; split: [yWᵀ + b, −yWᵀ + b], shape [N, 2m] (Gemm's alpha = −1 negates the
            /// projections, not the bias, as <c>CodeEncoder</c> does).
            /// </summary>
            private string Preactivation(string y)
            {
                string bias = _ctx.AddInitializer(_model.BiasSpan.ToArray(), new long[] { _model.HiddenUnits }, Prefix + "Bias");
                string z = Intermediate("Preactivation");
                Node("Gemm", new[] { y, Weights(), bias }, z).AddAttribute("transB", 1L);
                if (!_model.Encoding.SplitPolarity)
                    return z;
                string mirrored = Intermediate("MirroredPreactivation");
                var gemm = Node("Gemm", new[] { y, Weights(), bias }, mirrored);
                gemm.AddAttribute("transB", 1L);
                gemm.AddAttribute("alpha", -1f);
                string both = Intermediate("SplitPreactivation");
                Node("Concat", new[] { z, mirrored }, both).AddAttribute("axis", 1L);
                return both;
            }

            /// <summary>max(0, u − α) (the same two float operations as <c>CodeEncoder</c>).</summary>
            private string SoftThreshold(string u)
            {
                string shifted = Intermediate("Shifted");
                Node("Sub", new[] { u, _ctx.AddInitializer(_model.Encoding.Threshold, Prefix + "EncodingThreshold") }, shifted);
                return Relu(shifted);
            }

            /// <summary>σ⁺(u): u where u &gt; 0 (ReLU) or u &gt; max(0, λ) (hard threshold), else 0.</summary>
            private string PositivePartOfActivation(string u)
            {
                if (_model.Activation == AutoencoderActivation.Relu)
                    return Relu(u);
                string fires = Intermediate("Fires");
                Node("Greater", new[] { u, _ctx.AddInitializer(Math.Max(0f, _model.Threshold), Prefix + "Floor") }, fires);
                string x = Intermediate("PositivePart");
                Node("Where", new[] { fires, u, _ctx.AddInitializer(0f, Prefix + "Zero") }, x);
                return x;
            }

            /// <summary>
            /// The k largest values of each row kept, the rest 0, then only positive ones (Relu), as <c>TopKSelection</c>:
            /// TopK gives the values and their indices (ties to the lower index), ScatterElements writes them into zeros.
            /// </summary>
            private string TopK(string u, int activeUnits)
            {
                string k = _ctx.AddInitializer(new long[] { activeUnits }, new long[] { 1 }, Prefix + "ActiveUnits");
                string values = Intermediate("TopKValues");
                string indices = _ctx.AddIntermediateVariable(NumberDataViewType.Int64, Prefix + "TopKIndices", skip: true);
                var topK = _ctx.CreateNode("TopK", new[] { u, k }, new[] { values, indices }, _ctx.GetNodeName(Prefix + "TopK"), "");
                topK.AddAttribute("axis", 1L);
                topK.AddAttribute("largest", 1L);
                topK.AddAttribute("sorted", 1L);
                string zeros = Intermediate("Zeros");
                Node("Mul", new[] { u, _ctx.AddInitializer(0f, Prefix + "ZeroScale") }, zeros);
                string kept = Intermediate("TopKKept");
                Node("ScatterElements", new[] { zeros, indices, values }, kept).AddAttribute("axis", 1L);
                return Relu(kept);
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

            /// <summary>
            /// The input as the model encodes it: (y − μ)/s when the model normalizes (Sub then Div, the same two float
            /// operations as <c>InputNormalizer</c>), y itself otherwise.
            /// </summary>
            private string Normalized(string y)
            {
                if (_model.Normalizer is not { } normalizer)
                    return y;
                string centered = Intermediate("Centered");
                Node("Sub", new[] { y, _ctx.AddInitializer(normalizer.Center.ToArray(), new long[] { _model.InputSize }, Prefix + "Center") }, centered);
                string scaled = Intermediate("Normalized");
                Node("Div", new[] { centered, _ctx.AddInitializer(normalizer.Scale, Prefix + "Scale") }, scaled);
                return scaled;
            }

            /// <summary>
            /// ŷ = xW (W unit-major is the decoder's [m, n] matrix as it is); a split code [x⁺, x⁻] times [W; −W]; back in
            /// input units (s·xW + μ) when the model normalizes.
            /// </summary>
            private string Reconstruction(string code, string destination)
            {
                string decoder = Weights();
                if (_model.Encoding.SplitPolarity)
                {
                    int n = _model.InputSize, m = _model.HiddenUnits;
                    float[] both = new float[2 * m * n];
                    _model.WeightsUnitMajor.CopyTo(both);
                    for (int i = 0; i < m * n; i++)
                        both[m * n + i] = -both[i];
                    decoder = _ctx.AddInitializer(both, new long[] { 2 * m, n }, Prefix + "SplitDecoder");
                }
                if (_model.Normalizer is not { } normalizer)
                {
                    Node("MatMul", new[] { code, decoder }, destination);
                    return destination;
                }
                string decoded = Intermediate("NormalizedReconstruction");
                Node("MatMul", new[] { code, decoder }, decoded);
                string scaled = Intermediate("ScaledReconstruction");
                Node("Mul", new[] { decoded, _ctx.AddInitializer(normalizer.Scale, Prefix + "ReconstructionScale") }, scaled);
                Node("Add", new[] { scaled, _ctx.AddInitializer(normalizer.Center.ToArray(), new long[] { _model.InputSize }, Prefix + "ReconstructionCenter") }, destination);
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
                    OutputKind.Code => new VectorDataViewType(NumberDataViewType.Single, _model.CodeLength),
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
