using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Internal.Utilities;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Persistence;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Training;

[assembly: LoadableClass(typeof(SharedAutoencoderTransformer), null, typeof(SignatureLoadModel),
    SharedAutoencoderTransformer.UserName, SharedAutoencoderTransformer.LoaderSignature)]

[assembly: LoadableClass(typeof(IDataTransform), typeof(SharedAutoencoderTransformer), null, typeof(SignatureLoadDataTransform),
    SharedAutoencoderTransformer.UserName, SharedAutoencoderTransformer.LoaderSignature)]

[assembly: LoadableClass(typeof(IRowMapper), typeof(SharedAutoencoderTransformer), null, typeof(SignatureLoadRowMapper),
    SharedAutoencoderTransformer.UserName, SharedAutoencoderTransformer.LoaderSignature)]

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// A trained tied-weight autoencoder as an ML.NET transformer: maps a float vector column y to its code
    /// x = σ(Wᵀy + b) (a sparse vector: zeros are not stored), and optionally to the reconstruction ŷ = Wx and the
    /// reconstruction error ½‖y − ŷ‖². Produced by <see cref="SharedAutoencoderEstimator"/>; saved and loaded with
    /// <c>mlContext.Model.SaveAtomically</c> (or <c>Save</c>) and <c>mlContext.Model.LoadSharedAutoencoder</c> (or <c>Load</c>).
    /// Safe to use from many threads.
    /// </summary>
    public sealed partial class SharedAutoencoderTransformer : OneToOneTransformerBase
    {
        internal const string UserName = "Shared Autoencoder Transform";
        internal const string LoaderSignature = "SharedAutoencoder";

        /// <summary>
        /// The output columns. The code column holds the model's <see cref="SharedAutoencoderModelParameters.Encoding"/> of
        /// y. The reconstruction ŷ = Wx and its error ½‖y − ŷ‖² decode that same code (a split code [x⁺, x⁻] as
        /// x⁺ − x⁻): they say how much of y the emitted features keep. That is the meaningful choice for every encoding:
        /// for <see cref="CodeEncoding.OrthogonalMatchingPursuit"/> it is the least-squares k-sparse approximation, for
        /// <see cref="CodeEncoding.TopK"/> the k-sparse autoencoder's reconstruction, for the default encoding the
        /// autoencoder's own; for <see cref="CodeEncoding.SoftThreshold"/> it includes the shrinkage by α (an anomaly
        /// score on the features used downstream, not on a code no column shows).
        /// </summary>
        internal enum OutputKind
        {
            Code = 0,
            Reconstruction = 1,
            ReconstructionError = 2,
        }

        internal readonly record struct OutputColumn(string Name, string InputName, OutputKind Kind);

        private readonly OutputKind[] _kinds;

        internal SharedAutoencoderTransformer(IHostEnvironment env, SharedAutoencoderModelParameters model, TrainingHistory history, OutputColumn[] columns)
            : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(SharedAutoencoderTransformer)), columns.Select(c => (c.Name, c.InputName)).ToArray())
        {
            Model = model;
            History = history;
            _kinds = columns.Select(c => c.Kind).ToArray();
        }

        private SharedAutoencoderTransformer(IHost host, ModelLoadContext ctx)
            : base(host, ctx)
        {
            (Model, History, _kinds) = LoadParameters(host, ctx, ColumnPairs);
        }

        /// <summary>The learned parameters: W, b, the activation, n and m.</summary>
        public SharedAutoencoderModelParameters Model { get; }

        /// <summary>The training record: loss, learning rate, activity and undone steps per iteration.</summary>
        public TrainingHistory History { get; }

        /// <summary>The name of the input column (y).</summary>
        public string InputColumnName => ColumnPairs[0].inputColumnName;

        /// <summary>The name of the code column (x).</summary>
        public string OutputColumnName => ColumnPairs[0].outputColumnName;

        // Format versions: 0x00010001 initial; 0x00010002 adds the payload checksum (older code cannot read it);
        // 0x00010003 adds the code encoding (older code cannot read it); 0x00010004 adds the input normalization (older
        // code cannot read it).
        private const uint FormatInitial = 0x00010001;
        private const uint FormatChecksum = 0x00010002;
        private const uint FormatEncoding = 0x00010003;
        private const uint FormatNormalization = 0x00010004;

        private static VersionInfo GetVersionInfo() => new VersionInfo(
            modelSignature: "SHAUTOEN",
            verWrittenCur: FormatNormalization,
            verReadableCur: FormatNormalization,
            verWeCanReadBack: FormatInitial,
            loaderSignature: LoaderSignature,
            loaderAssemblyName: typeof(SharedAutoencoderTransformer).Assembly.FullName);

        // Factory method for SignatureLoadModel.
        private static SharedAutoencoderTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
        {
            Contracts.CheckValue(env, nameof(env));
            var host = env.Register(nameof(SharedAutoencoderTransformer));
            host.CheckValue(ctx, nameof(ctx));
            // ML.NET's own check (CheckAtModel) names ML.NET's version, not this package's: say which one to update.
            VersionInfo version = GetVersionInfo();
            if (ctx.Header.ModelSignature == version.ModelSignature && ctx.Header.ModelVerReadable > version.VerWrittenCur)
            {
                throw host.ExceptDecode($"The model was written in format 0x{ctx.Header.ModelVerWritten:X8} of {typeof(SharedAutoencoderTransformer).Assembly.GetName().Name}, "
                    + $"readable only from format 0x{ctx.Header.ModelVerReadable:X8}; this version reads formats up to 0x{version.VerWrittenCur:X8}. Update the package to load the model.");
            }
            ctx.CheckAtModel(version);
            CheckColumnCount(host, ctx);
            return new SharedAutoencoderTransformer(host, ctx);
        }

        // ML.NET's base class reads the column count and allocates that many pairs without a check (a negative count is
        // an OverflowException): look at it first.
        private static void CheckColumnCount(IHost host, ModelLoadContext ctx)
        {
            Stream stream = ctx.Reader.BaseStream;
            long start = stream.Position;
            host.CheckDecode(ctx.FpMin + ctx.Header.FpModel + ctx.Header.CbModel - start >= sizeof(int), "The model file is damaged: the transformer's data are empty.");
            int count = ctx.Reader.ReadInt32();
            stream.Position = start;
            host.CheckDecode(count >= 1 && count <= 3, $"The model has {count} output columns; a shared autoencoder has 1 to 3.");
        }

        // Factory method for SignatureLoadDataTransform.
        private static IDataTransform Create(IHostEnvironment env, ModelLoadContext ctx, IDataView input)
            => Create(env, ctx).MakeDataTransform(input);

        // Factory method for SignatureLoadRowMapper.
        private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
            => Create(env, ctx).MakeRowMapper(inputSchema);

        /// <summary>Writes the model. The format is described next to the code.</summary>
        protected override void SaveModel(ModelSaveContext ctx)
        {
            Host.CheckValue(ctx, nameof(ctx));
            ctx.CheckAtModel();
            ctx.SetVersionInfo(GetVersionInfo());

            // *** Binary format, version 0x00010004 ***
            // Versioning: ML.NET's model header stores the version written and the oldest version able to read it
            // (GetVersionInfo). Loading refuses a file whose readable version is newer than the code's written version
            // ("the model is too new") and one older than verWeCanReadBack. Every format change bumps verWrittenCur;
            // a change older code cannot read also bumps verReadableCur. Versions: 0x00010001 had no checksum and is
            // still read; 0x00010002 appends the checksum (readable from 0x00010002 on); 0x00010003 stores the encoding after
            // b (readable from 0x00010003 on; older files are read with the encoding Activation, not split); 0x00010004 stores
            // the input normalization after the encoding (readable from 0x00010004 on; older files are read without one).
            // Load checks every field below and fails with a FormatException naming the cause rather than build a
            // model from a damaged file: every length against the bytes left in the model block (before reading or
            // allocating), ranges, enum values, finiteness, unit-norm columns of W, then the checksum.
            // All values little-endian.
            // <base>: int c (number of output columns), then c pairs of string ids (output name, input name)
            // int: kind of each of the c output columns (0 code, 1 reconstruction, 2 reconstruction error); the first is the code
            // int: n, the input dimension (> 0)
            // int: m, the number of hidden units (> 0)
            // int: activation (0 ReLU, 1 hard threshold, 2 top-k: added without a version change, older readers refuse it)
            // float: threshold λ (finite, > 0); for top-k its k instead (a whole number in [1, m]; the model's λ is 0.5)
            // float[m·n]: W, unit-major (hidden unit i's weights at [i·n, (i+1)·n)), no count, all finite, every column of
            //   unit norm (checked on load to within 1e-4)
            // float[m]: b, no count, all finite
            // (from 0x00010003) int: encoding (CodeEncoding: 0 activation, 1 soft threshold, 2 top-k, 3 OMP); byte: split by
            //   polarity (0 or 1); float: α (finite, ≥ 0; 0 unless soft threshold); int: k (0 unless top-k or OMP; then
            //   1 ≤ k ≤ the code length for top-k, ≤ min(n, m) for OMP)
            // (from 0x00010004) byte: normalization (InputNormalization: 0 none, 1 center and scale); when 1: float s (finite,
            //   > 0), float[n] μ (finite)
            // (from 0x00010003) double: dead-unit fraction (in [0, 1], or NaN: not
            //   measured); byte: codes nearly constant (0 or 1)
            // int: stop reason (TrainingStopReason)
            // int: h, the number of history entries (≥ 0), then h entries of
            //   int iteration (≥ 0), double loss (≥ 0, +∞ or NaN: an undone step), float learning rate (finite, ≥ 0),
            //   double active fraction (in [0, 1]), int dead units (in [0, m]), byte undone (0 or 1),
            //   double recovery error (NaN: none), double max column error (NaN: none)
            // uint: CRC-32 (IEEE, as zip) of the column names (for each pair: int length and UTF-16 code units of the
            //   output name, then of the input name) followed by every byte above after <base>. (From 0x00010002.)
            SaveColumns(ctx);
            var payload = new PayloadWriter(ctx.Writer, ColumnPairs);
            foreach (OutputKind kind in _kinds)
                payload.Write((int)kind);
            AutoencoderPayload.Write(payload, Model);
            payload.Write((int)Model.Encoding.Kind);
            payload.Write(Model.Encoding.SplitPolarity ? (byte)1 : (byte)0);
            payload.Write(Model.Encoding.Threshold);
            payload.Write(Model.Encoding.ActiveUnits);
            payload.Write((byte)Model.Normalization);
            if (Model.Normalizer is { } normalizer)
            {
                payload.Write(normalizer.Scale);
                payload.Write(normalizer.Center);
            }
            payload.Write(History.DeadUnitFraction);
            payload.Write(History.CodesNearlyConstant ? (byte)1 : (byte)0);
            payload.Write((int)History.StopReason);
            payload.Write(History.Iterations.Count);
            foreach (TrainingIteration entry in History.Iterations)
            {
                payload.Write(entry.Iteration);
                payload.Write(entry.Loss);
                payload.Write(entry.LearningRate);
                payload.Write(entry.ActiveFraction);
                payload.Write(entry.DeadUnits);
                payload.Write(entry.Undone ? (byte)1 : (byte)0);
                payload.Write(entry.RecoveryError ?? double.NaN);
                payload.Write(entry.MaxColumnError ?? double.NaN);
            }
            payload.WriteChecksum();
        }

        // The bytes of one history entry: int, double, float, double, int, byte, double, double.
        private const int HistoryEntryBytes = 4 + 8 + 4 + 8 + 4 + 1 + 8 + 8;

        private static (SharedAutoencoderModelParameters, TrainingHistory, OutputKind[]) LoadParameters(IHost host, ModelLoadContext ctx,
            (string, string)[] columns)
        {
            host.CheckDecode(columns.Length >= 1 && columns.Length <= 3, $"The model has {columns.Length} output columns; a shared autoencoder has 1 to 3.");
            var payload = new PayloadReader(host, ctx, columns);
            var kinds = new OutputKind[columns.Length];
            for (int c = 0; c < kinds.Length; c++)
            {
                int kind = payload.ReadInt32("a column kind");
                host.CheckDecode(Enum.IsDefined((OutputKind)kind), $"The model's output column kind {kind} is unknown.");
                kinds[c] = (OutputKind)kind;
            }
            host.CheckDecode(kinds[0] == OutputKind.Code && kinds.Distinct().Count() == kinds.Length, "The model's output columns are not a code column and distinct others.");
            bool hasEncoding = ctx.Header.ModelVerWritten >= FormatEncoding;
            bool hasNormalization = ctx.Header.ModelVerWritten >= FormatNormalization;
            SharedAutoencoderModelParameters model = AutoencoderPayload.Read(host, payload,
                hasEncoding ? (n, m) => LoadEncoding(host, payload, n, m) : null,
                hasNormalization ? n => LoadNormalization(host, payload, n) : null);
            var (dead, constant) = hasEncoding ? LoadDiagnostics(host, payload) : (double.NaN, false);
            TrainingHistory history = LoadHistory(host, payload, model.HiddenUnits).WithDiagnostics(dead, constant);
            if (ctx.Header.ModelVerWritten >= FormatChecksum)
                payload.VerifyChecksum();
            host.CheckDecode(payload.Remaining == 0, $"The model file is damaged: {payload.Remaining} bytes follow the transformer's data.");
            return (model, history, kinds);
        }

        private static InputNormalizer? LoadNormalization(IHost host, PayloadReader payload, int n)
        {
            byte kind = payload.ReadByte("the normalization");
            host.CheckDecode(Enum.IsDefined((InputNormalization)kind), $"The model's normalization {kind} is unknown.");
            if ((InputNormalization)kind == InputNormalization.None)
                return null;
            float scale = payload.ReadSingle("the normalization scale");
            host.CheckDecode(float.IsFinite(scale) && scale > 0, $"The model's normalization scale {scale} is not positive and finite.");
            payload.Require((long)n * sizeof(float), $"the normalization center (n = {n})");
            float[] center = payload.ReadSingles(n, "the normalization center");
            host.CheckDecode(TensorPrimitives.IsFiniteAll(center), "The model's normalization center contains NaN or infinity.");
            return new InputNormalizer(center, scale);
        }

        private static (double DeadUnitFraction, bool CodesNearlyConstant) LoadDiagnostics(IHost host, PayloadReader payload)
        {
            double dead = payload.ReadDouble("the dead-unit fraction");
            byte constant = payload.ReadByte("the constant-codes flag");
            host.CheckDecode((double.IsNaN(dead) || (dead >= 0 && dead <= 1)) && constant <= 1, $"The model's degeneracy record ({dead}, {constant}) is impossible.");
            return (dead, constant == 1);
        }

        private static CodeEncodingSettings LoadEncoding(IHost host, PayloadReader payload, int n, int m)
        {
            int kind = payload.ReadInt32("the encoding");
            byte split = payload.ReadByte("the polarity split flag");
            float alpha = payload.ReadSingle("the encoding threshold");
            int k = payload.ReadInt32("the number of active units");
            host.CheckDecode(Enum.IsDefined((CodeEncoding)kind) && split <= 1, $"The model's encoding {kind} (split flag {split}) is unknown.");
            try
            {
                var encoding = new CodeEncodingSettings((CodeEncoding)kind, split == 1, alpha, k);
                encoding.CheckFits(n, m);
                return encoding;
            }
            catch (ArgumentException error)
            {
                throw host.ExceptDecode($"The model's encoding is impossible: {error.Message}");
            }
        }

        private static TrainingHistory LoadHistory(IHost host, PayloadReader payload, int m)
        {
            int stopReason = payload.ReadInt32("the stop reason");
            host.CheckDecode(Enum.IsDefined((TrainingStopReason)stopReason), $"The model's stop reason {stopReason} is unknown.");
            int count = payload.ReadInt32("the history length");
            host.CheckDecode(count >= 0, $"The model's history length {count} is negative.");
            payload.Require((long)count * HistoryEntryBytes, $"{count} history entries");
            var entries = new List<TrainingIteration>(count);
            for (int i = 0; i < count; i++)
            {
                int iteration = payload.ReadInt32("an iteration");
                double loss = payload.ReadDouble("a loss");
                float learningRate = payload.ReadSingle("a learning rate");
                double activeFraction = payload.ReadDouble("an active fraction");
                int dead = payload.ReadInt32("a dead-unit count");
                byte undone = payload.ReadByte("an undone flag");
                double recovery = payload.ReadDouble("a recovery error");
                double maxColumn = payload.ReadDouble("a column error");
                host.CheckDecode(iteration >= 0 && !(loss < 0) && float.IsFinite(learningRate) && learningRate >= 0
                    && activeFraction >= 0 && activeFraction <= 1 && dead >= 0 && dead <= m && undone <= 1
                    && !(recovery < 0) && !(maxColumn < 0), $"The model's history entry {i} is impossible.");
                entries.Add(new TrainingIteration(iteration, loss, learningRate, activeFraction, dead, undone == 1,
                    double.IsNaN(recovery) ? null : recovery, double.IsNaN(maxColumn) ? null : maxColumn));
            }
            return new TrainingHistory(entries, (TrainingStopReason)stopReason);
        }

        /// <summary>Creates the row mapper that computes the output columns.</summary>
        protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

        /// <summary>Rejects an input column that is not a float vector of the trained size.</summary>
        protected override void CheckInputColumn(DataViewSchema inputSchema, int col, int srcCol)
        {
            int size = InputColumn.KnownSizeFloatVector(Host, inputSchema, inputSchema[srcCol].Name);
            if (size != Model.InputSize)
            {
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "input", inputSchema[srcCol].Name,
                    new VectorDataViewType(NumberDataViewType.Single, Model.InputSize).ToString(), inputSchema[srcCol].Type.ToString());
            }
        }

        private sealed partial class Mapper : OneToOneMapperBase
        {
            private readonly SharedAutoencoderTransformer _transformer;

            public Mapper(SharedAutoencoderTransformer parent, DataViewSchema inputSchema)
                : base(parent.Host.Register(nameof(Mapper)), parent, inputSchema)
            {
                _transformer = parent;
            }

            protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
            {
                var model = _transformer.Model;
                var result = new DataViewSchema.DetachedColumn[_transformer._kinds.Length];
                for (int c = 0; c < result.Length; c++)
                {
                    DataViewType type = _transformer._kinds[c] switch
                    {
                        OutputKind.Code => new VectorDataViewType(NumberDataViewType.Single, model.CodeLength),
                        OutputKind.Reconstruction => new VectorDataViewType(NumberDataViewType.Single, model.InputSize),
                        _ => NumberDataViewType.Single,
                    };
                    result[c] = new DataViewSchema.DetachedColumn(_transformer.ColumnPairs[c].outputColumnName, type);
                }
                return result;
            }

            protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
            {
                disposer = null;
                var model = _transformer.Model;
                int n = model.InputSize;
                int m = model.HiddenUnits;
                CodeEncoder encoder = model.Encoder;
                InputNormalizer? normalizer = model.Normalizer;
                var sourceGetter = input.GetGetter<VBuffer<float>>(input.Schema[ColMapNewToOld[iinfo]]);
                // Per-getter buffers: each cursor (and so each thread) owns its own.
                VBuffer<float> source = default;
                var dense = new float[n];
                var code = new float[model.CodeLength];
                var folded = new float[m];
                var reconstruction = new float[n];
                CodeEncoder.Workspace workspace = encoder.CreateWorkspace();

                // Returns y: the source's own values when it is dense (no copy on the hot path), else a densified copy.
                ReadOnlySpan<float> EncodeRow()
                {
                    sourceGetter(ref source);
                    Host.Check(source.Length == n, "Input vector has the wrong length.");
                    ReadOnlySpan<float> y = source.GetValues();
                    if (!source.IsDense)
                    {
                        source.CopyTo(dense);
                        y = dense;
                    }
                    encoder.Encode(y, code, workspace);
                    return y;
                }

                // The reconstruction decodes the code the column emits (see OutputKind): a split code [x⁺, x⁻] is folded
                // into x⁺ − x⁻, the coefficients of the atoms W_i.
                ReadOnlySpan<float> AtomCoefficients()
                {
                    if (code.Length == m)
                        return code;
                    TensorPrimitives.Subtract(code.AsSpan(0, m), code.AsSpan(m, m), folded);
                    return folded;
                }

                switch (_transformer._kinds[iinfo])
                {
                    case OutputKind.Code:
                        return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
                        {
                            EncodeRow();
                            WriteSparse(code, ref dst);
                        });
                    case OutputKind.Reconstruction:
                        return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
                        {
                            EncodeRow();
                            var editor = VBufferEditor.Create(ref dst, n);
                            TiedAutoencoder.Decode(AtomCoefficients(), model.WeightsUnitMajor, editor.Values);
                            normalizer?.Denormalize(editor.Values);
                            dst = editor.Commit();
                        });
                    default:
                        return (ValueGetter<float>)((ref float dst) =>
                        {
                            ReadOnlySpan<float> y = EncodeRow();
                            if (normalizer is null)
                            {
                                dst = TiedAutoencoder.HalfSquaredResidual(y, AtomCoefficients(), model.WeightsUnitMajor, reconstruction);
                                return;
                            }
                            // In input units, as the reconstruction column: ½‖y − (s·Wx + μ)‖².
                            TiedAutoencoder.Decode(AtomCoefficients(), model.WeightsUnitMajor, reconstruction);
                            normalizer.Denormalize(reconstruction);
                            TensorPrimitives.Subtract(y, reconstruction, reconstruction);
                            dst = 0.5f * TensorPrimitives.Dot(reconstruction, reconstruction);
                        });
                }
            }

            /// <summary>The code as a sparse vector (only the units that fired), or dense when every unit fired.</summary>
            private static void WriteSparse(float[] code, ref VBuffer<float> dst)
            {
                int m = code.Length;
                int nonzeros = 0;
                foreach (float v in code)
                {
                    if (v != 0)
                        nonzeros++;
                }
                if (nonzeros == m)
                {
                    var all = VBufferEditor.Create(ref dst, m);
                    code.CopyTo(all.Values);
                    dst = all.Commit();
                    return;
                }
                var editor = VBufferEditor.Create(ref dst, m, nonzeros);
                for (int i = 0, k = 0; i < m; i++)
                {
                    if (code[i] != 0)
                    {
                        editor.Indices[k] = i;
                        editor.Values[k++] = code[i];
                    }
                }
                dst = editor.Commit();
            }
        }
    }
}
