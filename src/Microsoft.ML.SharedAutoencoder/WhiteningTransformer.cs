using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Internal.Utilities;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;
using Microsoft.ML.SharedAutoencoder.Whitening;

[assembly: LoadableClass(typeof(WhiteningTransformer), null, typeof(SignatureLoadModel),
    WhiteningTransformer.UserName, WhiteningTransformer.LoaderSignature)]

[assembly: LoadableClass(typeof(IDataTransform), typeof(WhiteningTransformer), null, typeof(SignatureLoadDataTransform),
    WhiteningTransformer.UserName, WhiteningTransformer.LoaderSignature)]

[assembly: LoadableClass(typeof(IRowMapper), typeof(WhiteningTransformer), null, typeof(SignatureLoadRowMapper),
    WhiteningTransformer.UserName, WhiteningTransformer.LoaderSignature)]

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// A fitted whitening: maps a float vector column x to z = W (x − μ), a dense float vector (n values for ZCA, the
    /// rank for PCA). Produced by <see cref="WhiteningEstimator"/>; saved and loaded with <c>mlContext.Model.Save</c> /
    /// <c>Load</c>. Safe to use from many threads.
    /// </summary>
    public sealed partial class WhiteningTransformer : OneToOneTransformerBase
    {
        internal const string UserName = "Whitening Transform (Shared Autoencoder package)";
        internal const string LoaderSignature = "SaeWhitening";

        private readonly WhiteningParameters _parameters;

        internal WhiteningTransformer(IHostEnvironment env, WhiteningParameters parameters, string outputColumnName, string inputColumnName)
            : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(WhiteningTransformer)), new[] { (outputColumnName, inputColumnName) })
        {
            _parameters = parameters;
        }

        private WhiteningTransformer(IHost host, ModelLoadContext ctx)
            : base(host, ctx)
        {
            host.CheckDecode(ColumnPairs.Length == 1, $"The model has {ColumnPairs.Length} columns; a whitening model has exactly one.");
            _parameters = LoadParameters(host, ctx);
        }

        /// <summary>ZCA or PCA.</summary>
        public WhiteningKind Kind => _parameters.Symmetric ? WhiteningKind.Zca : WhiteningKind.Pca;

        /// <summary>ε, added to every eigenvalue.</summary>
        public double Epsilon => _parameters.Epsilon;

        /// <summary>n, the input length.</summary>
        public int InputSize => _parameters.InputSize;

        /// <summary>The output length: n for ZCA, <see cref="Rank"/> for PCA.</summary>
        public int OutputSize => _parameters.OutputSize;

        /// <summary>The number of principal directions kept (n unless a rank was given).</summary>
        public int Rank => _parameters.Rank;

        /// <summary>The number of rows the mean and covariance were estimated from.</summary>
        public long RowCount => _parameters.RowCount;

        /// <summary>The name of the input column.</summary>
        public string InputColumnName => ColumnPairs[0].inputColumnName;

        /// <summary>The name of the output column.</summary>
        public string OutputColumnName => ColumnPairs[0].outputColumnName;

        /// <summary>μ, the mean subtracted from every row (a copy).</summary>
        /// <returns>The mean, length n.</returns>
        public float[] GetMean() => _parameters.Mean.ToArray();

        /// <summary>W, the whitening matrix, row-major: output i's weights at [i·n, (i+1)·n) (a copy).</summary>
        /// <returns>The matrix, <see cref="OutputSize"/>·n values.</returns>
        public float[] GetWhiteningMatrix() => _parameters.Matrix.ToArray();

        /// <summary>
        /// The kept eigenvalues of the training covariance, largest first (a copy): the scale against which to choose ε.
        /// </summary>
        /// <returns>The eigenvalues, <see cref="Rank"/> values.</returns>
        public double[] GetEigenvalues() => _parameters.Eigenvalues.ToArray();

        private static VersionInfo GetVersionInfo() => new VersionInfo(
            modelSignature: "SAEWHITE",
            verWrittenCur: 0x00010001, // Initial
            verReadableCur: 0x00010001,
            verWeCanReadBack: 0x00010001,
            loaderSignature: LoaderSignature,
            loaderAssemblyName: typeof(WhiteningTransformer).Assembly.FullName);

        // Factory method for SignatureLoadModel.
        private static WhiteningTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
        {
            Contracts.CheckValue(env, nameof(env));
            var host = env.Register(nameof(WhiteningTransformer));
            host.CheckValue(ctx, nameof(ctx));
            // ML.NET's own check (CheckAtModel) names ML.NET's version, not this package's: say which one to update.
            VersionInfo version = GetVersionInfo();
            if (ctx.Header.ModelSignature == version.ModelSignature && ctx.Header.ModelVerReadable > version.VerWrittenCur)
            {
                throw host.ExceptDecode($"The whitening model was written in format 0x{ctx.Header.ModelVerWritten:X8} of {typeof(WhiteningTransformer).Assembly.GetName().Name}, "
                    + $"readable only from format 0x{ctx.Header.ModelVerReadable:X8}; this version reads formats up to 0x{version.VerWrittenCur:X8}. Update the package to load the model.");
            }
            ctx.CheckAtModel(version);
            return new WhiteningTransformer(host, ctx);
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
            // Versioning as for SharedAutoencoderTransformer: the header stores the version written and the oldest
            // version able to read it; every format change bumps verWrittenCur, one older code cannot read also
            // verReadableCur.
            // Load checks every field and fails with a FormatException naming the damage rather than build a model
            // from a damaged file: each array's length is checked against the bytes left in the model before it is
            // read, every value is checked for range and finiteness.
            // <base>: int 1 (one column), then 2 string ids (output name, input name)
            // int: kind (0 ZCA, 1 PCA)
            // double: ε (finite, > 0)
            // int: n, the input dimension (> 0)
            // int: r, the rank (1 ≤ r ≤ n)
            // long: the number of rows fitted (≥ 2)
            // float[n]: μ, no count, all finite
            // float[o·n]: W row-major (output i at [i·n, (i+1)·n)), o = n for ZCA and r for PCA, no count, all finite;
            //   for ZCA exactly symmetric
            // double[r]: the kept eigenvalues, no count, finite, ≥ 0, non-increasing
            SaveColumns(ctx);
            ctx.Writer.Write(_parameters.Symmetric ? 0 : 1);
            ctx.Writer.Write(_parameters.Epsilon);
            ctx.Writer.Write(_parameters.InputSize);
            ctx.Writer.Write(_parameters.Rank);
            ctx.Writer.Write(_parameters.RowCount);
            ctx.Writer.WriteSinglesNoCount(_parameters.Mean);
            ctx.Writer.WriteSinglesNoCount(_parameters.Matrix);
            foreach (double value in _parameters.Eigenvalues)
                ctx.Writer.Write(value);
        }

        private static WhiteningParameters LoadParameters(IHost host, ModelLoadContext ctx)
        {
            EnsureBytes(host, ctx, 4 + 8 + 4 + 4 + 8, "header fields");
            int kind = ctx.Reader.ReadInt32();
            host.CheckDecode(kind == 0 || kind == 1, $"The whitening kind code {kind} is unknown (0 ZCA, 1 PCA). The file is damaged.");
            double epsilon = ctx.Reader.ReadDouble();
            host.CheckDecode(double.IsFinite(epsilon) && epsilon > 0, $"The whitening ε {epsilon} is not positive and finite. The file is damaged.");
            int n = ctx.Reader.ReadInt32();
            int rank = ctx.Reader.ReadInt32();
            long rows = ctx.Reader.ReadInt64();
            host.CheckDecode(n > 0 && rank >= 1 && rank <= n && rows >= 2, $"The whitening sizes n = {n}, rank = {rank}, rows = {rows} are impossible. The file is damaged.");
            bool symmetric = kind == 0;
            long outputs = symmetric ? n : rank;

            EnsureBytes(host, ctx, 4L * n + 4L * outputs * n + 8L * rank, "mean, matrix and eigenvalues");
            float[] mean = ctx.Reader.ReadSingleArray(n);
            host.CheckDecode(AllFinite(mean), "The whitening mean contains NaN or infinity. The file is damaged.");
            float[] matrix = ctx.Reader.ReadSingleArray((int)(outputs * n));
            host.CheckDecode(AllFinite(matrix), "The whitening matrix contains NaN or infinity. The file is damaged.");
            if (symmetric)
            {
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < i; j++)
                    {
                        if (matrix[i * n + j] != matrix[j * n + i])
                            throw host.ExceptDecode($"The ZCA whitening matrix is not symmetric at ({i}, {j}); it is written symmetric. The file is damaged.");
                    }
                }
            }
            var eigenvalues = new double[rank];
            for (int k = 0; k < rank; k++)
            {
                eigenvalues[k] = ctx.Reader.ReadDouble();
                if (!(double.IsFinite(eigenvalues[k]) && eigenvalues[k] >= 0 && (k == 0 || eigenvalues[k] <= eigenvalues[k - 1])))
                    throw host.ExceptDecode($"The whitening eigenvalue {k} ({eigenvalues[k]}) is not finite, non-negative and at most the previous one. The file is damaged.");
            }
            return new WhiteningParameters(symmetric, epsilon, mean, matrix, eigenvalues, rows);
        }

        // Checked before reading so a damaged length cannot make the reader allocate or read past the model.
        private static void EnsureBytes(IHost host, ModelLoadContext ctx, long needed, string what)
        {
            long end = ctx.FpMin + ctx.Header.FpModel + ctx.Header.CbModel;
            long left = end - ctx.Reader.BaseStream.Position;
            if (needed > left)
                throw host.ExceptDecode($"The whitening model is truncated: its {what} need {needed} bytes, but only {left} remain. The file is damaged.");
        }

        private static bool AllFinite(float[] values)
        {
            foreach (float v in values)
            {
                if (!float.IsFinite(v))
                    return false;
            }
            return true;
        }

        /// <summary>Creates the row mapper that computes the output column.</summary>
        protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

        /// <summary>Rejects an input column that is not a float vector of the fitted size.</summary>
        protected override void CheckInputColumn(DataViewSchema inputSchema, int col, int srcCol)
        {
            int size = WhiteningEstimator.CheckInputColumn(Host, inputSchema, inputSchema[srcCol].Name);
            if (size != InputSize)
            {
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "input", inputSchema[srcCol].Name,
                    new VectorDataViewType(NumberDataViewType.Single, InputSize).ToString(), inputSchema[srcCol].Type.ToString());
            }
        }

        private sealed partial class Mapper : OneToOneMapperBase
        {
            private readonly WhiteningTransformer _transformer;

            public Mapper(WhiteningTransformer parent, DataViewSchema inputSchema)
                : base(parent.Host.Register(nameof(Mapper)), parent, inputSchema)
            {
                _transformer = parent;
            }

            protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
                => new[]
                {
                    new DataViewSchema.DetachedColumn(_transformer.OutputColumnName,
                        new VectorDataViewType(NumberDataViewType.Single, _transformer.OutputSize)),
                };

            protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
            {
                disposer = null;
                WhiteningParameters parameters = _transformer._parameters;
                int n = parameters.InputSize;
                int outputs = parameters.OutputSize;
                var sourceGetter = input.GetGetter<VBuffer<float>>(input.Schema[ColMapNewToOld[iinfo]]);
                // Per-getter buffers: each cursor (and so each thread) owns its own.
                VBuffer<float> source = default;
                var dense = new float[n];
                var centered = new float[n];
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
                {
                    sourceGetter(ref source);
                    Host.Check(source.Length == n, "Input vector has the wrong length.");
                    ReadOnlySpan<float> x = source.GetValues();
                    if (!source.IsDense)
                    {
                        source.CopyTo(dense);
                        x = dense;
                    }
                    var editor = VBufferEditor.Create(ref dst, outputs);
                    parameters.Apply(x, centered, editor.Values);
                    dst = editor.Commit();
                });
            }
        }
    }
}
