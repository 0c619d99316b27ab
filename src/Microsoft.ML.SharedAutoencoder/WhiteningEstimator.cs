using System;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SharedAutoencoder.Rows;
using Microsoft.ML.SharedAutoencoder.Whitening;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// Fits centering plus ZCA or PCA whitening of a float vector column and produces a <see cref="WhiteningTransformer"/>
    /// computing z = W (x − μ). Create it with <c>mlContext.Transforms.Whiten(...)</c>; it can precede
    /// <c>SharedAutoencoder</c> or any other estimator.
    /// </summary>
    /// <remarks>
    /// The covariance C = (1/N) Σ (x − μ)(x − μ)ᵀ of the first <see cref="Options.MaximumNumberOfRows"/> rows is
    /// accumulated in double precision in one pass (bit-identical on any thread count) and decomposed as
    /// C = U diag(λ) Uᵀ; each kept direction is scaled by 1/√(λ + ε), as in ML.NET's VectorWhiten. Every option is
    /// validated when the estimator is created, before any data is read.
    /// </remarks>
    public sealed partial class WhiteningEstimator : IEstimator<WhiteningTransformer>
    {
        // The covariance (padded n² doubles) must fit one .NET array.
        private const int MaxDimension = 16_000;

        private readonly IHost _host;
        private readonly Options _options;

        internal WhiteningEstimator(IHostEnvironment env, Options options)
        {
            Contracts.CheckValue(env, nameof(env));
            _host = env.Register(nameof(WhiteningEstimator));
            _host.CheckValue(options, nameof(options));
            Validate(_host, options);
            _options = new Options
            {
                InputColumnName = options.InputColumnName,
                OutputColumnName = options.OutputColumnName,
                Kind = options.Kind,
                Epsilon = options.Epsilon,
                MaximumNumberOfRows = options.MaximumNumberOfRows,
                Rank = options.Rank,
                NumberOfThreads = options.NumberOfThreads,
            };
        }

        /// <summary>Estimates the mean and covariance of the input column and computes the whitening matrix.</summary>
        /// <param name="input">The training data.</param>
        /// <returns>The fitted transformer.</returns>
        public WhiteningTransformer Fit(IDataView input)
        {
            _host.CheckValue(input, nameof(input));
            string column = _options.InputColumnName;
            int n = InputColumn.KnownSizeFloatVector(_host, input.Schema, column);
            if (n > MaxDimension)
                throw _host.ExceptParam(nameof(input), $"Column '{column}' has {n} values per row; whitening supports at most {MaxDimension} (its covariance has n² entries). Reduce the dimension first, for example with mlContext.Transforms.ProjectToPrincipalComponents.");
            if (_options.Rank > n)
                throw _host.ExceptUserArg(nameof(Options.Rank), $"is {_options.Rank}, more than the {n} values per row of column '{column}'. Use 0 (all directions) or a rank of at most {n}");

            using IChannel channel = _host.Start("Fitting whitening");
            var watch = Stopwatch.StartNew();
            var accumulator = new CovarianceAccumulator(n, _options.NumberOfThreads ?? Environment.ProcessorCount);
            ReadRows(input, n, accumulator);
            if (accumulator.Count < 2)
                throw _host.Except($"Column '{column}' has {accumulator.Count} rows; whitening needs at least 2 to estimate a covariance (and far more than its {n} values per row to estimate it well). Check the data source and any filter before Whiten.");
            var (mean, covariance) = accumulator.Finish();
            TimeSpan covarianceTime = watch.Elapsed;

            int rank = _options.Rank == 0 ? n : _options.Rank;
            WhiteningParameters parameters = WhiteningSolver.Solve(mean, covariance, _options.Kind == WhiteningKind.Zca, _options.Epsilon, rank, accumulator.Count);
            ReadOnlySpan<double> eigenvalues = parameters.Eigenvalues;
            channel.Info("Whitening ({0}) fitted on {1} rows of {2} values: covariance {3:F2} s, decomposition {4:F2} s; eigenvalues {5:G4} (largest) to {6:G4} (smallest kept), mean {7:G4}, ε = {8:G4}.",
                _options.Kind, accumulator.Count, n, covarianceTime.TotalSeconds, (watch.Elapsed - covarianceTime).TotalSeconds,
                eigenvalues[0], eigenvalues[rank - 1], Trace(covariance, n) / n, _options.Epsilon);
            if (accumulator.Count <= n)
                channel.Warning("Only {0} rows for {1} values per row: the covariance is singular and its smallest directions are noise. Use more rows, a rank below {0}, or a larger ε.", accumulator.Count, n);
            return new WhiteningTransformer(_host, parameters, _options.OutputColumnName, column);
        }

        /// <summary>The schema after the transform: the input schema plus the whitened column.</summary>
        /// <param name="inputSchema">The shape of the input data.</param>
        /// <returns>The shape of the transformed data.</returns>
        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            _host.CheckValue(inputSchema, nameof(inputSchema));
            if (!inputSchema.TryFindColumn(_options.InputColumnName, out var column))
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), "input", _options.InputColumnName);
            if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), "input", _options.InputColumnName, "known-size vector of Single", column.GetTypeString());
            var result = inputSchema.ToDictionary(x => x.Name);
            result[_options.OutputColumnName] = new SchemaShape.Column(_options.OutputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
            return new SchemaShape(result.Values);
        }

        private static void Validate(IHost host, Options o)
        {
            host.CheckUserArg(!string.IsNullOrWhiteSpace(o.InputColumnName), nameof(o.InputColumnName), "must name a column");
            host.CheckUserArg(!string.IsNullOrWhiteSpace(o.OutputColumnName), nameof(o.OutputColumnName), "must name a column");
            host.CheckUserArg(Enum.IsDefined(o.Kind), nameof(o.Kind), $"unknown kind {o.Kind}; use Zca or Pca");
            host.CheckUserArg(float.IsFinite(o.Epsilon) && o.Epsilon > 0, nameof(o.Epsilon),
                $"must be positive and finite (it bounds 1/√(λ + ε) for zero-variance directions), got {o.Epsilon}. The default is {Defaults.Epsilon}; for pixel data try 1–10% of the mean variance");
            host.CheckUserArg(o.MaximumNumberOfRows > 0, nameof(o.MaximumNumberOfRows), $"must be positive, got {o.MaximumNumberOfRows}. The default is {Defaults.MaximumNumberOfRows}");
            host.CheckUserArg(o.Rank >= 0, nameof(o.Rank), $"must be 0 (all directions) or positive, got {o.Rank}");
            host.CheckUserArg(o.NumberOfThreads is null || o.NumberOfThreads.Value > 0, nameof(o.NumberOfThreads), $"must be positive (or null for one per core), got {o.NumberOfThreads}");
        }

        /// <summary>Feeds up to MaximumNumberOfRows rows to the accumulator, rejecting non-finite values.</summary>
        private void ReadRows(IDataView input, int n, CovarianceAccumulator accumulator)
        {
            string name = _options.InputColumnName;
            var column = input.Schema[name];
            using DataViewRowCursor cursor = input.GetRowCursor(new[] { column });
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> row = default;
            var dense = new float[n];
            long count = 0;
            while (count < _options.MaximumNumberOfRows && cursor.MoveNext())
            {
                if ((count & 1023) == 0)
                    _host.CheckAlive();
                getter(ref row);
                if (row.Length != n)
                    throw _host.Except($"Row {count} of column '{name}' has {row.Length} values; the column type says {n}.");
                ReadOnlySpan<float> values = row.GetValues();
                if (!row.IsDense)
                {
                    row.CopyTo(dense);
                    values = dense;
                }
                for (int j = 0; j < n; j++)
                {
                    if (!float.IsFinite(values[j]))
                    {
                        throw _host.Except($"Row {count} of column '{name}' has {values[j]} at index {j}; whitening needs finite values. "
                            + "Remove such rows (mlContext.Data.FilterRowsByMissingValues) or replace them (mlContext.Transforms.ReplaceMissingValues) before Whiten.");
                    }
                }
                accumulator.Add(values);
                count++;
            }
        }

        private static double Trace(double[] matrix, int n)
        {
            double trace = 0;
            for (int i = 0; i < n; i++)
                trace += matrix[i * n + i];
            return trace;
        }
    }
}
