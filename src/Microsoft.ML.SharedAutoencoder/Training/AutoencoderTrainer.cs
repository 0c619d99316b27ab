using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics.Tensors;
using System.Threading;
using Microsoft.ML.SharedAutoencoder.Model;
using Microsoft.ML.SharedAutoencoder.Rows;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// Normalized full-batch gradient descent on a tied-weight autoencoder (the paper's Algorithm):
    /// W ← normalize_columns(W − ζ g), b ← b / C, with a divergence guard that undoes a step and halves ζ.
    /// </summary>
    internal static class AutoencoderTrainer
    {
        /// <summary>The last rounds of alternating minimization, in which no atom is replaced.</summary>
        internal const int SettlingRounds = 3;

        /// <summary>Alternating minimization stops when a round replaced no atom and moved the mean OMP residual by at most this (relative).</summary>
        internal const double AlternatingTolerance = 1e-5;

        /// <exception cref="TrainingDivergedException">The features are too large for the step size (overflow, or a loss that kept rising).</exception>
        public static (SharedAutoencoderModelParameters Model, TrainingHistory History) Train(
            ITrainingRows data, TrainerSettings settings, ITrainingMonitor monitor, CancellationToken cancellation = default, IPassCombiner? combiner = null)
        {
            if (data.RowCount == 0)
                throw new InvalidOperationException("Training data are empty.");
            monitor.CheckAlive();
            // A data-parallel run (the Mpi package) combines the passes of all its processes; see IPassCombiner.
            using var run = new Run(data, settings, monitor, cancellation, combiner ?? LocalPassCombiner.Instance);
            return run.Train();
        }

        /// <summary>The state of one training run: W, b, the pass results at W and at the candidate step, and the history.</summary>
        private sealed class Run : IDisposable
        {
            private readonly ITrainingRows _data;
            private readonly IPassCombiner _combiner;
            private readonly TrainerSettings _settings;
            private readonly ITrainingMonitor _monitor;
            private readonly CancellationToken _cancellation;
            private readonly EncoderActivation _activation;
            private readonly GradientPass _pass;
            private readonly DenseRows _inMemory;
            private readonly InitializationReport _initialization;
            private readonly List<TrainingIteration> _history = new();
            private readonly int _inputSize;

            // Only a gradient step reads a pass's gradient (refit, alternating minimization and dead-unit re-seeding use
            // W, b and the active counts). Without steps the pass at W⁰ only records the loss, and the gradient's
            // co-activation terms (O(a²) per row for a fired units) were nearly all of Fit's time at m = 2,048.
            private readonly bool _gradientUsed;
            private float[] _weights;
            private float[] _bias;
            private float[] _candidateWeights;
            private float[] _candidateBias;
            private PassResult _current;
            private PassResult _candidate;

            public Run(ITrainingRows data, TrainerSettings settings, ITrainingMonitor monitor, CancellationToken cancellation, IPassCombiner combiner)
            {
                _combiner = combiner;
                _data = data;
                _settings = settings;
                _monitor = monitor;
                _cancellation = cancellation;
                _inputSize = data.Dimension;
                _gradientUsed = settings.MaximumNumberOfIterations > 0 || !settings.SkipUnusedGradient;
                int m = settings.HiddenUnits;
                _activation = new EncoderActivation(settings.Activation, settings.Threshold, settings.ActiveUnits);
                // Random and Given initializations look at no rows: a streamed source is then not read for them. The
                // data-driven initializations, dead-unit re-seeding and the refit work on the rows held in memory (all of
                // them, or for a streamed source the first rows it agrees to hold, see ITrainingRows.Head).
                // In a data-parallel run W⁰ is computed by one process only (the combiner's InitialWeights).
                bool initializationNeedsRows = settings.Initialization is not (WeightInitialization.Random or WeightInitialization.Given);
                bool sidePassesNeedRows = settings.ReseedDeadUnits || settings.FinalRefitIterations > 0 || settings.AlternatingMinimizationIterations > 0;
                _inMemory = data.Head(sidePassesNeedRows ? int.MaxValue : 0);
                _weights = combiner.InitialWeights(() =>
                {
                    DenseRows rows = sidePassesNeedRows || !initializationNeedsRows ? _inMemory : data.Head(int.MaxValue);
                    return (WeightInitializer.Create(settings, rows, new Random(settings.Seed), out InitializationReport report), report);
                }, out _initialization);
                monitor.Info(_initialization.ToString());
                _bias = new float[m];
                Array.Fill(_bias, settings.InitialBias);
                _candidateWeights = new float[_weights.Length];
                _candidateBias = new float[m];
                _current = new PassResult(_inputSize, m);
                _candidate = new PassResult(_inputSize, m);
                _pass = new GradientPass(data, m, settings.NumberOfThreads, combiner);
            }

            public (SharedAutoencoderModelParameters Model, TrainingHistory History) Train()
            {
                FirstPass();
                TrainingStopReason stopReason = Descend();
                WarnIfLossCrept(_history, _current.ZeroCodeLoss, _settings, _monitor);
                Refit();
                AlternateMinimization();
                var model = new SharedAutoencoderModelParameters(_inputSize, _weights, _bias, _settings.Activation, _settings.Threshold, activeUnits: _settings.ActiveUnits);
                return (model, new TrainingHistory(_history, stopReason, _initialization));
            }

            public void Dispose() => _pass.Dispose();

            /// <summary>The largest |y_j| over the rows of every process (for the messages of a failed run).</summary>
            private float LargestMagnitudeOfAll() => (float)_combiner.Max(LargestMagnitude(_data));

            /// <summary>The pass at W⁰ (iteration 0); refuses features so large that it overflows.</summary>
            private void FirstPass()
            {
                _pass.Run(_weights, _bias, _activation, _current, _cancellation, _gradientUsed);
                if (!double.IsFinite(_current.Loss) || (_gradientUsed && !TensorPrimitives.IsFiniteAll(_current.Gradient)))
                {
                    // Data are finite (checked when read), so only float32 overflow of ‖y‖² or of the gradient sum gets here.
                    throw new TrainingDivergedException(OverflowMessage(double.IsFinite(_current.Loss) ? "gradient" : "reconstruction loss",
                        LargestMagnitudeOfAll(), _inputSize, _settings.InitialBias));
                }
                _history.Add(Record(0, _current, 0f, undone: false, _weights, _settings));
                _monitor.Info(Describe(_history[^1], _settings.MaximumNumberOfIterations));
                ReseedDeadUnits();
            }

            /// <summary>The gradient steps, each judged by the divergence guard; returns why they stopped.</summary>
            private TrainingStopReason Descend()
            {
                var guard = new DivergenceGuard(_settings.DivergenceFactor, _settings.MaxLearningRateHalvings);
                float learningRate = _settings.LearningRate;
                int iteration = 1;
                while (iteration <= _settings.MaximumNumberOfIterations)
                {
                    _monitor.CheckAlive();
                    _cancellation.ThrowIfCancellationRequested();
                    // A perfect fit cannot improve, and any rounding above 0 would look like divergence to the guard.
                    if (_current.Loss == 0)
                    {
                        if (iteration == 1)
                            _monitor.Warning(ZeroLossAtStart);
                        return TrainingStopReason.Converged;
                    }

                    ComputeCandidate(learningRate);
                    float acceptedRate = learningRate;
                    DivergenceGuard.Verdict verdict = guard.Judge(_current, _candidate, _weights, _candidateWeights);
                    if (verdict == DivergenceGuard.Verdict.Undo)
                    {
                        _history.Add(Record(iteration, _candidate, learningRate, undone: true, _candidateWeights, _settings));
                        guard.Undo(iteration - 1, _current.Loss, LargestMagnitudeOfAll);
                        _monitor.Warning(string.Format(CultureInfo.InvariantCulture,
                            "Iteration {0}: the step with learning rate {1:G4} raised the loss from {2:G6} to {3:G6}; undone, learning rate halved to {4:G4}.",
                            iteration, learningRate, _current.Loss, _candidate.Loss, learningRate / 2));
                        learningRate /= 2;
                        continue;
                    }
                    if (verdict == DivergenceGuard.Verdict.AcceptRiseFromBias)
                    {
                        learningRate = guard.RestoredRate(learningRate);
                        _monitor.Warning(string.Format(CultureInfo.InvariantCulture,
                            "Iteration {0}: the loss rose from {1:G6} to {2:G6} even with a negligible step; the rise comes from the bias schedule, so the step is kept.",
                            iteration, _current.Loss, _candidate.Loss));
                    }
                    guard.Accepted();
                    if (AcceptCandidate(iteration, acceptedRate))
                        return TrainingStopReason.Converged;
                    iteration++;
                }
                return TrainingStopReason.IterationLimit;
            }

            /// <summary>The candidate (W', b') one iteration away, and the pass at it (an epoch of batches in mini-batch mode).</summary>
            private void ComputeCandidate(float learningRate)
            {
                bool miniBatch = _settings.BatchSize > 0 && _settings.BatchSize < _data.RowCount;
                if (miniBatch)
                {
                    RunEpoch(_pass, _data.RowCount, _settings, _weights, _bias, learningRate, _activation, _candidateWeights, _candidateBias, _candidate, _cancellation);
                    return;
                }
                Step(_weights, _current.Gradient, learningRate, _inputSize, _candidateWeights);
                for (int i = 0; i < _bias.Length; i++)
                    _candidateBias[i] = _bias[i] / _settings.BiasDecay;
                _pass.Run(_candidateWeights, _candidateBias, _activation, _candidate, _cancellation);
            }

            /// <summary>Makes the candidate current and records it; returns whether the loss changed by at most the tolerance.</summary>
            private bool AcceptCandidate(int iteration, float acceptedRate)
            {
                double previousLoss = _current.Loss;
                (_weights, _candidateWeights) = (_candidateWeights, _weights);
                (_bias, _candidateBias) = (_candidateBias, _bias);
                (_current, _candidate) = (_candidate, _current);
                _history.Add(Record(iteration, _current, acceptedRate, undone: false, _weights, _settings));
                _monitor.Info(Describe(_history[^1], _settings.MaximumNumberOfIterations));
                ReseedDeadUnits();
                return _settings.Tolerance > 0
                    && Math.Abs(previousLoss - _current.Loss) <= _settings.Tolerance * Math.Max(previousLoss, double.Epsilon);
            }

            /// <summary>The least-squares refit rounds after the gradient steps, each recorded with learning rate 0.</summary>
            private void Refit()
            {
                int refitStep = _history.FindLast(e => !e.Undone)!.Iteration;
                for (int round = 1; round <= _settings.FinalRefitIterations; round++)
                {
                    _monitor.CheckAlive();
                    DictionaryRefit.Run(_inMemory, _weights, _bias, _activation, _settings.NumberOfThreads);
                    _pass.Run(_weights, _bias, _activation, _current, _cancellation);
                    _history.Add(Record(++refitStep, _current, 0f, undone: false, _weights, _settings));
                    _monitor.Info(string.Format(CultureInfo.InvariantCulture, "Least-squares refit {0}/{1}: loss {2:G6}", round, _settings.FinalRefitIterations, _current.Loss));
                }
            }

            /// <summary>
            /// The alternating-minimization rounds after the refit (off by default), each recorded with learning rate 0.
            /// Atoms are not replaced in the last <see cref="SettlingRounds"/> rounds: a replaced atom is a rough start
            /// that needs a few rounds of refitting. The rounds stop early once one replaced nothing and left the mean OMP
            /// residual unchanged (see <see cref="AlternatingTolerance"/>).
            /// </summary>
            private void AlternateMinimization()
            {
                int rounds = _settings.AlternatingMinimizationIterations;
                int step = _history.FindLast(e => !e.Undone)!.Iteration;
                double previousResidual = double.NaN;
                var replacedInRound = new int[_settings.HiddenUnits];
                for (int round = 1; round <= rounds; round++)
                {
                    _monitor.CheckAlive();
                    _cancellation.ThrowIfCancellationRequested();
                    bool replace = _settings.ReplaceUnusedAtoms && round <= rounds - SettlingRounds;
                    var result = Training.AlternatingMinimization.Run(_inMemory, _weights, _settings.HiddenUnits, _settings.AlternatingMinimizationSparsity, replace, _settings.NumberOfThreads, replacedInRound, round);
                    _pass.Run(_weights, _bias, _activation, _current, _cancellation);
                    _history.Add(Record(++step, _current, 0f, undone: false, _weights, _settings));
                    _monitor.Info(string.Format(CultureInfo.InvariantCulture, "Alternating minimization {0}/{1}: mean OMP residual {2:G6}, {3} atom(s) replaced; loss {4:G6}",
                        round, rounds, result.MeanSquaredResidual, result.Replaced, _current.Loss));
                    // Settled: nothing replaced or withheld, and the codes explain the rows as well as in the previous round.
                    if (result.Replaced == 0 && result.Withheld == 0 && Math.Abs(result.MeanSquaredResidual - previousResidual) <= AlternatingTolerance * previousResidual)
                        break;
                    previousResidual = result.Replaced == 0 && result.Withheld == 0 ? result.MeanSquaredResidual : double.NaN;
                }
            }

            /// <summary>The dead-unit hook (off by default): re-seed units that fired on no row, then recompute the pass.</summary>
            private void ReseedDeadUnits()
            {
                if (!_settings.ReseedDeadUnits || Array.IndexOf(_current.ActiveCounts, 0L) < 0)
                    return;
                int reseeded = DeadUnitReseeder.Run(_inMemory, _weights, _bias, _activation, _current.ActiveCounts, _settings.NumberOfThreads);
                if (reseeded == 0)
                    return;
                _pass.Run(_weights, _bias, _activation, _current, _cancellation, _gradientUsed);
                _monitor.Info(string.Format(CultureInfo.InvariantCulture, "Re-seeded {0} dead unit(s) from the worst-reconstructed rows; loss now {1:G6}.", reseeded, _current.Loss));
            }
        }

        /// <summary>
        /// The guard undoes single steps that multiply the loss by more than the divergence factor; a run can still creep
        /// upwards over many accepted steps (seen: the paper's update from a start with a spurious column on sparse codes,
        /// 0.42 → 812 in 50 steps; features of norm ≈ 5 at ζ = m, 3.6 → 42). The paper's dynamics are kept, but the user
        /// is told that the model is worse than one the run passed through.
        /// </summary>
        private static void WarnIfLossCrept(List<TrainingIteration> history, double zeroCodeLoss, TrainerSettings settings, ITrainingMonitor monitor)
        {
            TrainingIteration? lowest = null;
            TrainingIteration? last = null;
            foreach (TrainingIteration entry in history)
            {
                if (entry.Undone)
                    continue;
                if (lowest == null || entry.Loss < lowest.Loss)
                    lowest = entry;
                last = entry;
            }
            if (lowest == null || last == null || last.Loss <= settings.DivergenceFactor * lowest.Loss || DivergenceGuard.AtRoundingLevel(last.Loss, zeroCodeLoss))
                return;
            monitor.Warning(string.Format(CultureInfo.InvariantCulture,
                "The loss ended at {0:G6}, {1:F1}× its lowest value {2:G6} (iteration {3}): no single step was large enough for the divergence guard, but together they moved away from the better fit. "
                + "The learning rate is probably too large for these data (the step assumes features of order 1); the training history has every iteration's loss.",
                last.Loss, last.Loss / lowest.Loss, lowest.Loss, lowest.Iteration));
        }

        // A loss of exactly 0 before any step is rarely a perfect fit: far more often the features are so small that their
        // squares round to 0 in float32, and "converged" would hide that nothing was trained.
        internal const string ZeroLossAtStart =
            "The reconstruction loss is exactly 0 at the initial weights, so no step was taken: either the initial weights reconstruct every row "
            + "exactly, or the feature values are so small that their squares round to 0 in 32-bit floats (then nothing was trained: scale the "
            + "features to about [0, 1]).";

        /// <summary>
        /// Says what made the first pass overflow. A code is x_i = σ(W_iᵀy + b_i) with |W_iᵀy| ≤ ‖y‖ ≤ √n·max|y_j|, so when
        /// |b| exceeds that bound the bias, not the features, is what is too large.
        /// </summary>
        private static string OverflowMessage(string what, float largest, int n, float bias)
        {
            if (Math.Abs((double)bias) > Math.Sqrt(n) * largest)
            {
                return string.Format(CultureInfo.InvariantCulture,
                    "The {0} of the initial weights overflows float32: the initial bias {1:G4} makes every code that large, while the largest feature magnitude is only {2:G4}. "
                    + "Use a bias of the order of the features (the paper's ReLU bias is −1/ln n) or leave the initial bias at its default.", what, bias, largest);
            }
            return string.Format(CultureInfo.InvariantCulture,
                "The {0} of the initial weights overflows float32: the feature values are too large (largest magnitude {1:G4}); scale the features (for example to [0, 1]) before training.",
                what, largest);
        }

        /// <summary>The largest |y_j| over all rows: reported when training fails because the features are too large. Reads the rows once.</summary>
        private static float LargestMagnitude(ITrainingRows data)
        {
            // At most 1,024 rows, and never more values than one array holds (1,024·n overflowed int for n > 2,097,151).
            int rowsPerRead = (int)Math.Clamp(Array.MaxLength / data.Dimension, 1, 1024);
            var buffer = new float[rowsPerRead * data.Dimension];
            float largest = 0;
            using ITrainingRowReader reader = data.OpenReader();
            int read;
            while ((read = reader.Read(buffer, rowsPerRead)) > 0)
                largest = Math.Max(largest, Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(buffer.AsSpan(0, read * data.Dimension))));
            return largest;
        }

        /// <summary>
        /// One iteration in mini-batch mode: an epoch of ⌈N/B⌉ normalized steps, each on the gradient of the next B
        /// rows at the current W. The bias is divided by C once per epoch (not per step, or it would vanish after a few
        /// batches). <paramref name="epoch"/> receives the mean over the epoch of the batch losses, each measured just
        /// before its step, and the total unit activity; the divergence guard compares these between epochs.
        /// </summary>
        private static void RunEpoch(
            GradientPass pass, long rowCount, TrainerSettings settings, float[] weights, float[] bias, float learningRate, EncoderActivation activation,
            float[] epochWeights, float[] epochBias, PassResult epoch, CancellationToken cancellation)
        {
            int m = bias.Length;
            int n = weights.Length / m;
            weights.CopyTo(epochWeights, 0);
            for (int i = 0; i < m; i++)
                epochBias[i] = bias[i] / settings.BiasDecay;
            var batch = new PassResult(n, m);
            var stepped = new float[weights.Length];
            Array.Clear(epoch.ActiveCounts);
            double lossSum = 0;
            double zeroCodeLossSum = 0;
            long seen = 0;
            while (seen < rowCount)
            {
                cancellation.ThrowIfCancellationRequested();
                pass.RunNextBatch(settings.BatchSize, epochWeights, epochBias, activation, batch, cancellation);
                lossSum += batch.Loss * batch.RowCount;
                zeroCodeLossSum += batch.ZeroCodeLoss * batch.RowCount;
                seen += batch.RowCount;
                for (int i = 0; i < m; i++)
                    epoch.ActiveCounts[i] += batch.ActiveCounts[i];
                if (!double.IsFinite(batch.Loss))
                    break;
                Step(epochWeights, batch.Gradient, learningRate, n, stepped);
                stepped.CopyTo(epochWeights, 0);
            }
            epoch.Loss = seen == 0 ? 0 : lossSum / seen;
            epoch.ZeroCodeLoss = seen == 0 ? 0 : zeroCodeLossSum / seen;
            epoch.RowCount = seen;
            batch.Gradient.CopyTo(epoch.Gradient, 0);
        }

        /// <summary>
        /// W' = normalize_columns(W − ζ g). A column whose update has zero (or non-finite) norm keeps its previous value,
        /// so the step never divides by zero.
        /// </summary>
        public static void Step(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient, float learningRate, int inputSize, Span<float> result)
        {
            int m = weights.Length / inputSize;
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient, -learningRate, weights, result);
            for (int i = 0; i < m; i++)
            {
                Span<float> column = result.Slice(i * inputSize, inputSize);
                if (!WeightInitializer.NormalizeInPlace(column))
                    weights.Slice(i * inputSize, inputSize).CopyTo(column);
            }
        }

        private static TrainingIteration Record(int iteration, PassResult pass, float learningRate, bool undone, float[] weights, TrainerSettings settings)
        {
            long active = 0;
            int dead = 0;
            foreach (long count in pass.ActiveCounts)
            {
                active += count;
                if (count == 0)
                    dead++;
            }
            double activeFraction = pass.RowCount == 0 ? 0 : (double)active / ((double)pass.RowCount * pass.ActiveCounts.Length);
            double? frobenius = null, maxColumn = null;
            if (settings.RecoveryProbe != null && !undone)
                (frobenius, maxColumn) = settings.RecoveryProbe(weights);
            return new TrainingIteration(iteration, pass.Loss, learningRate, activeFraction, dead, undone, frobenius, maxColumn);
        }

        private static string Describe(TrainingIteration entry, int total) => string.Format(CultureInfo.InvariantCulture,
            "Iteration {0}/{1}: loss {2:G6}, learning rate {3:G4}, active fraction {4:P1}",
            entry.Iteration, total, entry.Loss, entry.LearningRate, entry.ActiveFraction);
    }
}
