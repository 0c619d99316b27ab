using System;
using System.Numerics.Tensors;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// The generative bilinear model y = A x* + η: owns the dictionary A (n×m, unit-norm columns) and generates row i
    /// as a pure function of (seed, i), so any reader, in any order or in parallel, sees the same rows and the number
    /// of rows costs no memory. Free of IDataView types; <see cref="BilinearModelDataView"/> is its ML.NET face.
    /// </summary>
    public sealed class BilinearModel
    {
        private readonly BilinearModelOptions _options;
        // Unit-major: atom i occupies [i·n, (i+1)·n).
        private readonly float[] _dictionary;
        // Cumulative mixture weights, null for uniform weights or the sparse models.
        private readonly double[]? _cumulativeProbabilities;
        private readonly ulong _seed;
        private readonly float _signedUniformScale;
        // NaN until computed: a double is written atomically, so concurrent first reads at worst compute twice.
        private double _mutualCoherence = double.NaN;
        private double _spectralNorm = double.NaN;

        /// <summary>Creates the model, drawing (or checking) the dictionary.</summary>
        /// <param name="options">The model; <see cref="BilinearModelOptions.Seed"/> must be set. Copied.</param>
        /// <exception cref="ArgumentException">An option is invalid or <see cref="BilinearModelOptions.Seed"/> is not set.</exception>
        /// <exception cref="InvalidOperationException">No random dictionary within <see cref="BilinearModelOptions.MaxMutualCoherence"/> was found.</exception>
        public BilinearModel(BilinearModelOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            _options = options.Clone();
            _options.Validate();
            if (_options.Seed is not int seed)
                throw new ArgumentException($"{nameof(BilinearModelOptions.Seed)} must be set to create a {nameof(BilinearModel)} directly.", nameof(options));
            _seed = (ulong)(uint)seed;

            int n = FeatureCount, m = AtomCount;
            _dictionary = new float[checked(n * m)];
            if (_options.Dictionary is float[][] supplied)
            {
                for (int i = 0; i < m; i++)
                    supplied[i].CopyTo(_dictionary.AsSpan(i * n, n));
                if (_options.NormalizeDictionary)
                    NormalizeColumns(0);
                DictionaryAttempts = 0;
                if (_options.MaxMutualCoherence is double bound && MutualCoherence > bound)
                    throw new ArgumentException($"The supplied {nameof(BilinearModelOptions.Dictionary)} has mutual coherence {MutualCoherence}, above {nameof(BilinearModelOptions.MaxMutualCoherence)} = {bound}.", nameof(options));
            }
            else
            {
                DrawDictionary();
            }

            if (LatentCodeModel == LatentCodeModel.MixtureOfGaussians && _options.MixtureProbabilities is double[] weights)
            {
                double total = 0;
                foreach (double w in weights)
                    total += w;
                _cumulativeProbabilities = new double[m];
                double running = 0;
                for (int i = 0; i < m; i++)
                {
                    running += weights[i];
                    _cumulativeProbabilities[i] = running / total;
                }
                // Rounding must not leave a gap above the last reachable component nor let a zero-weight tail be drawn.
                int last = Array.FindLastIndex(weights, w => w > 0);
                for (int i = last; i < m; i++)
                    _cumulativeProbabilities[i] = 1.0;
            }

            float a1 = _options.ValueLowerBound, a2 = _options.ValueUpperBound;
            _signedUniformScale = (float)Math.Sqrt(3.0 / ((double)a1 * a1 + (double)a1 * a2 + (double)a2 * a2));
        }

        /// <summary>A copy of the options the model was created with (with the seed used).</summary>
        public BilinearModelOptions Options => _options.Clone();

        /// <summary>n, the length of an observation y.</summary>
        public int FeatureCount => _options.FeatureCount;

        /// <summary>m, the number of atoms, the length of x*.</summary>
        public int AtomCount => _options.AtomCount;

        /// <summary>The seed of the dictionary and of every row.</summary>
        public int Seed => _options.Seed!.Value;

        /// <summary>How the latent code is drawn.</summary>
        public LatentCodeModel LatentCodeModel => _options.LatentCodeModel;

        /// <summary>The number of nonzeros of every latent code: k for the sparse models, 1 for the mixture.</summary>
        public int NonzeroCount => LatentCodeModel == LatentCodeModel.MixtureOfGaussians ? 1 : _options.Sparsity;

        /// <summary>
        /// The mixture model with more components than dimensions (m &gt; n): allowed, but its components cannot all be
        /// told apart by a linear classifier as easily; callers report it as a warning.
        /// </summary>
        public bool IsOvercompleteMixture => LatentCodeModel == LatentCodeModel.MixtureOfGaussians && AtomCount > FeatureCount;

        /// <summary>How many random dictionaries were drawn (0 for a supplied dictionary).</summary>
        public int DictionaryAttempts { get; private set; }

        /// <summary>
        /// The magnitude range of nonzero latent values: [a1, a2] for the non-negative model, [c·a1, c·a2] for
        /// <see cref="SparseValueDistribution.SignedUniform"/>, [1, 1] for Rademacher and the mixture.
        /// </summary>
        public (float Min, float Max) NonzeroMagnitudeRange => (LatentCodeModel, _options.SparseValueDistribution) switch
        {
            (LatentCodeModel.NonNegativeSparseCoding, _) => (_options.ValueLowerBound, _options.ValueUpperBound),
            (LatentCodeModel.SparseCoding, SparseValueDistribution.SignedUniform) => (_signedUniformScale * _options.ValueLowerBound, _signedUniformScale * _options.ValueUpperBound),
            _ => (1f, 1f),
        };

        /// <summary>The mutual coherence μ = √n·max_{i≠j}|⟨A_i, A_j⟩| of the dictionary (0 when m = 1). Computed once, on first use.</summary>
        public double MutualCoherence => double.IsNaN(_mutualCoherence) ? _mutualCoherence = ComputeMutualCoherence(double.PositiveInfinity) : _mutualCoherence;

        /// <summary>The spectral norm ‖A‖₂ (largest singular value) of the dictionary. Computed once, on first use.</summary>
        public double SpectralNorm => double.IsNaN(_spectralNorm) ? _spectralNorm = ComputeSpectralNorm() : _spectralNorm;

        /// <summary>The dictionary, unit-major (atom i occupies [i·n, (i+1)·n)); not a copy, do not modify.</summary>
        internal ReadOnlySpan<float> DictionaryData => _dictionary;

        /// <summary>A copy of the dictionary as its columns: m arrays of length n, array i = atom A_i.</summary>
        public float[][] GetDictionaryColumns()
        {
            int n = FeatureCount;
            var columns = new float[AtomCount][];
            for (int i = 0; i < columns.Length; i++)
                columns[i] = _dictionary.AsSpan(i * n, n).ToArray();
            return columns;
        }

        /// <summary>
        /// Writes the nonzeros of x* for row <paramref name="row"/>: indices ascending, and returns their count
        /// (<see cref="NonzeroCount"/>).
        /// </summary>
        /// <param name="row">The row index, ≥ 0.</param>
        /// <param name="indices">Receives the atom indices; at least <see cref="NonzeroCount"/> long.</param>
        /// <param name="values">Receives the values; at least <see cref="NonzeroCount"/> long.</param>
        public int GetLatentCode(long row, Span<int> indices, Span<float> values)
        {
            var random = RowStream(row, indices.Length, values.Length);
            return DrawLatentCode(ref random, indices, values);
        }

        /// <summary>The mixture component (0-based atom index) of row <paramref name="row"/>; mixture model only.</summary>
        /// <param name="row">The row index, ≥ 0.</param>
        public int GetMixtureComponent(long row)
        {
            if (LatentCodeModel != LatentCodeModel.MixtureOfGaussians)
                throw new InvalidOperationException($"Only the {nameof(LatentCodeModel.MixtureOfGaussians)} model has mixture components; this model is {LatentCodeModel}.");
            Span<int> index = stackalloc int[1];
            Span<float> value = stackalloc float[1];
            GetLatentCode(row, index, value);
            return index[0];
        }

        /// <summary>
        /// Writes row <paramref name="row"/>: y into <paramref name="features"/> and the nonzeros of x* (as
        /// <see cref="GetLatentCode"/>), returning the nonzero count.
        /// </summary>
        /// <param name="row">The row index, ≥ 0.</param>
        /// <param name="features">Receives y; exactly <see cref="FeatureCount"/> long.</param>
        /// <param name="indices">Receives the atom indices of x*; at least <see cref="NonzeroCount"/> long.</param>
        /// <param name="values">Receives the values of x*; at least <see cref="NonzeroCount"/> long.</param>
        public int GenerateRow(long row, Span<float> features, Span<int> indices, Span<float> values)
        {
            int n = FeatureCount;
            if (features.Length != n)
                throw new ArgumentException($"{nameof(features)} must have length {n}, got {features.Length}.", nameof(features));
            var random = RowStream(row, indices.Length, values.Length);
            int count = DrawLatentCode(ref random, indices, values);

            float sigma = _options.NoiseStandardDeviation;
            if (sigma > 0)
                GaussianFill.Fill(random.NextUInt64(), sigma, features);
            else
                features.Clear();

            ReadOnlySpan<float> dictionary = _dictionary;
            for (int j = 0; j < count; j++)
                TensorPrimitives.MultiplyAdd(dictionary.Slice(indices[j] * n, n), values[j], features, features);
            return count;
        }

        private SplitMix64 RowStream(long row, int indicesLength, int valuesLength)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row);
            if (indicesLength < NonzeroCount || valuesLength < NonzeroCount)
                throw new ArgumentException($"The index and value spans must hold at least {NonzeroCount} entries.");
            return new SplitMix64(CounterRandom.StreamKey(_seed, CounterRandom.RowDomain, (ulong)row));
        }

        private int DrawLatentCode(ref SplitMix64 random, Span<int> indices, Span<float> values)
        {
            int m = AtomCount;
            if (LatentCodeModel == LatentCodeModel.MixtureOfGaussians)
            {
                indices[0] = _cumulativeProbabilities is double[] cumulative
                    ? FirstAbove(cumulative, random.NextDouble())
                    : random.NextInt(m);
                values[0] = 1f;
                return 1;
            }

            int k = _options.Sparsity;
            DrawSupport(ref random, m, indices.Slice(0, k));
            if (LatentCodeModel == LatentCodeModel.NonNegativeSparseCoding)
            {
                float a1 = _options.ValueLowerBound, width = _options.ValueUpperBound - a1;
                for (int j = 0; j < k; j++)
                    values[j] = a1 + width * (float)random.NextDouble();
            }
            else if (_options.SparseValueDistribution == SparseValueDistribution.Rademacher)
            {
                ulong signs = 0;
                for (int j = 0; j < k; j++)
                {
                    if (j % 64 == 0)
                        signs = random.NextUInt64();
                    values[j] = (signs & 1) == 0 ? 1f : -1f;
                    signs >>= 1;
                }
            }
            else
            {
                float a1 = _options.ValueLowerBound, width = _options.ValueUpperBound - a1;
                for (int j = 0; j < k; j++)
                {
                    ulong bits = random.NextUInt64();
                    // The top 53 bits give the magnitude, the lowest bit the sign.
                    float magnitude = _signedUniformScale * (a1 + width * (float)((bits >> 11) * (1.0 / (1UL << 53))));
                    values[j] = (bits & 1) == 0 ? magnitude : -magnitude;
                }
            }
            return k;
        }

        /// <summary>
        /// Floyd's algorithm: a uniformly random k-subset of [0, m), kept sorted as it grows so membership is a binary
        /// search and the result is already in the ascending order a sparse vector needs.
        /// </summary>
        private static void DrawSupport(ref SplitMix64 random, int m, Span<int> support)
        {
            int k = support.Length, size = 0;
            for (int j = m - k; j < m; j++)
            {
                int candidate = random.NextInt(j + 1);
                int position = support.Slice(0, size).BinarySearch(candidate);
                if (position >= 0)
                {
                    // Every chosen index is below j, so j goes last.
                    support[size++] = j;
                }
                else
                {
                    position = ~position;
                    support.Slice(position, size - position).CopyTo(support.Slice(position + 1));
                    support[position] = candidate;
                    size++;
                }
            }
        }

        private static int FirstAbove(double[] cumulative, double u)
        {
            int low = 0, high = cumulative.Length - 1;
            while (low < high)
            {
                int mid = (low + high) >>> 1;
                if (cumulative[mid] > u)
                    high = mid;
                else
                    low = mid + 1;
            }
            return low;
        }

        private void DrawDictionary()
        {
            int n = FeatureCount, m = AtomCount;
            double bound = _options.MaxMutualCoherence ?? double.PositiveInfinity;
            for (int attempt = 0; attempt < _options.MaxDictionaryAttempts; attempt++)
            {
                DictionaryAttempts = attempt + 1;
                for (int i = 0; i < m; i++)
                {
                    ulong key = CounterRandom.StreamKey(_seed, CounterRandom.DictionaryDomain, (ulong)attempt * (ulong)m + (ulong)i);
                    GaussianFill.Fill(key, 1f, _dictionary.AsSpan(i * n, n));
                }
                NormalizeColumns(attempt);
                if (double.IsPositiveInfinity(bound))
                    return;
                double coherence = ComputeMutualCoherence(bound);
                if (coherence <= bound)
                {
                    _mutualCoherence = coherence;
                    return;
                }
            }
            throw new InvalidOperationException(
                $"No random {n}×{m} dictionary with mutual coherence ≤ {nameof(BilinearModelOptions.MaxMutualCoherence)} = {bound} was found in " +
                $"{nameof(BilinearModelOptions.MaxDictionaryAttempts)} = {_options.MaxDictionaryAttempts} attempts; for random unit columns μ is " +
                $"typically near √(2·ln(m²)) = {Math.Sqrt(4 * Math.Log(Math.Max(m, 2))):F2}. Raise the bound or the attempts.");
        }

        private void NormalizeColumns(int attempt)
        {
            int n = FeatureCount;
            for (int i = 0; i < AtomCount; i++)
            {
                Span<float> column = _dictionary.AsSpan(i * n, n);
                double squaredNorm = 0;
                foreach (float value in column)
                    squaredNorm += (double)value * value;
                if (squaredNorm == 0)
                {
                    // Only a random draw can get here (supplied zero columns are rejected), with probability ~0:
                    // any fixed unit vector keeps the model well defined.
                    column[(attempt + i) % n] = 1f;
                    continue;
                }
                TensorPrimitives.Multiply(column, (float)(1 / Math.Sqrt(squaredNorm)), column);
            }
        }

        /// <summary>μ, stopping early (returning a value above <paramref name="stopAbove"/>) once it is exceeded.</summary>
        private double ComputeMutualCoherence(double stopAbove)
        {
            int n = FeatureCount, m = AtomCount;
            ReadOnlySpan<float> dictionary = _dictionary;
            double scale = Math.Sqrt(n), largest = 0;
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<float> atom = dictionary.Slice(i * n, n);
                for (int j = i + 1; j < m; j++)
                {
                    double inner = Math.Abs(TensorPrimitives.Dot(atom, dictionary.Slice(j * n, n)));
                    if (inner > largest)
                    {
                        largest = inner;
                        if (scale * largest > stopAbove)
                            return scale * largest;
                    }
                }
            }
            return scale * largest;
        }

        private double ComputeSpectralNorm()
        {
            // The flat unit-major layout is exactly MathNet's column-major storage of the n×m matrix.
            var matrix = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(
                FeatureCount, AtomCount, Array.ConvertAll(_dictionary, value => (double)value));
            return matrix.L2Norm();
        }
    }
}
