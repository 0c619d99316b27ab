using System;
using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Internal.Utilities;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder;
using Microsoft.ML.SharedAutoencoder.Persistence;
using Microsoft.ML.SharedAutoencoder.Rows;
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
            _parameters = LoadParameters(host, ctx, ColumnPairs);
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

        // Format versions: 0x00010001 initial; 0x00010002 appends the payload checksum (older code cannot read it).
        private const uint FormatInitial = 0x00010001;
        private const uint FormatChecksum = 0x00010002;

        private static VersionInfo GetVersionInfo() => new VersionInfo(
            modelSignature: "SAEWHITE",
            verWrittenCur: FormatChecksum,
            verReadableCur: FormatChecksum,
            verWeCanReadBack: FormatInitial,
            loaderSignature: LoaderSignature,
            loaderAssemblyName: typeof(WhiteningTransformer).Assembly.FullName);

        // Factory method for SignatureLoadModel.
        private static WhiteningTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
        {
            Contracts.CheckValue(env, nameof(env));
            var host = env.Register(nameof(WhiteningTransformer));
            host.CheckValue(ctx, nameof(ctx));
            ModelHeaderChecks.CheckVersion(host, ctx, GetVersionInfo(), "whitening model");
            ModelHeaderChecks.CheckColumnCount(host, ctx, 1, 1, "a whitening model");
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

            // *** Binary format, version 0x00010002 ***
            // Versioning as for SharedAutoencoderTransformer: the header stores the version written and the oldest
            // version able to read it; every format change bumps verWrittenCur, one older code cannot read also
            // verReadableCur. Versions: 0x00010001 had no checksum and is still read; 0x00010002 appends it.
            // Load checks every field and fails with a FormatException naming the damage rather than build a model
            // from a damaged file: each array's length is checked against the bytes left in the model before it is
            // read (Persistence/PayloadReader), every value is checked for range and finiteness, then the checksum.
            // All values little-endian.
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
            // uint: CRC-32 (Persistence/PayloadChecksum) of the column names and every byte above after <base>.
            //   (From 0x00010002.)
            SaveColumns(ctx);
            var payload = new PayloadWriter(ctx.Writer, ColumnPairs);
            payload.Write(_parameters.Symmetric ? 0 : 1);
            payload.Write(_parameters.Epsilon);
            payload.Write(_parameters.InputSize);
            payload.Write(_parameters.Rank);
            payload.Write(_parameters.RowCount);
            payload.Write(_parameters.Mean);
            payload.Write(_parameters.Matrix);
            foreach (double value in _parameters.Eigenvalues)
                payload.Write(value);
            payload.WriteChecksum();
        }

        private static WhiteningParameters LoadParameters(IHost host, ModelLoadContext ctx, (string, string)[] columns)
        {
            var payload = new PayloadReader(host, ctx, columns);
            int kind = payload.ReadInt32("the kind");
            host.CheckDecode(kind == 0 || kind == 1, $"The whitening model's kind code {kind} is unknown (0 ZCA, 1 PCA). The file is damaged.");
            double epsilon = payload.ReadDouble("ε");
            host.CheckDecode(double.IsFinite(epsilon) && epsilon > 0, $"The whitening model's ε {epsilon} is not positive and finite. The file is damaged.");
            int n = payload.ReadInt32("n");
            int rank = payload.ReadInt32("the rank");
            long rows = payload.ReadInt64("the row count");
            host.CheckDecode(n > 0 && rank >= 1 && rank <= n && rows >= 2, $"The whitening model's sizes n = {n}, rank = {rank}, rows = {rows} are impossible. The file is damaged.");
            bool symmetric = kind == 0;
            long outputs = symmetric ? n : rank;
            host.CheckDecode(outputs * n <= Array.MaxLength, $"The whitening model's matrix ({outputs}×{n}) is larger than one array. The file is damaged.");

            // All arrays before allocating any: a damaged n must not allocate gigabytes first.
            payload.Require(4L * n + 4L * outputs * n + 8L * rank, $"the mean, matrix and eigenvalues (n = {n}, rank = {rank})");
            float[] mean = payload.ReadSingles(n, "the mean");
            host.CheckDecode(TensorPrimitives.IsFiniteAll(mean), "The whitening model's mean contains NaN or infinity. The file is damaged.");
            float[] matrix = payload.ReadSingles(outputs * n, "the matrix");
            host.CheckDecode(TensorPrimitives.IsFiniteAll(matrix), "The whitening model's matrix contains NaN or infinity. The file is damaged.");
            if (symmetric)
                CheckSymmetric(host, matrix, n);
            var eigenvalues = new double[rank];
            for (int k = 0; k < rank; k++)
            {
                eigenvalues[k] = payload.ReadDouble("an eigenvalue");
                if (!(double.IsFinite(eigenvalues[k]) && eigenvalues[k] >= 0 && (k == 0 || eigenvalues[k] <= eigenvalues[k - 1])))
                    throw host.ExceptDecode($"The whitening model's eigenvalue {k} ({eigenvalues[k]}) is not finite, non-negative and at most the previous one. The file is damaged.");
            }
            if (ctx.Header.ModelVerWritten >= FormatChecksum)
                payload.VerifyChecksum();
            payload.RequireEnd();
            return new WhiteningParameters(symmetric, epsilon, mean, matrix, eigenvalues, rows);
        }

        private static void CheckSymmetric(IHost host, float[] matrix, int n)
        {
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    if (matrix[i * n + j] != matrix[j * n + i])
                        throw host.ExceptDecode($"The whitening model's ZCA matrix is not symmetric at ({i}, {j}); it is written symmetric. The file is damaged.");
                }
            }
        }

        /// <summary>Creates the row mapper that computes the output column.</summary>
        protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

        /// <summary>Rejects an input column that is not a float vector of the fitted size.</summary>
        protected override void CheckInputColumn(DataViewSchema inputSchema, int col, int srcCol)
        {
            int size = InputColumn.KnownSizeFloatVector(Host, inputSchema, inputSchema[srcCol].Name);
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
