using System;
using System.Numerics.Tensors;
using System.Threading.Tasks;

namespace Microsoft.ML.SharedAutoencoder.Model
{
    /// <summary>
    /// Encodes rows into features with a trained tied autoencoder (W, b, σ) as its <see cref="CodeEncodingSettings"/> say:
    /// one row, or a batch of rows in parallel. Immutable after construction and safe to share between threads (per-thread
    /// state lives in a <see cref="Workspace"/>).
    /// </summary>
    /// <remarks>
    /// <para>Every encoding starts from p = Wᵀy, computed for blocks of rows by <see cref="ProjectionKernel"/>; the rest is
    /// O(m) per row (thresholds), O(m) on average (top-k) or O(k·m) (OMP). A row's code depends only on that row: one row
    /// and a batch give bit-identical codes, on any thread count.</para>
    /// <para>A row with a NaN or an infinite value has no meaningful code: all its features are NaN (missing in, missing
    /// out), as <see cref="SharedAutoencoderModelParameters.Encode"/> does.</para>
    /// </remarks>
    internal sealed class CodeEncoder
    {
        /// <summary>Rows per parallel work item: one cache block of the projection kernel.</summary>
        private const int ChunkRows = ProjectionKernel.BlockRows;

        private readonly ProjectionKernel _kernel;
        private readonly float[] _bias;
        private readonly EncoderActivation _activation;
        private readonly OrthogonalMatchingPursuit? _pursuit;
        private readonly InputNormalizer? _normalizer;

        /// <summary>
        /// Prepares encoding with weights <paramref name="weights"/> (unit-major, m·n) and bias <paramref name="bias"/>
        /// (length m) and the model's activation with its parameter (used by <see cref="CodeEncoding.Activation"/>). OMP
        /// computes its Gram matrix here, on up to <paramref name="maxThreads"/> threads. With a <paramref name="normalizer"/>,
        /// every row is normalized, (y − μ)/s, before its projections are taken.
        /// </summary>
        public CodeEncoder(
            ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int inputSize, in EncoderActivation activation,
            CodeEncodingSettings settings, int maxThreads = 1, InputNormalizer? normalizer = null)
        {
            ArgumentNullException.ThrowIfNull(settings);
            if (inputSize <= 0 || bias.Length == 0 || weights.Length != (long)inputSize * bias.Length)
                throw new ArgumentException($"Expected {inputSize}×{bias.Length} weights, got {weights.Length} values.", nameof(weights));
            if (!TensorPrimitives.IsFiniteAll(weights) || !TensorPrimitives.IsFiniteAll(bias))
                throw new ArgumentException("Autoencoder parameters must be finite.", nameof(weights));
            if (!Enum.IsDefined(activation.Kind) || !float.IsFinite(activation.Threshold))
                throw new ArgumentException("Unknown activation or non-finite threshold.", nameof(activation));
            if (activation.ActiveUnits > bias.Length)
                throw new ArgumentOutOfRangeException(nameof(activation), activation.ActiveUnits, $"The top-k activation cannot keep more units than the model has ({bias.Length}); choose k ≤ {bias.Length}.");
            settings.CheckFits(inputSize, bias.Length);
            if (normalizer != null && normalizer.Dimension != inputSize)
                throw new ArgumentException($"The normalization has {normalizer.Dimension} values; the input has n = {inputSize}.", nameof(normalizer));
            _normalizer = normalizer;
            Settings = settings;
            InputSize = inputSize;
            _bias = bias.ToArray();
            _activation = activation;
            _kernel = new ProjectionKernel(weights, inputSize, bias.Length);
            if (settings.Kind == CodeEncoding.OrthogonalMatchingPursuit)
                _pursuit = new OrthogonalMatchingPursuit(weights, inputSize, bias.Length, _kernel, maxThreads);
        }

        /// <summary>Prepares encoding with an element-wise activation (ReLU, or the hard threshold at <paramref name="activationThreshold"/>).</summary>
        public CodeEncoder(
            ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int inputSize, AutoencoderActivation activation, float activationThreshold,
            CodeEncodingSettings settings, int maxThreads = 1, InputNormalizer? normalizer = null)
            : this(weights, bias, inputSize, Elementwise(activation, activationThreshold), settings, maxThreads, normalizer)
        {
        }

        /// <summary>Prepares encoding with a trained model's parameters.</summary>
        public CodeEncoder(SharedAutoencoderModelParameters model, CodeEncodingSettings settings, int maxThreads = 1)
            : this(model.WeightsUnitMajor, model.BiasSpan, model.InputSize, model.ActivationSettings, settings, maxThreads, model.Normalizer)
        {
        }

        /// <summary>How rows are encoded.</summary>
        public CodeEncodingSettings Settings { get; }

        /// <summary>n, the length of an input row.</summary>
        public int InputSize { get; }

        /// <summary>m, the model's number of hidden units.</summary>
        public int HiddenUnits => _bias.Length;

        /// <summary>The length of a code: m, or 2m when split by polarity.</summary>
        public int CodeLength => Settings.CodeLength(HiddenUnits);

        /// <summary>Buffers for encoding on one thread.</summary>
        public Workspace CreateWorkspace() => new(HiddenUnits, _normalizer is null ? 0 : InputSize, _pursuit?.CreateWorkspace(Settings.ActiveUnits));

        /// <summary>Encodes one row (length n) into <paramref name="code"/> (length <see cref="CodeLength"/>).</summary>
        public void Encode(ReadOnlySpan<float> row, Span<float> code, Workspace? workspace = null)
        {
            CheckLength(row.Length, InputSize, nameof(row));
            CheckLength(code.Length, CodeLength, nameof(code));
            workspace ??= CreateWorkspace();
            Span<float> projections = workspace.Projections.AsSpan(0, HiddenUnits);
            if (_normalizer != null)
            {
                Span<float> normalized = workspace.Normalized.AsSpan(0, InputSize);
                _normalizer.Normalize(row, normalized);
                row = normalized;
            }
            _kernel.Compute(row, 1, projections);
            EncodeRow(row, projections, code, workspace);
        }

        /// <summary>
        /// Encodes <paramref name="rowCount"/> rows (row-major, n each) into <paramref name="codes"/> (row-major,
        /// <see cref="CodeLength"/> each), in blocks of 64 rows on up to <paramref name="maxThreads"/> threads.
        /// </summary>
        public void EncodeBatch(ReadOnlyMemory<float> rows, int rowCount, Memory<float> codes, int maxThreads)
        {
            int n = InputSize;
            int width = CodeLength;
            if (rowCount < 0 || rows.Length != (long)rowCount * n || codes.Length != (long)rowCount * width)
                throw new ArgumentException($"Expected {rowCount} rows of {n} values and room for {rowCount} codes of {width}.");
            int chunks = (rowCount + ChunkRows - 1) / ChunkRows;
            Parallel.For(
                0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxThreads) }, CreateWorkspace,
                (chunk, _, workspace) =>
                {
                    int start = chunk * ChunkRows;
                    int count = Math.Min(ChunkRows, rowCount - start);
                    ReadOnlySpan<float> block = rows.Span.Slice(start * n, count * n);
                    if (_normalizer != null)
                    {
                        Span<float> normalized = workspace.Normalized.AsSpan(0, count * n);
                        block.CopyTo(normalized);
                        _normalizer.NormalizeRows(normalized, count);
                        block = normalized;
                    }
                    Span<float> output = codes.Span.Slice(start * width, count * width);
                    _kernel.Compute(block, count, workspace.Projections);
                    for (int t = 0; t < count; t++)
                        EncodeRow(block.Slice(t * n, n), workspace.Projections.AsSpan(t * HiddenUnits, HiddenUnits), output.Slice(t * width, width), workspace);
                    return workspace;
                },
                _ => { });
        }

        /// <summary>The code of one row (normalized, if the model normalizes) from its projections p = Wᵀy.</summary>
        private void EncodeRow(ReadOnlySpan<float> row, ReadOnlySpan<float> projections, Span<float> code, Workspace workspace)
        {
            if (!TensorPrimitives.IsFiniteAll(row))
            {
                code.Fill(float.NaN);
                return;
            }
            int m = HiddenUnits;
            bool split = Settings.SplitPolarity;
            switch (Settings.Kind)
            {
                case CodeEncoding.Activation when !_activation.IsElementwise:
                    // The top-k activation as trained; split, the k largest of the 2m values [p + b, −p + b], as the TopK encoding.
                    Span<float> preactivations = workspace.Values.AsSpan(0, code.Length);
                    PreActivations(projections, split, preactivations);
                    TopKSelection.KeepLargest(preactivations, _activation.ActiveUnits, code, workspace.Selection);
                    break;
                case CodeEncoding.Activation:
                    PreActivations(projections, split, code);
                    if (split)
                        PositivePartOfActivation(code);
                    else
                        ApplyActivation(code);
                    break;
                case CodeEncoding.SoftThreshold:
                    PreActivations(projections, split, code);
                    TensorPrimitives.Subtract(code, Settings.Threshold, code);
                    TensorPrimitives.Max(code, 0f, code);
                    break;
                case CodeEncoding.TopK:
                    Span<float> values = workspace.Values.AsSpan(0, code.Length);
                    PreActivations(projections, split, values);
                    TopKSelection.KeepLargest(values, Settings.ActiveUnits, code, workspace.Selection);
                    break;
                default:
                    if (!split)
                    {
                        _pursuit!.Encode(projections, Settings.ActiveUnits, code, workspace.Pursuit!);
                        break;
                    }
                    Span<float> signed = workspace.Values.AsSpan(0, m);
                    _pursuit!.Encode(projections, Settings.ActiveUnits, signed, workspace.Pursuit!);
                    TensorPrimitives.Max(signed, 0f, code.Slice(0, m));
                    TensorPrimitives.Negate(signed, signed);
                    TensorPrimitives.Max(signed, 0f, code.Slice(m, m));
                    break;
            }
        }

        /// <summary>z = p + b, or when split [p + b, b − p] (the bias is a threshold shared by both polarities; see <see cref="CodeEncoding"/>).</summary>
        private void PreActivations(ReadOnlySpan<float> projections, bool split, Span<float> z)
        {
            int m = HiddenUnits;
            TensorPrimitives.Add(projections, _bias, z.Slice(0, m));
            if (split)
                TensorPrimitives.Subtract(_bias, projections, z.Slice(m, m));
        }

        private void ApplyActivation(Span<float> z)
        {
            if (_activation.Kind == AutoencoderActivation.Relu)
            {
                TensorPrimitives.Max(z, 0f, z);
                return;
            }
            float lambda = _activation.Threshold;
            for (int i = 0; i < z.Length; i++)
                z[i] = MathF.Abs(z[i]) > lambda ? z[i] : 0f;
        }

        /// <summary>σ⁺(u): u where σ fires on a positive u (u &gt; 0 for ReLU, u &gt; λ for the hard threshold), else 0.</summary>
        private void PositivePartOfActivation(Span<float> u)
        {
            float floor = _activation.Kind == AutoencoderActivation.Relu ? 0f : Math.Max(0f, _activation.Threshold);
            for (int i = 0; i < u.Length; i++)
                u[i] = u[i] > floor ? u[i] : 0f;
        }

        private static EncoderActivation Elementwise(AutoencoderActivation activation, float threshold)
        {
            if (activation == AutoencoderActivation.TopK || !Enum.IsDefined(activation))
                throw new ArgumentException("This overload takes ReLU or the hard threshold; pass the top-k activation with its k as an EncoderActivation.", nameof(activation));
            return new EncoderActivation(activation, threshold);
        }

        private static void CheckLength(int actual, int expected, string name)
        {
            if (actual != expected)
                throw new ArgumentException($"Expected a vector of length {expected}, got {actual}.", name);
        }

        /// <summary>Per-thread buffers: a block's normalized rows and projections, the values top-k chooses from, its selection scratch, OMP's state.</summary>
        public sealed class Workspace
        {
            internal Workspace(int hiddenUnits, int normalizedInputSize, OrthogonalMatchingPursuit.Workspace? pursuit)
            {
                Projections = new float[ChunkRows * hiddenUnits];
                Normalized = new float[ChunkRows * normalizedInputSize];
                Values = new float[2 * hiddenUnits];
                Selection = new float[2 * hiddenUnits];
                Pursuit = pursuit;
            }

            internal float[] Projections { get; }

            internal float[] Values { get; }

            /// <summary>A block of normalized rows (empty when the encoder does not normalize).</summary>
            internal float[] Normalized { get; }

            internal float[] Selection { get; }

            internal OrthogonalMatchingPursuit.Workspace? Pursuit { get; }
        }
    }
}
