using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Internal.Utilities;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;
using Microsoft.ML.SharedAutoencoder.Model;
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
    /// <c>mlContext.Model.Save</c> / <c>Load</c>. Safe to use from many threads.
    /// </summary>
    public sealed class SharedAutoencoderTransformer : OneToOneTransformerBase
    {
        internal const string UserName = "Shared Autoencoder Transform";
        internal const string LoaderSignature = "SharedAutoencoder";

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
            (Model, History, _kinds) = LoadParameters(host, ctx, ColumnPairs.Length);
        }

        /// <summary>The learned parameters: W, b, the activation, n and m.</summary>
        public SharedAutoencoderModelParameters Model { get; }

        /// <summary>The training record: loss, learning rate, activity and undone steps per iteration.</summary>
        public TrainingHistory History { get; }

        /// <summary>The name of the input column (y).</summary>
        public string InputColumnName => ColumnPairs[0].inputColumnName;

        /// <summary>The name of the code column (x).</summary>
        public string OutputColumnName => ColumnPairs[0].outputColumnName;

        private static VersionInfo GetVersionInfo() => new VersionInfo(
            modelSignature: "SHAUTOEN",
            verWrittenCur: 0x00010001, // Initial
            verReadableCur: 0x00010001,
            verWeCanReadBack: 0x00010001,
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
            return new SharedAutoencoderTransformer(host, ctx);
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

            // *** Binary format, version 0x00010001 ***
            // Versioning: ML.NET's model header stores the version written and the oldest version able to read it
            // (GetVersionInfo). Loading refuses a file whose readable version is newer than the code's written version
            // ("the model is too new") and one older than verWeCanReadBack. Every format change bumps verWrittenCur;
            // a change older code cannot read also bumps verReadableCur.
            // Load checks every field below and fails with a FormatException ("corrupt model") rather than build a
            // model from a damaged file: ranges, finiteness and unit-norm columns of W.
            // <base>: int c (number of output columns), then c pairs of string ids (output name, input name)
            // int: kind of each of the c output columns (0 code, 1 reconstruction, 2 reconstruction error); the first is the code
            // int: n, the input dimension (> 0)
            // int: m, the number of hidden units (> 0)
            // int: activation (0 ReLU, 1 hard threshold)
            // float: threshold λ (finite, > 0)
            // float[m·n]: W, unit-major (hidden unit i's weights at [i·n, (i+1)·n)), no count, all finite, every column of
            //   unit norm (checked on load to within 1e-4)
            // float[m]: b, no count, all finite
            // int: stop reason (TrainingStopReason)
            // int: h, the number of history entries (≥ 0), then h entries of
            //   int iteration, double loss, float learning rate, double active fraction, int dead units, byte undone,
            //   double recovery error (NaN: none), double max column error (NaN: none)
            SaveColumns(ctx);
            foreach (OutputKind kind in _kinds)
                ctx.Writer.Write((int)kind);
            ctx.Writer.Write(Model.InputSize);
            ctx.Writer.Write(Model.HiddenUnits);
            ctx.Writer.Write((int)Model.Activation);
            ctx.Writer.Write(Model.Threshold);
            ctx.Writer.WriteSinglesNoCount(Model.WeightsUnitMajor);
            ctx.Writer.WriteSinglesNoCount(Model.BiasSpan);
            ctx.Writer.Write((int)History.StopReason);
            ctx.Writer.Write(History.Iterations.Count);
            foreach (TrainingIteration entry in History.Iterations)
            {
                ctx.Writer.Write(entry.Iteration);
                ctx.Writer.Write(entry.Loss);
                ctx.Writer.Write(entry.LearningRate);
                ctx.Writer.Write(entry.ActiveFraction);
                ctx.Writer.Write(entry.DeadUnits);
                ctx.Writer.Write(entry.Undone ? (byte)1 : (byte)0);
                ctx.Writer.Write(entry.RecoveryError ?? double.NaN);
                ctx.Writer.Write(entry.MaxColumnError ?? double.NaN);
            }
        }

        // float32 normalization leaves ‖W_i‖ within a few ulps of 1; a corrupted value moves it far more.
        private const double UnitNormTolerance = 1e-4;

        private static (SharedAutoencoderModelParameters, TrainingHistory, OutputKind[]) LoadParameters(IHost host, ModelLoadContext ctx, int columnCount)
        {
            host.CheckDecode(columnCount >= 1 && columnCount <= 3);
            var kinds = new OutputKind[columnCount];
            for (int c = 0; c < columnCount; c++)
            {
                int kind = ctx.Reader.ReadInt32();
                host.CheckDecode(Enum.IsDefined((OutputKind)kind));
                kinds[c] = (OutputKind)kind;
            }
            host.CheckDecode(kinds[0] == OutputKind.Code && kinds.Distinct().Count() == kinds.Length);

            int n = ctx.Reader.ReadInt32();
            int m = ctx.Reader.ReadInt32();
            host.CheckDecode(n > 0 && m > 0 && (long)n * m <= 0x7FFFFFC7, $"The model's sizes n = {n}, m = {m} are impossible.");
            int activation = ctx.Reader.ReadInt32();
            host.CheckDecode(Enum.IsDefined((AutoencoderActivation)activation), $"The model's activation code {activation} is unknown.");
            float threshold = ctx.Reader.ReadSingle();
            host.CheckDecode(float.IsFinite(threshold) && threshold > 0, $"The model's threshold {threshold} is not positive and finite.");
            float[] weights = ctx.Reader.ReadSingleArray(n * m);
            host.CheckDecode(TensorPrimitives.IsFiniteAll(weights), "The model's weights contain NaN or infinity.");
            for (int i = 0; i < m; i++)
            {
                // Training keeps every column at unit norm; anything else is a damaged file, not a model.
                double norm = Math.Sqrt(TensorPrimitives.SumOfSquares(weights.AsSpan(i * n, n)));
                if (!(Math.Abs(norm - 1) <= UnitNormTolerance))
                    throw host.ExceptDecode($"The model's weight column {i} has norm {norm:G6}; trained columns have unit norm. The file is damaged.");
            }
            float[] bias = ctx.Reader.ReadSingleArray(m);
            host.CheckDecode(TensorPrimitives.IsFiniteAll(bias), "The model's bias contains NaN or infinity.");
            var model = new SharedAutoencoderModelParameters(n, weights, bias, (AutoencoderActivation)activation, threshold);

            int stopReason = ctx.Reader.ReadInt32();
            host.CheckDecode(Enum.IsDefined((TrainingStopReason)stopReason));
            int count = ctx.Reader.ReadInt32();
            host.CheckDecode(count >= 0 && count <= 100_000_000);
            var entries = new List<TrainingIteration>(Math.Min(count, 1 << 16));
            for (int i = 0; i < count; i++)
            {
                int iteration = ctx.Reader.ReadInt32();
                double loss = ctx.Reader.ReadDouble();
                float learningRate = ctx.Reader.ReadSingle();
                double activeFraction = ctx.Reader.ReadDouble();
                int dead = ctx.Reader.ReadInt32();
                byte undone = ctx.Reader.ReadByte();
                double recovery = ctx.Reader.ReadDouble();
                double maxColumn = ctx.Reader.ReadDouble();
                host.CheckDecode(iteration >= 0 && dead >= 0 && dead <= m && undone <= 1 && activeFraction >= 0 && activeFraction <= 1);
                entries.Add(new TrainingIteration(iteration, loss, learningRate, activeFraction, dead, undone == 1,
                    double.IsNaN(recovery) ? null : recovery, double.IsNaN(maxColumn) ? null : maxColumn));
            }
            return (model, new TrainingHistory(entries, (TrainingStopReason)stopReason), kinds);
        }

        /// <summary>Creates the row mapper that computes the output columns.</summary>
        protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

        /// <summary>Rejects an input column that is not a float vector of the trained size.</summary>
        protected override void CheckInputColumn(DataViewSchema inputSchema, int col, int srcCol)
        {
            int size = SharedAutoencoderEstimator.CheckInputColumn(Host, inputSchema, inputSchema[srcCol].Name);
            if (size != Model.InputSize)
            {
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "input", inputSchema[srcCol].Name,
                    new VectorDataViewType(NumberDataViewType.Single, Model.InputSize).ToString(), inputSchema[srcCol].Type.ToString());
            }
        }

        private sealed class Mapper : OneToOneMapperBase
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
                        OutputKind.Code => new VectorDataViewType(NumberDataViewType.Single, model.HiddenUnits),
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
                var sourceGetter = input.GetGetter<VBuffer<float>>(input.Schema[ColMapNewToOld[iinfo]]);
                // Per-getter buffers: each cursor (and so each thread) owns its own.
                VBuffer<float> source = default;
                var dense = new float[n];
                var code = new float[m];
                var reconstruction = new float[n];

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
                    model.Encode(y, code);
                    return y;
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
                            model.Decode(code, editor.Values);
                            dst = editor.Commit();
                        });
                    default:
                        return (ValueGetter<float>)((ref float dst) =>
                        {
                            dst = TiedAutoencoder.HalfSquaredResidual(EncodeRow(), code, model.WeightsUnitMajor, reconstruction);
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
